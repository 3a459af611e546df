"""Personal data never appears in public responses; every response matches its schema; the
CSV exports for open data portals."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from jsonschema.validators import validator_for

from opendata import openapi
from tests.opendata.data import HOST, PHONE, SECRET_NAME, SHOWN_NAME, token_for, world

BASE = f"http://{HOST}"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE_NUMBER = re.compile(r"(?<!\d)0[1-9](?:[ .]?\d{2}){4}(?!\d)")
#: keys that would carry a person's identity or contact
PERSONAL_KEYS = {
    "email",
    "user_id",
    "author_id",
    "submitted_by",
    "submitted_by_id",
    "created_by_id",
    "ip_address",
    "phone",
    "contact_email",
    "contact_phone",
    "contact_name",
    "moved_by",
    "motivation",
}


@pytest.fixture
def w(org):
    return world(org)


def public_urls(w) -> list[str]:
    return [
        "/organisation",
        "/communes?per_page=200",
        "/saisines",
        f"/saisines/{w.published_saisine.id}",
        "/meetings",
        f"/meetings/{w.public_meeting.id}",
        "/consultations",
        f"/consultations/{w.consultation.id}",
        f"/consultations/{w.consultation.id}/proposals",
        "/ami/calls",
        f"/ami/calls/{w.call.id}",
        f"/ami/calls/{w.call.id}/projects",
        "/ami/projects",
        "/dossiers",
        f"/dossiers/{w.dossier.id}",
        "/council/contributions",
        f"/council/contributions/{w.council.id}",
    ]


CSV_URLS = [
    "/communes.csv",
    "/saisines.csv",
    "/meetings.csv",
    "/ami/projects.csv",
    "/dossiers.csv",
    "/council/contributions.csv",
]


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in keys(item)}
    return set()


def assert_nothing_personal(text: str, w, where: str) -> None:
    assert not EMAIL.findall(text), where
    assert not PHONE_NUMBER.findall(text), where
    for secret in (SECRET_NAME, "Maire Secret", "Claude Présidente", "192.0.2.44", PHONE):
        assert secret not in text, (where, secret)


@pytest.mark.parametrize("role", ["anonymous", "citizen"])
def test_no_public_response_holds_personal_data(client, w, role):
    token = token_for(w.citizen) if role == "citizen" else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    urls = public_urls(w) + CSV_URLS + [f"/consultations/{w.consultation.id}/proposals.csv"]
    for url in urls:
        response = client.get(f"/api/v1{url}", base_url=BASE, headers=headers)
        assert response.status_code == 200, url
        text = response.data.decode("utf-8-sig")
        assert_nothing_personal(text, w, url)
        if not url.endswith(".csv"):
            body = response.get_json()
            assert not keys(body) & PERSONAL_KEYS, url
            # no user id: the only numbers that identify records are of public records
            assert w.citizen.id not in _author_fields(body)
    # the one name shown is the one its author chose to sign with
    proposals = client.get(
        f"/api/v1/consultations/{w.consultation.id}/proposals", base_url=BASE, headers=headers
    )
    assert SHOWN_NAME in proposals.data.decode()


def _author_fields(body) -> list:
    return [item.get("author") for item in body.get("data", []) if isinstance(item, dict)]


def _validator(name: str):
    spec = json.loads(json.dumps(openapi.description("http://localhost/api/v1")))
    schema = {**spec["paths"][name]["get"]["responses"]["200"]["content"]["application/json"]}
    schema = {**schema["schema"], "components": spec["components"]}
    cls = validator_for({"$schema": "https://json-schema.org/draft/2020-12/schema"})
    return cls(schema)


def _spec_path(url: str) -> str:
    path = url.split("?")[0]
    path = re.sub(r"/saisines/\d+", "/saisines/{saisine_id}", path)
    path = re.sub(r"/meetings/\d+", "/meetings/{meeting_id}", path)
    path = re.sub(r"/consultations/\d+", "/consultations/{consultation_id}", path)
    path = re.sub(r"/ami/calls/\d+", "/ami/calls/{call_id}", path)
    path = re.sub(r"/council/contributions/\d+", "/council/contributions/{contribution_id}", path)
    return re.sub(r"/dossiers/\d+", "/dossiers/{dossier_id}", path)


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_every_response_with_data_matches_its_schema(client, w, role):
    token = token_for(w.admin) if role == "admin" else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for url in public_urls(w):
        body = client.get(f"/api/v1{url}", base_url=BASE, headers=headers).get_json()
        errors = list(_validator(_spec_path(url)).iter_errors(body))
        assert not errors, (url, [e.message for e in errors[:3]])


def read_csv(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_csv_cells_that_look_like_formulas_are_neutralised(client, w):
    from app.db import db

    w.consultation.title = "x"
    w.shown_proposal.title = '=HYPERLINK("http://evil")'
    db.session.commit()
    rows = read_csv(
        client.get(f"/api/v1/consultations/{w.consultation.id}/proposals.csv", base_url=BASE)
    )
    assert any(r[1].startswith("'=") for r in rows[1:])


def test_csv_exports_are_streamed_in_batches_with_bounded_queries(client, w, count_queries):
    from opendata.routes import exports

    with count_queries() as counter:
        response = client.get("/api/v1/communes.csv", base_url=BASE)
        assert response.is_streamed
        response.get_data()
    small = counter.count
    exports.BATCH, saved = 10, exports.BATCH
    try:
        with count_queries() as counter:
            client.get("/api/v1/communes.csv", base_url=BASE).get_data()
    finally:
        exports.BATCH = saved
    # 36 communes in batches of 10: four reads of a page and its sectors instead of one
    assert counter.count <= small + 3 * 2


@pytest.mark.parametrize("text", ["écrire à a.b@c.fr", "tél. 06.12.34.56.78", "0612345678"])
def test_the_walk_would_see_an_email_or_a_phone(text):
    with pytest.raises(AssertionError):
        assert_nothing_personal(text, None, "sample")


def test_each_csv_export_gives_the_public_rows_of_its_resource(client, w):
    """One world for every export (each costs a few seconds to build on PostgreSQL)."""
    # communes csv has a line per commune
    rows = read_csv(client.get("/api/v1/communes.csv", base_url=BASE))
    assert rows[0][:2] == ["Code INSEE", "Nom"] and len(rows) == 37

    # saisines csv counts opinions of published results only
    rows = read_csv(client.get("/api/v1/saisines.csv", base_url=BASE))
    assert [r[0] for r in rows[1:]] == ["PLUI-2026-01"]
    header = rows[0]
    reserves = header.index("Avis favorable_with_reservations (communes)")
    assert rows[1][reserves] == "1" and rows[1][header.index("Communes consultées")] == "36"
    admin_rows = read_csv(
        client.get(
            "/api/v1/saisines.csv",
            base_url=BASE,
            headers={"Authorization": f"Bearer {token_for(w.admin)}"},
        )
    )
    assert len(admin_rows) == 3

    # meetings csv has a line per item of public minutes
    rows = read_csv(client.get("/api/v1/meetings.csv", base_url=BASE))
    assert len(rows) == 2
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["Titre du point"] == "Avis sur le PLUi" and line["Adopté"] == "oui"
    assert line["Pour"] == "1" and line["Contre"] == "0"

    # proposals csv of a published consultation only
    rows = read_csv(
        client.get(f"/api/v1/consultations/{w.consultation.id}/proposals.csv", base_url=BASE)
    )
    assert len(rows) == 3 and SHOWN_NAME in [r[5] for r in rows]
    hidden = client.get(
        f"/api/v1/consultations/{w.hidden_consultation.id}/proposals.csv", base_url=BASE
    )
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "not_found"

    # ami projects csv gives notified grants in euros
    rows = read_csv(client.get("/api/v1/ami/projects.csv", base_url=BASE))
    assert len(rows) == 2
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["Projet"] == "Atelier numérique"
    assert line["Montant attribué (€)"] == "12345,00"

    # dossiers csv lists public dossiers with their decision
    rows = read_csv(client.get("/api/v1/dossiers.csv", base_url=BASE))
    assert len(rows) == 2
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["Titre"] == "PLUi" and line["Numéro de délibération"] == "DEL-2026-112"

    # council csv lists transmitted contributions
    rows = read_csv(client.get("/api/v1/council/contributions.csv", base_url=BASE))
    assert len(rows) == 2 and rows[1][1] == "Mobilités du quotidien" and rows[1][4] == "12"


def test_revoked_and_foreign_tokens_are_refused_on_every_endpoint(client, w, other_org):
    from app.db import db, utcnow
    from app.users.models import Role
    from opendata import services
    from opendata.queries import tokens_of
    from tests import factories

    revoked = token_for(w.citizen)
    services.revoke_token(w.citizen, tokens_of(w.citizen)[0], utcnow())
    db.session.commit()
    foreign = token_for(factories.user(other_org, Role.ADMIN))
    urls = public_urls(w) + CSV_URLS + ["/", "/openapi.json"]
    for token in (revoked, foreign):
        for url in urls:
            response = client.get(
                f"/api/v1{url}", base_url=BASE, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 401, url
            assert response.get_json()["error"]["code"] == "invalid_token"


def test_the_streamed_csv_is_the_same_file_as_the_shared_writer_makes():
    from decimal import Decimal

    from app.tabular import iter_csv, to_csv

    headers = ["Nom", "Montant"]
    rows = [["=SOMME(A1)", Decimal("12.50")], ["Liévin; centre", None], [None, 3]]
    assert b"".join(iter_csv(headers, rows)) == to_csv(headers, rows)
