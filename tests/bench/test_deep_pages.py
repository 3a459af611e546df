"""The bench's deep pages are reached by cursor: the cursors chosen with the pages are those
the "next" links carry, valid for the application that serves them."""

from __future__ import annotations

import re

from bench.targets import API_PER_PAGE, PUBLIC_PER_PAGE, _deep_page_cursors
from participation.citizen import queries
from tests import factories
from tests.participation.test_consultations_public import participant
from tests.participation.test_proposal_pages import add, expected


def test_the_deep_page_cursors_lead_where_the_next_links_do(client, org):
    consultation = factories.consultation(org)
    add(consultation, participant(org), 70)
    public_cursor, api_cursor = _deep_page_cursors(consultation.id)
    every = expected(consultation)  # 60 published: 3 pages of 20, the last one is sought
    page = client.get(f"/consultations/{consultation.slug}", query_string={"cursor": public_cursor})
    shown = [int(n) for n in re.findall(r'aria-labelledby="proposal-(\d+)"', page.text)]
    assert shown == every[2 * PUBLIC_PER_PAGE :] and "plus valide" not in page.text
    second = queries.proposals_page(consultation, page=2, per_page=PUBLIC_PER_PAGE)
    assert public_cursor == second.next_cursor

    response = client.get(
        f"/api/v1/consultations/{consultation.id}/proposals", query_string={"cursor": api_cursor}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["meta"]["page"] is None and 0 < len(body["data"]) <= API_PER_PAGE
    assert body["data"][-1]["id"] == max(every)  # the API lists the oldest first
