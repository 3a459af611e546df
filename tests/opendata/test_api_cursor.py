"""Cursor (keyset) pagination of the API's large lists: the next link carries a cursor, the
cursor pages give every row once in the list's order, prev and last work, a forged cursor is
a 400 in JSON, the page parameter still works, and a cursor page costs a constant number of
queries."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import insert

from app.db import db, utcnow
from participation.citizen.models import ContentStatus, Proposal
from tests.opendata.data import HOST, token_for, world

BASE = f"http://{HOST}"


@pytest.fixture
def w(org):
    return world(org)


def get(client, url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if url.startswith("http"):
        parts = urlsplit(url)
        return client.get(f"{parts.path}?{parts.query}", base_url=BASE, headers=headers)
    return client.get(f"/api/v1{url}", base_url=BASE, headers=headers)


def cursor_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["cursor"][0]


def add_proposals(w, n: int, *, same_time: bool = False) -> None:
    """n published proposals; with `same_time`, all created at the same instant (ties on the
    sort key, broken by the id)."""
    start = utcnow() - timedelta(days=1)
    rows = [
        {
            "consultation_id": w.consultation.id,
            "author_id": w.citizen.id,
            "show_name": False,
            "title": f"Proposition {i:03d}",
            "body": "<p>Texte</p>",
            "body_text": "Texte",
            "status": ContentStatus.PUBLISHED.value,
            "support_count": 0,
            "feedback": "",
            "created_at": start if same_time else start + timedelta(seconds=i),
            "updated_at": start,
        }
        for i in range(n)
    ]
    db.session.execute(insert(Proposal.__table__), rows)
    db.session.commit()


def walk(client, first_url: str, token=None) -> tuple[list[int], list[dict]]:
    """Every id met following the next links from first_url, and the bodies."""
    seen, bodies, url = [], [], first_url
    while url:
        response = get(client, url, token)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        bodies.append(body)
        seen += [item["id"] for item in body["data"]]
        url = body["links"]["next"]
        assert len(bodies) < 100
    return seen, bodies


@pytest.mark.parametrize("same_time", [False, True])
def test_following_next_links_gives_every_proposal_once_in_order(client, w, same_time):
    add_proposals(w, 23, same_time=same_time)
    path = f"/consultations/{w.consultation.id}/proposals"
    by_page = [item["id"] for item in get(client, f"{path}?per_page=50").get_json()["data"]]
    seen, bodies = walk(client, f"{path}?per_page=5")
    assert seen == by_page and len(seen) == 25  # the world's 2 published proposals, and 23
    assert "cursor=" in bodies[0]["links"]["next"]
    assert bodies[0]["meta"]["page"] == 1
    assert all(b["meta"]["page"] is None for b in bodies[1:])
    assert all(b["meta"]["total"] == 25 and b["meta"]["pages"] == 5 for b in bodies)
    assert bodies[-1]["links"]["next"] is None and len(bodies[-1]["data"]) == 5


def test_prev_and_last_links_of_a_cursor_page(client, w):
    add_proposals(w, 13)
    path = f"/consultations/{w.consultation.id}/proposals"
    every = [item["id"] for item in get(client, f"{path}?per_page=50").get_json()["data"]]
    first = get(client, f"{path}?per_page=5").get_json()
    second = get(client, first["links"]["next"]).get_json()
    third = get(client, second["links"]["next"]).get_json()
    assert [i["id"] for i in third["data"]] == every[10:15]
    back = get(client, third["links"]["prev"]).get_json()
    assert [i["id"] for i in back["data"]] == every[5:10]
    again = get(client, back["links"]["prev"]).get_json()
    assert [i["id"] for i in again["data"]] == every[:5] and again["links"]["prev"] is None
    last = get(client, third["links"]["last"]).get_json()
    assert [i["id"] for i in last["data"]] == every[-5:] and last["links"]["next"] is None
    assert third["links"]["next"] is None  # 15 proposals: the third page is the last
    response = get(client, second["links"]["self"])
    assert [i["id"] for i in response.get_json()["data"]] == every[5:10]
    assert 'rel="prev"' in response.headers["Link"] and 'rel="next"' in response.headers["Link"]


def test_the_page_parameter_still_works_and_its_next_link_carries_a_cursor(client, w):
    add_proposals(w, 8)
    path = f"/consultations/{w.consultation.id}/proposals"
    every = [item["id"] for item in get(client, f"{path}?per_page=50").get_json()["data"]]
    body = get(client, f"{path}?per_page=4&page=2").get_json()
    assert [i["id"] for i in body["data"]] == every[4:8]
    assert body["meta"] == {"page": 2, "per_page": 4, "total": 10, "pages": 3}
    assert body["links"]["prev"].endswith("page=1&per_page=4")
    following = get(client, body["links"]["next"]).get_json()
    assert [i["id"] for i in following["data"]] == every[8:]


@pytest.mark.parametrize(
    "cursor",
    ["abc", "x" * 401, "WyJuIiwgWzFdXQ", "WyJuIixbIjIwMjYiLDFdXQ.forged", "%C3%A9", "..."],
)
def test_a_malformed_or_forged_cursor_is_a_400_in_json(client, w, cursor):
    response = get(client, f"/consultations/{w.consultation.id}/proposals?cursor={cursor}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter" and error["parameter"] == "cursor"
    assert "curseur" in error["message"]


def test_a_cursor_of_another_list_is_refused(client, w):
    add_proposals(w, 5)
    token = token_for(w.admin)
    body = get(client, f"/consultations/{w.consultation.id}/proposals?per_page=2").get_json()
    cursor = cursor_of(body["links"]["next"])
    for path in ("/saisines", "/meetings", "/consultations", "/council/contributions"):
        assert get(client, f"{path}?cursor={cursor}", token).status_code == 400, path


@pytest.mark.parametrize(
    "path", ["/saisines", "/meetings", "/consultations", "/council/contributions"]
)
def test_every_cursor_list_walks_to_the_same_rows_as_the_pages(client, w, path):
    from tests.opendata.data import more_rows

    more_rows(w)
    token = token_for(w.admin)
    every = [i["id"] for i in get(client, f"{path}?per_page=200", token).get_json()["data"]]
    seen, _bodies = walk(client, f"{path}?per_page=1", token)
    assert seen == every and every


def test_a_far_cursor_page_costs_what_the_first_does(client, w, count_queries):
    add_proposals(w, 60)
    path = f"/consultations/{w.consultation.id}/proposals"
    with count_queries() as first:
        body = get(client, f"{path}?per_page=5").get_json()
    for _n in range(8):
        body = get(client, body["links"]["next"]).get_json()
    with count_queries() as far:
        assert get(client, body["links"]["next"]).status_code == 200
    assert far.count == first.count, far.statements
    # sought after the previous page's last row (SQLite writes OFFSET 0 with every LIMIT)
    listed = [s for s in far.statements if "FROM participation_proposal" in s and "LIMIT" in s]
    assert listed and "participation_proposal.id) > (" in listed[0], far.statements


def test_the_cursor_is_described_in_the_openapi_document_and_the_human_page(client, org):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/consultations/{consultation_id}/proposals"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"page", "per_page", "cursor"} <= names
    assert "cursor" not in {p["name"] for p in spec["paths"]["/communes"]["get"]["parameters"]}
    assert "cursor" in client.get("/api/v1/").get_data(as_text=True)


def test_a_cursor_page_matches_the_described_schema(client, w):
    from jsonschema import Draft202012Validator

    from opendata.openapi.schemas import SCHEMAS, list_of

    add_proposals(w, 6)
    validator = Draft202012Validator({**list_of("Proposal"), "components": {"schemas": SCHEMAS}})
    path = f"/consultations/{w.consultation.id}/proposals?per_page=3"
    first = get(client, path).get_json()
    second = get(client, first["links"]["next"]).get_json()
    for body in (first, second):
        validator.validate(body)
    assert second["meta"]["page"] is None
