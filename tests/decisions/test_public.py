"""The public pages of the decision path: the list of public dossiers with its filters, each
dossier's page, the Atom feed, and the plain data given to the open-data API."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.db import db
from app.uploads import services as uploads
from app.users.models import Role
from decisions import queries, services
from decisions.models import DecisionStage, DeliberationResult, DossierDocument
from tests import factories
from tests.decisions.conftest import make_dossier

ATOM = "{http://www.w3.org/2005/Atom}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _decide(org, admin, dossier, number="DEL-1"):
    services.record_deliberation(
        admin,
        org,
        dossier,
        services.DeliberationData(
            "Conseil communautaire",
            datetime(2026, 9, 29).date(),
            number,
            DeliberationResult.ADOPTED,
            "<p>Adopté.</p>",
        ),
        None,
    )
    db.session.commit()


def test_the_public_list_shows_only_public_dossiers_with_their_stage(client, org, admin):
    make_dossier(org, admin, title="Pacte de gouvernance", stage=DecisionStage.CONSULTATION)
    make_dossier(org, admin, title="Projet confidentiel", public=False)
    page = client.get("/decisions/").get_data(as_text=True)
    assert "Pacte de gouvernance" in page and "Concertation" in page
    assert "Projet confidentiel" not in page
    assert 'type="application/atom+xml"' in page
    assert 'href="/decisions/"' in client.get("/").get_data(as_text=True)  # footer link


def test_the_public_list_filters_by_stage_commission_text_and_year(client, org, admin):
    make_dossier(org, admin, title="Pacte de gouvernance", commission="Gouvernance")
    make_dossier(
        org, admin, title="PCAET", commission="Transition", stage=DecisionStage.CONSULTATION
    )
    make_dossier(org, admin, title="Voirie 100% sûre", commission="Transition")

    def titles(query):
        page = client.get(f"/decisions/?{query}").get_data(as_text=True)
        return {t for t in ("Pacte de gouvernance", "PCAET", "Voirie 100% sûre") if t in page}

    assert titles("etape=consultation") == {"PCAET"}
    assert titles("commission=Transition") == {"PCAET", "Voirie 100% sûre"}
    assert titles("q=pacte") == {"Pacte de gouvernance"}
    assert titles("q=100%25") == {"Voirie 100% sûre"}  # % is a character, not a wildcard
    year = datetime.now(UTC).year
    assert len(titles(f"annee={year}")) == 3
    assert titles(f"annee={year - 5}") == set()
    # nonsense in the query string is ignored, never a server error
    assert client.get("/decisions/?etape=nope&annee=abc&page=zz").status_code == 200
    assert client.get("/decisions/?q=%00&commission=%00&annee=%C2%B2").status_code == 200


def test_the_public_list_is_paginated_with_a_bounded_number_of_queries(
    client, org, admin, count_queries
):
    make_dossier(org, admin, title="Dossier 0")
    _decide(org, admin, make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION))
    with count_queries() as few:
        assert client.get("/decisions/").status_code == 200
    for n in range(1, 25):
        make_dossier(org, admin, title=f"Dossier {n}")
    with count_queries() as many:
        response = client.get("/decisions/")
    assert response.status_code == 200
    assert many.count == few.count
    assert "Page 1 sur 2" in response.get_data(as_text=True)
    assert "Page 2 sur 2" in client.get("/decisions/?page=2").get_data(as_text=True)


def test_a_dossier_that_is_not_public_is_not_found_by_the_public(client, login, org, admin):
    hidden = make_dossier(org, admin, public=False)
    stored = uploads.store(_upload(), org.id, admin.id)
    hidden.documents.append(DossierDocument(file=stored))
    db.session.commit()
    document = f"/decisions/{hidden.id}/documents/{hidden.documents[0].id}"
    assert client.get(f"/decisions/{hidden.id}").status_code == 404
    assert client.get(document).status_code == 404
    login(client, factories.user(org, Role.CITIZEN))
    assert client.get(f"/decisions/{hidden.id}").status_code == 404
    assert client.get(document).status_code == 404
    login(client, admin)
    response = client.get(document)
    assert response.status_code == 200
    response.close()


def test_another_organisations_public_pages_do_not_show_the_dossier(client, org, other_org, admin):
    dossier = make_dossier(org, admin)
    assert client.get(f"http://carcassonne.test/decisions/{dossier.id}").status_code == 404
    page = client.get("http://carcassonne.test/decisions/").get_data(as_text=True)
    assert "Schéma de mutualisation" not in page
    feed = client.get("http://carcassonne.test/decisions/flux.atom").get_data(as_text=True)
    assert "Schéma de mutualisation" not in feed


def test_the_public_page_shows_elected_officials_but_not_the_agents(client, org, admin, vp):
    dossier = make_dossier(org, admin, lead_user_id=vp.id, lead_name="")
    services.move_stage(admin, org, dossier, DecisionStage.WORK)
    db.session.commit()
    page = client.get(f"/decisions/{dossier.id}").get_data(as_text=True)
    assert "Élue Martin" in page  # the leading vice-president
    assert "Agente Dupont" not in page and "agent@epci.fr" not in page
    assert "Travail en commission" in page


def test_the_feed_is_valid_atom_with_stage_moves_and_deliberations(client, org, admin):
    tricky = "Dossier <b>&</b> \x00\x0b « quotes \" ' » \ufffe fin"
    dossier = make_dossier(org, admin, title=tricky, stage=DecisionStage.PRE_VALIDATION)
    _decide(org, admin, dossier, number="DEL-2026-045")
    make_dossier(org, admin, title="Confidentiel", public=False)
    response = client.get("/decisions/flux.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 6  # creation, three moves, the move to decision, the deliberation
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert any("DEL-2026-045" in t for t in titles)
    assert all("Dossier <b>&</b>  « quotes" in t for t in titles)
    assert not any("Confidentiel" in t for t in titles)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.find(f"{ATOM}updated").text.endswith("Z")
        assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/decisions/")


def test_the_feed_of_an_organisation_without_dossiers_is_still_valid(client, org, admin):
    root = ET.fromstring(client.get("/decisions/flux.atom").data)
    assert root.findall(f"{ATOM}entry") == []


def test_public_dossiers_and_timeline_give_plain_data(app, org, admin, closed_saisine):
    closed_saisine.results_published = True
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    services.attach(admin, org, dossier, "saisine", closed_saisine.id)
    _decide(org, admin, dossier)
    make_dossier(org, admin, title="Caché", public=False)
    page = queries.public_dossiers(org, stage="decision")
    assert page.total == 1 and page.items[0].decision.number == "DEL-1"
    data = page.items[0].as_dict()
    assert data["stage"] == "decision" and data["decision"]["result"] == "adopted"
    assert queries.public_dossiers(org, text="Caché").total == 0
    with app.test_request_context():
        items = queries.timeline(dossier)
    assert [i.type for i in items][-1] == "deliberation"
    consultation = next(i for i in items if i.type == "consultation")
    public = consultation.as_dict()
    assert public["entry"]["counts"]["targets"] == 36 and "url" not in public["entry"]
    assert all("moved_by" not in i.as_dict() for i in items)


def _upload():
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(PDF), filename="annexe.pdf")


def test_a_result_not_yet_published_shows_only_its_title_to_the_public(
    client, login, org, admin, closed_saisine
):
    from consultations.saisines import services as saisine_services

    dossier = make_dossier(org, admin, stage=DecisionStage.CONSULTATION)
    services.attach(admin, org, dossier, "saisine", closed_saisine.id)
    db.session.commit()
    page = client.get(f"/decisions/{dossier.id}").get_data(as_text=True)
    assert closed_saisine.title in page and "Résultat pas encore rendu public." in page
    assert "avis tacites" not in page
    [item] = [i for i in queries.timeline(dossier) if i.type == "consultation"]
    assert item.as_dict()["entry"]["counts"] == {} and item.as_dict()["entry"]["summary"] == ""
    login(client, admin)
    assert "avis tacites" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    saisine_services.publish_results(admin, closed_saisine, True)
    db.session.commit()
    login(client, factories.user(org, Role.CITIZEN))
    assert "avis tacites" in client.get(f"/decisions/{dossier.id}").get_data(as_text=True)
