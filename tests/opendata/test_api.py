"""The open data API: each route for anonymous callers, tokens of a citizen and an admin,
revoked and foreign tokens; paging, errors, query counts."""

from __future__ import annotations

import pytest

from app.db import db, utcnow
from app.users.models import Role
from opendata import services
from tests import factories
from tests.opendata.data import HOST, OTHER_HOST, SHOWN_NAME, token_for, world

BASE = f"http://{HOST}"


@pytest.fixture
def w(org):
    return world(org)


def get(client, path, token=None, host=BASE):
    """A GET on the API, by default under the world's host name."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{path}", base_url=host, headers=headers)


def ids(response):
    return [item["id"] for item in response.get_json()["data"]]


def test_the_organisation_and_its_36_communes_are_public(client, w):
    org = get(client, "/organisation").get_json()["data"]
    assert org["siren"] == "246200364" and org["communes"] == 36
    response = get(client, "/communes?per_page=10&page=2")
    body = response.get_json()
    assert response.status_code == 200
    assert len(body["data"]) == 10
    assert body["meta"] == {"page": 2, "per_page": 10, "total": 36, "pages": 4}
    assert body["links"]["next"].endswith("/api/v1/communes?page=3&per_page=10")
    assert body["links"]["prev"].endswith("page=1&per_page=10")
    assert 'rel="next"' in response.headers["Link"]


def test_the_last_page_has_no_next_link(client, w):
    body = get(client, "/communes?per_page=20&page=2").get_json()
    assert body["links"]["next"] is None and len(body["data"]) == 16


def test_paging_out_of_bounds_is_a_400_in_json(client, org):
    for query in ("page=0", "page=abc", "per_page=0", "per_page=201", "page=-1", "per_page=1e3"):
        response = get(client, f"/communes?{query}")
        assert response.status_code == 400, query
        error = response.get_json()["error"]
        assert error["code"] == "invalid_parameter" and "entier" in error["message"]


def test_unknown_paths_and_ids_are_404_in_json(client, org):
    for path in ("/nothing", "/saisines/999999", "/saisines/99999999999999999999", "/meetings/x"):
        response = get(client, path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found", (path, response.data[:200])


def test_a_wrong_method_is_a_405_in_json_and_other_pages_keep_their_html(client, org):
    response = client.post("/api/v1/communes", base_url=BASE)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    page = client.get("/nowhere-at-all", base_url=BASE)
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_anonymous_sees_only_saisines_with_published_results_and_their_counts(client, w):
    response = get(client, "/saisines")
    assert ids(response) == [w.published_saisine.id]
    results = response.get_json()["data"][0]["results"]
    assert results["targets"] == 36 and results["answered"] == 1
    assert results["opinions"]["favorable_with_reservations"]["communes"] == 1
    assert get(client, f"/saisines/{w.published_saisine.id}").status_code == 200
    assert get(client, f"/saisines/{w.unpublished_saisine.id}").status_code == 404
    assert get(client, f"/saisines/{w.draft_saisine.id}").status_code == 404


def test_an_admin_token_sees_unpublished_results_but_never_drafts(client, w):
    token = token_for(w.admin)
    assert set(ids(get(client, "/saisines", token))) == {
        w.published_saisine.id,
        w.unpublished_saisine.id,
    }
    assert get(client, f"/saisines/{w.unpublished_saisine.id}", token).status_code == 200
    assert get(client, f"/saisines/{w.draft_saisine.id}", token).status_code == 404


def test_a_citizen_token_sees_what_anonymous_sees(client, w):
    token = token_for(w.citizen)
    assert ids(get(client, "/saisines", token)) == [w.published_saisine.id]
    assert ids(get(client, "/meetings", token)) == [w.public_meeting.id]
    assert ids(get(client, "/consultations", token)) == [w.consultation.id]
    assert ids(get(client, "/ami/calls", token)) == [w.call.id]


def test_meetings_show_public_minutes_opinions_and_vote_counts(client, w):
    data = get(client, "/meetings").get_json()["data"]
    assert [m["id"] for m in data] == [w.public_meeting.id]
    item = data[0]["items"][0]
    assert item["adopted"] is True
    assert item["votes"] == {"for": 1, "against": 0, "abstain": 0, "not_voting": 0}
    assert item["opinion"] == "Avis favorable de la conférence des maires."
    assert get(client, f"/meetings/{w.private_meeting.id}").status_code == 404
    token = token_for(w.admin)
    assert get(client, f"/meetings/{w.private_meeting.id}", token).status_code == 200
    assert len(ids(get(client, "/meetings", token))) == 2


def test_a_body_member_token_reads_the_non_public_minutes_of_their_body(client, w):
    token = token_for(w.mayor)
    assert get(client, f"/meetings/{w.private_meeting.id}", token).status_code == 200


def test_consultations_show_published_proposals_with_names_only_when_signed(client, w):
    assert ids(get(client, "/consultations")) == [w.consultation.id]
    assert get(client, f"/consultations/{w.hidden_consultation.id}").status_code == 404
    detail = get(client, f"/consultations/{w.consultation.id}").get_json()["data"]
    assert detail["proposals"] == 2 and detail["phase"] == "contributions"
    data = get(client, f"/consultations/{w.consultation.id}/proposals").get_json()["data"]
    authors = {p["title"]: p["author"] for p in data}
    assert authors == {
        "Une piste cyclable le long de la Souchez": SHOWN_NAME,
        "Des bancs à l'ombre": None,
    }
    token = token_for(w.admin)
    assert get(client, f"/consultations/{w.hidden_consultation.id}", token).status_code == 200
    admin_data = get(client, f"/consultations/{w.consultation.id}/proposals", token)
    assert len(admin_data.get_json()["data"]) == 2  # hidden ones stay with moderation


def test_the_councils_transmitted_contributions_and_their_follow_up(client, w):
    body = get(client, "/council/contributions").get_json()
    assert [c["id"] for c in body["data"]] == [w.council.id]
    data = body["data"][0]
    assert data["votes"] == {"for": 12, "against": 1, "abstain": 2}
    assert data["follow_up"]["status"] == "pending" and data["follow_up"]["due_on"] == "2027-03-01"
    assert get(client, f"/council/contributions/{w.council.id}").status_code == 200
    assert get(client, f"/council/contributions/{w.council_draft.id}").status_code == 404
    token = token_for(w.admin)
    assert get(client, f"/council/contributions/{w.council_draft.id}", token).status_code == 404


def test_ami_shows_funded_projects_only_once_notified(client, w):
    calls = get(client, "/ami/calls").get_json()["data"]
    assert [c["id"] for c in calls] == [w.call.id]
    assert calls[0]["funded_projects"] == 1 and calls[0]["granted_total"] == 12345.0
    projects = get(client, f"/ami/calls/{w.call.id}/projects").get_json()["data"]
    assert [p["title"] for p in projects] == ["Atelier numérique"]
    assert projects[0]["association"] == "Lens Solidarité" and projects[0]["granted"] == 12345.0
    assert get(client, "/ami/projects").get_json()["meta"]["total"] == 1
    assert get(client, f"/ami/calls/{w.hidden_call.id}").status_code == 404
    assert get(client, f"/ami/calls/{w.hidden_call.id}", token_for(w.admin)).status_code == 200


def test_dossiers_show_public_ones_with_their_timeline(client, w):
    assert ids(get(client, "/dossiers")) == [w.dossier.id]
    assert get(client, f"/dossiers/{w.private_dossier.id}").status_code == 404
    data = get(client, f"/dossiers/{w.dossier.id}").get_json()["data"]
    assert data["stage"] == "decision" and data["decision"]["number"] == "DEL-2026-112"
    assert data["decision"]["decided_on"] == "2026-11-30"
    kinds = [item["type"] for item in data["timeline"]]
    assert kinds[-1] == "deliberation" and "consultation" in kinds and "stage" in kinds
    entry = next(i["entry"] for i in data["timeline"] if i["type"] == "consultation")
    assert entry["kind"] == "saisine" and "url" not in entry
    assert all("moved_by" not in item for item in data["timeline"])
    assert ids(get(client, "/dossiers?stage=decision")) == [w.dossier.id]
    assert get(client, "/dossiers?stage=impulse").get_json()["data"] == []
    bad = get(client, "/dossiers?stage=nowhere")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "stage"


def test_an_admin_token_sees_every_dossier_and_who_moved_it(client, w):
    token = token_for(w.admin)
    assert set(ids(get(client, "/dossiers", token))) == {w.dossier.id, w.private_dossier.id}
    assert get(client, f"/dossiers/{w.private_dossier.id}", token).status_code == 200
    timeline = get(client, f"/dossiers/{w.dossier.id}", token).get_json()["data"]["timeline"]
    assert any(item.get("moved_by") for item in timeline)


def test_a_revoked_token_is_refused_with_a_401_in_json(client, w):
    token = token_for(w.admin)
    services.revoke_token(w.admin, services_token(w.admin), utcnow())
    db.session.commit()
    response = get(client, "/saisines", token)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def services_token(user):
    from opendata.queries import tokens_of

    return tokens_of(user)[0]


def test_unknown_or_malformed_tokens_are_refused(client, org):
    for header in ("Bearer nope", "Basic abc", "Bearer ", "Bearer a b"):
        response = client.get("/api/v1/communes", base_url=BASE, headers={"Authorization": header})
        assert response.status_code == 401, header


def test_a_token_of_a_deactivated_person_is_refused(client, w):
    token = token_for(w.admin)
    w.admin.active = False
    db.session.commit()
    assert get(client, "/communes", token).status_code == 401


def test_a_token_is_refused_on_another_organisation(client, w, other_org):
    other_org_admin = factories.user(other_org, Role.ADMIN)
    token = token_for(other_org_admin)
    assert get(client, "/saisines", token).status_code == 401
    assert get(client, "/communes", token, host=f"http://{OTHER_HOST}").status_code == 200


def test_another_organisation_sees_none_of_this_ones_data(client, w, other_org):
    other = f"http://{OTHER_HOST}"
    assert get(client, "/saisines", host=other).get_json()["data"] == []
    assert get(client, f"/saisines/{w.published_saisine.id}", host=other).status_code == 404
    assert get(client, f"/meetings/{w.public_meeting.id}", host=other).status_code == 404
    assert get(client, f"/consultations/{w.consultation.id}", host=other).status_code == 404
    assert get(client, f"/ami/calls/{w.call.id}/projects", host=other).status_code == 404
    assert get(client, "/communes", host=other).get_json()["meta"]["total"] == 83


def test_a_session_cookie_gives_no_access_to_the_api(client, w, login):
    login(client, w.admin, host=HOST)
    assert ids(get(client, "/saisines")) == [w.published_saisine.id]


def test_the_tokens_last_use_is_recorded_and_its_answers_are_not_cached(client, w):
    token = token_for(w.admin)
    response = get(client, "/communes", token)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Authorization" in response.headers["Vary"]
    db.session.expire_all()
    assert services_token(w.admin).last_used_at is not None


def test_lists_cost_a_bounded_number_of_queries(client, w, count_queries):
    token = token_for(w.admin)
    for path in (
        "/communes",
        "/saisines",
        "/meetings",
        "/consultations",
        "/ami/calls",
        "/ami/projects",
        "/dossiers",
        "/council/contributions",
    ):
        with count_queries() as counter:
            assert get(client, f"{path}?per_page=200", token).status_code == 200
        # the token's holder, the page, its eager loads and the total: a constant
        assert counter.count <= 16, (path, counter.statements)


def test_more_rows_cost_no_more_queries(client, w, count_queries):
    from tests.opendata.data import more_rows

    def costs():
        result = []
        for path in ("/meetings", "/ami/projects", f"/consultations/{w.consultation.id}/proposals"):
            with count_queries() as counter:
                assert get(client, path).status_code == 200
            result.append(counter.count)
        return result

    before = costs()
    more_rows(w)
    assert costs() == before


def test_the_api_is_rate_limited(client, org, app):
    from app.extensions import limiter

    app.config["API_RATE_LIMIT"] = "3 per minute"
    limiter.enabled = True
    limiter.reset()
    try:
        codes = [get(client, "/organisation").status_code for _ in range(3)]
        # another token each time does not escape the limit
        codes.append(get(client, "/organisation", token="cct_guess").status_code)
    finally:
        app.config["API_RATE_LIMIT"] = "120 per minute;3000 per hour"
        limiter.enabled = False
        limiter.reset()
    assert codes == [200, 200, 200, 429]
