"""The public list of a consultation's proposals, paged by cursor: next and previous links
carry a signed cursor and keep the sort and the filters, every proposal is met once in the
sort's order (ties on the sort key broken by the id), the last page is one link away, a
malformed or forged cursor gives the first page with a message, and a far page costs the
queries of the first one."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import insert, select

from app.db import db, utcnow
from participation.citizen import queries
from participation.citizen.models import ContentStatus, Proposal
from tests import factories
from tests.participation.test_consultations_public import page_of, participant

PER_PAGE = 20


def add(consultation, author, n: int, *, start: int = 0) -> None:
    """n proposals, published but for every 7th; many share their date and support count."""
    base = utcnow() - timedelta(days=10)
    themes = consultation.themes
    rows = [
        {
            "consultation_id": consultation.id,
            "author_id": author.id,
            "show_name": False,
            "theme_id": themes[i % len(themes)].id,
            "title": f"Proposition {i:03d}",
            "body": "<p>Texte</p>",
            "body_text": "Texte",
            "status": (ContentStatus.HIDDEN if i % 7 == 3 else ContentStatus.PUBLISHED).value,
            "support_count": i % 5,
            "feedback": "",
            "created_at": base + timedelta(minutes=i // 3),
            "updated_at": base,
        }
        for i in range(start, start + n)
    ]
    db.session.execute(insert(Proposal.__table__), rows)
    db.session.commit()


def expected(consultation, sort: str = "newest", theme_id: int | None = None) -> list[int]:
    """The published proposals' ids in the sort's order, computed in Python."""
    found = db.session.scalars(
        select(Proposal).where(
            Proposal.consultation_id == consultation.id,
            Proposal.status == ContentStatus.PUBLISHED,
        )
    ).all()
    if theme_id is not None:
        found = [p for p in found if p.theme_id == theme_id]
    key = (
        (lambda p: (p.support_count, p.id))
        if sort == "supported"
        else (lambda p: (p.created_at, p.id))
    )
    return [p.id for p in sorted(found, key=key, reverse=True)]


def shown(text: str) -> list[int]:
    return [
        int(n)
        for n in re.findall(
            r'<article class="panel proposal" aria-labelledby="proposal-(\d+)"', text
        )
    ]


def link(text: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', text)
    return html.unescape(found.group(1)) if found else None


def walk(client, url: str) -> tuple[list[int], list[str]]:
    ids, texts = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        texts.append(response.text)
        ids += shown(response.text)
        url = link(response.text, "next")
        assert len(texts) < 50
    return ids, texts


@pytest.fixture
def listed(org):
    consultation = factories.consultation(org)
    add(consultation, participant(org), 150)
    return consultation


@pytest.mark.parametrize("sort", ["newest", "supported"])
def test_next_links_go_through_every_proposal_once_in_the_sort_order(client, listed, sort):
    args = "" if sort == "newest" else "?sort=supported"
    ids, texts = walk(client, page_of(listed) + args)
    assert ids == expected(listed, sort) and len(ids) > 6 * PER_PAGE
    for text in texts[:-1]:
        assert "cursor=" in link(text, "next")
    for text in texts[2:]:
        assert "cursor=" in link(text, "prev")
    for text in texts[1:]:
        assert (sort == "supported") == ("sort=supported" in link(text, "prev"))
    assert link(texts[-1], "next") is None


def test_filters_and_search_are_kept_along_the_cursor_links(client, listed):
    theme = listed.themes[1]
    ids, texts = walk(client, f"{page_of(listed)}?theme={theme.id}&sort=supported")
    assert ids == expected(listed, "supported", theme.id) and len(texts) == 3
    assert f"theme={theme.id}" in link(texts[1], "next") and "sort=supported" in link(
        texts[1], "next"
    )
    searched, _texts = walk(client, f"{page_of(listed)}?q=texte")
    assert searched == expected(listed)


def test_previous_links_come_back_page_by_page_to_the_first(client, listed):
    every = expected(listed)
    url, pages = page_of(listed), []
    for _n in range(4):
        text = client.get(url).text
        pages.append(shown(text))
        url = link(text, "next")
    text = client.get(url).text  # the fifth page, by cursor
    assert shown(text) == every[4 * PER_PAGE : 5 * PER_PAGE]
    for back in range(3, -1, -1):
        url = link(text, "prev")
        text = client.get(url).text
        assert shown(text) == pages[back] == every[back * PER_PAGE : (back + 1) * PER_PAGE]
    assert link(text, "prev") is None and "Page 1 sur" in text or "cursor=" in url


def test_the_second_page_links_back_to_the_plain_first_page(client, listed):
    second = client.get(page_of(listed), query_string={"page": 2}).text
    assert "Page 2 sur" in second
    assert link(second, "prev") == f"{page_of(listed)}#propositions"


def test_the_last_page_is_one_link_away(client, listed):
    first = client.get(page_of(listed)).text
    last_url = html.unescape(re.search(r'<a href="([^"]+)">Dernière page</a>', first).group(1))
    last = client.get(last_url).text
    every = expected(listed)
    assert shown(last) == every[-PER_PAGE:]
    assert link(last, "next") is None and link(last, "prev")
    before = client.get(link(last, "prev")).text
    assert shown(before) == every[-2 * PER_PAGE : -PER_PAGE]


def test_the_navigation_is_accessible_and_numbers_the_first_pages(client, listed):
    text = client.get(page_of(listed), query_string={"page": 3}).text
    nav = re.search(r'<nav class="pagination" aria-label="Pagination">(.*?)</nav>', text, re.S)
    assert nav, text
    assert '<span aria-current="page">3</span>' in nav.group(1)
    for n in (1, 2, 4, 5):
        assert f'aria-label="Page {n}">{n}</a>' in nav.group(1)
    assert 'rel="next"' in nav.group(1) and 'rel="prev"' in nav.group(1)
    assert ">6</a>" not in nav.group(1)  # further pages go by cursor
    assert "Page 3 sur 7" in nav.group(1)


@pytest.mark.parametrize(
    "cursor",
    ["abc", "x" * 500, "WyJuIixbMSwxXV0.AAAAAAAAAAAAAAAAAAAAAAAAAAA", "é", ".eJyLjgUAARUAuQ.x"],
)
def test_a_malformed_or_forged_cursor_gives_the_first_page_and_a_message(client, listed, cursor):
    response = client.get(page_of(listed), query_string={"cursor": cursor})
    assert response.status_code == 200
    assert shown(response.text) == expected(listed)[:PER_PAGE]
    assert "Ce lien de page n" in response.text and "est plus valide" in response.text


def test_a_cursor_of_another_sort_or_consultation_is_refused(client, org, listed):
    newest_next = link(client.get(page_of(listed)).text, "next")
    cursor = re.search(r"cursor=([^&#]+)", newest_next).group(1)
    supported = client.get(page_of(listed), query_string={"cursor": cursor, "sort": "supported"})
    assert shown(supported.text) == expected(listed, "supported")[:PER_PAGE]
    assert "plus valide" in supported.text
    other = factories.consultation(org, title="Une autre consultation")
    add(other, participant(org, email="autre@mail.example"), 30)
    elsewhere = client.get(page_of(other), query_string={"cursor": cursor})
    assert "plus valide" in elsewhere.text


def test_a_far_page_by_cursor_costs_the_queries_of_the_first(client, org, listed, count_queries):
    text = client.get(page_of(listed)).text
    with count_queries() as first:
        text = client.get(link(text, "next")).text
    for _n in range(4):
        text = client.get(link(text, "next")).text
    add(listed, participant(org, email="encore@mail.example"), 100, start=150)
    with count_queries() as far:
        response = client.get(link(text, "next"))
    assert response.status_code == 200 and shown(response.text)
    assert far.count == first.count, far.statements
    listed_query = [
        s for s in far.statements if "FROM participation_proposal" in s and "LIMIT" in s
    ]
    assert "participation_proposal.id) < (" in listed_query[0]


def test_the_list_indexes_end_with_the_id(app):
    indexes = {
        i["name"]: i["column_names"]
        for i in sa.inspect(db.engine).get_indexes("participation_proposal")
    }
    assert indexes["ix_participation_proposal_list"] == [
        "consultation_id",
        "status",
        "created_at",
        "id",
    ]
    assert indexes["ix_participation_proposal_supported"] == [
        "consultation_id",
        "status",
        "support_count",
        "id",
    ]


def test_proposals_page_reads_cursors_of_its_own_list_only(app, listed):
    first = queries.proposals_page(listed, per_page=10)
    assert first.next_cursor and first.prev_cursor is None and first.numbered
    second = queries.proposals_page(listed, per_page=10, cursor=first.next_cursor)
    assert not second.numbered and second.items[0].id == expected(listed)[10]
    hidden_too = queries.proposals_page(
        listed, per_page=10, cursor=first.next_cursor, include_hidden=True
    )
    assert hidden_too.bad_cursor and hidden_too.numbered
