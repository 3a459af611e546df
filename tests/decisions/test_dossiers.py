"""The admins' pages of the decision path: dossiers, stage moves, attached consultations and
the deliberation, for every role."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.db import db
from app.users.models import Role
from decisions import queries, services
from decisions.models import DecisionStage, DeliberationResult, Dossier, DossierLink, StageMove
from tests import factories
from tests.decisions.conftest import make_dossier

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
BASE = "/dossiers"


def _pages(dossier) -> dict[str, str]:
    return {
        "index": f"{BASE}/",
        "create": f"{BASE}/nouveau",
        "detail": f"{BASE}/{dossier.id}",
        "edit": f"{BASE}/{dossier.id}/modifier",
        "deliberation": f"{BASE}/{dossier.id}/deliberation",
    }


def _posts(dossier) -> dict[str, tuple[str, dict]]:
    return {
        "create": (f"{BASE}/nouveau", {"title": "Intrus"}),
        "edit": (f"{BASE}/{dossier.id}/modifier", {"title": "Intrus"}),
        "move": (f"{BASE}/{dossier.id}/etape", {"to_stage": "decision"}),
        "attach": (f"{BASE}/{dossier.id}/rattacher", {"item": "saisine:1"}),
        "detach": (f"{BASE}/{dossier.id}/rattachements/1/detacher", {}),
        "remove_document": (f"{BASE}/{dossier.id}/documents/1/supprimer", {}),
        "deliberation": (
            f"{BASE}/{dossier.id}/deliberation",
            {"body_name": "Conseil", "decided_on": "2026-01-01", "number": "1"},
        ),
    }


# --- who may do what ------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_the_login_page(client, org, admin):
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    for name, url in _pages(dossier).items():
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, name
    for name, (url, data) in _posts(dossier).items():
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.location, name
    assert db.session.scalar(select(func.count(Dossier.id))) == 1


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.MAYOR, Role.VICE_PRESIDENT])
def test_people_who_are_not_admins_are_refused(client, login, org, admin, role):
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    login(client, factories.user(org, role))
    for name, url in _pages(dossier).items():
        assert client.get(url).status_code == 403, name
    for name, (url, data) in _posts(dossier).items():
        assert client.post(url, data=data).status_code == 403, name
    assert db.session.get(Dossier, dossier.id).title == "Schéma de mutualisation"
    assert "/dossiers/" not in client.get("/").get_data(as_text=True)


def test_another_organisations_admin_finds_nothing(client, login, org, other_org, admin):
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    stranger = factories.user(other_org, Role.ADMIN)
    login(client, stranger, host="carcassonne.test")
    for name, url in _pages(dossier).items():
        response = client.get(f"http://carcassonne.test{url}")
        assert response.status_code == (200 if name in ("index", "create") else 404), name
    for name, (url, data) in _posts(dossier).items():
        if name == "create":
            continue
        assert client.post(f"http://carcassonne.test{url}", data=data).status_code == 404, name
    assert "Schéma de mutualisation" not in client.get(
        "http://carcassonne.test/dossiers/"
    ).get_data(as_text=True)
    assert db.session.scalar(select(func.count(StageMove.id))) == 4  # nothing moved


def test_the_admin_menu_and_home_link_to_the_dossiers(client, login, org, admin):
    make_dossier(org, admin, stage=DecisionStage.CONSULTATION)
    login(client, admin)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/dossiers/"' in page and 'href="/decisions/"' in page
    assert "Dossiers en cours du schéma décisionnel" in page
    assert "Concertation : 1 dossier" in page and 'href="/dossiers/?etape=consultation"' in page


# --- creating and editing ---------------------------------------------------------------------


def test_an_admin_creates_a_dossier_with_a_document_and_it_starts_at_impulse(
    client, login, org, admin, vp
):
    login(client, admin)
    assert client.get(f"{BASE}/nouveau").status_code == 200
    response = client.post(
        f"{BASE}/nouveau",
        data={
            "title": "Pacte de gouvernance",
            "summary": "Premier paragraphe.\n\nSecond <script>alert(1)</script>",
            "lead_user_id": str(vp.id),
            "commission": "Commission gouvernance",
            "public": "y",
            "documents": [(io.BytesIO(PDF), "projet.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    dossier = db.session.scalar(select(Dossier))
    assert dossier.stage is DecisionStage.IMPULSE and dossier.public
    assert dossier.lead_label == "Élue Martin"
    assert "<script>" not in dossier.summary and "<p>Premier paragraphe.</p>" in dossier.summary
    assert [(m.from_stage, m.to_stage, m.moved_by_id) for m in dossier.moves] == [
        (None, DecisionStage.IMPULSE, admin.id)
    ]
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "decisions.dossier_create")
    )
    page = client.get(response.location).get_data(as_text=True)
    assert "Pacte de gouvernance" in page and "projet.pdf" in page and "Agente Dupont" in page
    document = dossier.documents[0]
    download = client.get(f"/decisions/{dossier.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()


def test_a_wrong_form_keeps_what_was_typed_and_says_why(client, login, org, admin):
    login(client, admin)
    response = client.post(
        f"{BASE}/nouveau",
        data={"title": "", "summary": "Mon résumé soigné", "commission": "Commission X"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page
    assert "Mon résumé soigné" in page and 'value="Commission X"' in page
    assert db.session.scalar(select(func.count(Dossier.id))) == 0


def test_a_file_that_is_not_a_document_is_refused_with_a_message(client, login, org, admin):
    login(client, admin)
    response = client.post(
        f"{BASE}/nouveau",
        data={
            "title": "Dossier",
            "documents": [(io.BytesIO(b"#!/bin/sh\necho hi"), "faux.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "faux.pdf" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Dossier.id))) == 0


def test_a_lead_who_is_not_a_vice_president_of_the_organisation_is_refused(org, other_org, admin):
    stranger = factories.user(other_org, Role.VICE_PRESIDENT)
    with pytest.raises(services.DecisionError):
        services.create_dossier(
            admin, org, services.DossierData("T", "", stranger.id, "", "", False), []
        )


def test_an_admin_edits_the_dossier_and_removes_a_document(client, login, org, admin):
    login(client, admin)
    dossier = make_dossier(org, admin, public=False)
    assert client.get(f"{BASE}/{dossier.id}/modifier").status_code == 200
    response = client.post(
        f"{BASE}/{dossier.id}/modifier",
        data={
            "title": "Nouveau titre",
            "lead_name": "M. le vice-président",
            "public": "y",
            "documents": [(io.BytesIO(PDF), "annexe.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.title == "Nouveau titre" and dossier.public and len(dossier.documents) == 1
    document_id = dossier.documents[0].id
    assert client.post(f"{BASE}/{dossier.id}/documents/{document_id}/supprimer").status_code == 302
    db.session.refresh(dossier)
    assert dossier.documents == []


# --- moving along the stages ----------------------------------------------------------------


def test_each_move_is_recorded_and_going_back_needs_a_reason(client, login, org, admin):
    login(client, admin)
    dossier = make_dossier(org, admin)
    assert client.post(f"{BASE}/{dossier.id}/etape", data={"to_stage": "work"}).status_code == 302
    assert (
        client.post(f"{BASE}/{dossier.id}/etape", data={"to_stage": "consultation"}).status_code
        == 302
    )
    refused = client.post(f"{BASE}/{dossier.id}/etape", data={"to_stage": "work"})
    assert refused.status_code == 422
    assert "Indiquez pourquoi le dossier revient" in refused.get_data(as_text=True)
    skipped = client.post(f"{BASE}/{dossier.id}/etape", data={"to_stage": "decision"})
    assert skipped.status_code == 422
    back = client.post(
        f"{BASE}/{dossier.id}/etape", data={"to_stage": "work", "reason": "Revoir le budget"}
    )
    assert back.status_code == 302
    db.session.refresh(dossier)
    assert [m.to_stage.value for m in dossier.moves] == ["impulse", "work", "consultation", "work"]
    assert dossier.moves[-1].reason == "Revoir le budget"
    assert dossier.moves[-1].moved_by_id == admin.id and dossier.moves[-1].moved_at is not None
    page = client.get(f"{BASE}/{dossier.id}").get_data(as_text=True)
    assert "Motif : Revoir le budget" in page


# --- attaching consultations ----------------------------------------------------------------


def test_every_kind_can_be_attached_and_the_timeline_shows_its_result(
    client, login, org, admin, closed_saisine, agenda_item, referral, ended_consultation
):
    login(client, admin)
    dossier = make_dossier(org, admin, stage=DecisionStage.CONSULTATION)
    page = client.get(f"{BASE}/{dossier.id}").get_data(as_text=True)
    for value in (
        f"saisine:{closed_saisine.id}",
        f"agenda_item:{agenda_item.id}",
        f"council_referral:{referral.id}",
        f"citizen_consultation:{ended_consultation.id}",
    ):
        assert f'value="{value}"' in page
        response = client.post(f"{BASE}/{dossier.id}/rattacher", data={"item": value})
        assert response.status_code == 302, value
    again = client.post(
        f"{BASE}/{dossier.id}/rattacher", data={"item": f"saisine:{closed_saisine.id}"}
    )
    assert again.status_code == 422
    assert "déjà rattachée" in again.get_data(as_text=True)
    page = client.get(f"{BASE}/{dossier.id}").get_data(as_text=True)
    assert closed_saisine.title in page and "avis tacites" in page
    assert "Avis sur le schéma" in page and "Vote pas encore clos" in page
    assert "Projet de territoire" in page and "Aucune contribution adoptée" in page
    assert "Bords de la Souchez" in page and "0 contribution(s) publiée(s)" in page
    kinds = {item.entry.kind: item.entry for item in queries.timeline(dossier) if item.entry}
    assert kinds["saisine"].counts["tacit"] == 36 and not kinds["saisine"].is_open
    assert kinds["agenda_item"].is_open  # the meeting has not been held
    assert not kinds["council_referral"].is_open  # its deadline has passed
    assert not kinds["citizen_consultation"].is_open
    link = db.session.scalar(select(DossierLink).where(DossierLink.kind == "agenda_item"))
    assert client.post(f"{BASE}/{dossier.id}/rattachements/{link.id}/detacher").status_code == 302
    assert db.session.scalar(select(func.count(DossierLink.id))) == 3


def test_an_item_of_another_organisation_cannot_be_attached(client, login, org, other_org, admin):
    foreign = factories.saisine(other_org, factories.user(other_org, Role.ADMIN))
    login(client, admin)
    dossier = make_dossier(org, admin)
    response = client.post(f"{BASE}/{dossier.id}/rattacher", data={"item": f"saisine:{foreign.id}"})
    assert response.status_code == 422
    with pytest.raises(services.DecisionError) as refused:
        services.attach(admin, org, dossier, "saisine", foreign.id)
    assert refused.value.code == "unknown_item"
    with pytest.raises(services.DecisionError):
        services.attach(admin, org, dossier, "no_such_kind", 1)
    assert db.session.scalar(select(func.count(DossierLink.id))) == 0


# --- the decision ---------------------------------------------------------------------------


def test_the_decision_stage_waits_for_open_consultations_unless_a_reason_is_recorded(
    client, login, org, admin, open_saisine
):
    login(client, admin)
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    services.attach(admin, org, dossier, "saisine", open_saisine.id)
    db.session.commit()
    refused = client.post(f"{BASE}/{dossier.id}/etape", data={"to_stage": "decision"})
    assert refused.status_code == 422
    assert open_saisine.title in refused.get_data(as_text=True)
    db.session.refresh(dossier)
    assert dossier.stage is DecisionStage.PRE_VALIDATION
    allowed = client.post(
        f"{BASE}/{dossier.id}/etape",
        data={"to_stage": "decision", "override_reason": "Délai légal de la loi"},
    )
    assert allowed.status_code == 302
    db.session.refresh(dossier)
    assert dossier.stage is DecisionStage.DECISION
    assert dossier.moves[-1].override_reason == "Délai légal de la loi"
    public = client.get(f"/decisions/{dossier.id}").get_data(as_text=True)
    assert "Motif : Délai légal de la loi" in public


def test_an_override_reason_without_open_consultations_is_not_kept(org, admin, closed_saisine):
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    services.attach(admin, org, dossier, "saisine", closed_saisine.id)
    move = services.move_stage(admin, org, dossier, DecisionStage.DECISION, "", "inutile")
    assert move.override_reason == ""


def test_the_deliberation_closes_the_dossier_and_says_what_prepared_it(
    client, login, org, admin, closed_saisine, referral
):
    login(client, admin)
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    services.attach(admin, org, dossier, "saisine", closed_saisine.id)
    services.attach(admin, org, dossier, "council_referral", referral.id)
    db.session.commit()
    assert client.get(f"{BASE}/{dossier.id}/deliberation").status_code == 200
    empty = client.post(
        f"{BASE}/{dossier.id}/deliberation",
        data={
            "body_name": "Conseil communautaire",
            "decided_on": "2026-09-29",
            "number": "DEL-2026-12",
            "result": "adopted",
        },
    )
    assert empty.status_code == 200
    assert "Saisissez le texte de la délibération" in empty.get_data(as_text=True)
    assert 'value="DEL-2026-12"' in empty.get_data(as_text=True)
    response = client.post(
        f"{BASE}/{dossier.id}/deliberation",
        data={
            "body_name": "Conseil communautaire",
            "decided_on": "2026-09-29",
            "number": "DEL-2026-12",
            "result": "adopted",
            "text": "Le conseil adopte le schéma.<img src=x onerror=alert(1)>",
        },
    )
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.closed_at is not None and dossier.stage is DecisionStage.DECISION
    assert "onerror" not in dossier.deliberation.text
    assert dossier.moves[-1].to_stage is DecisionStage.DECISION
    for url in (f"{BASE}/{dossier.id}", f"/decisions/{dossier.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "Cette décision a été préparée par :" in page
        assert closed_saisine.title in page and "Projet de territoire" in page
        assert "DEL-2026-12" in page and "Adoptée" in page
    # a closed dossier moves no more, takes no attachment and no second deliberation
    assert client.post(f"{BASE}/{dossier.id}/etape", data={"to_stage": "work"}).status_code == 422
    with pytest.raises(services.DecisionError):
        services.attach(admin, org, dossier, "saisine", closed_saisine.id)
    assert client.get(f"{BASE}/{dossier.id}/deliberation").status_code == 302


def test_a_deliberation_given_as_a_pdf_is_served_and_the_override_is_recorded(
    client, login, org, admin, open_saisine
):
    login(client, admin)
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    services.attach(admin, org, dossier, "saisine", open_saisine.id)
    db.session.commit()
    data = {
        "body_name": "Bureau communautaire",
        "decided_on": "2026-10-02",
        "number": "B-7",
        "result": "deferred",
    }
    refused = client.post(
        f"{BASE}/{dossier.id}/deliberation",
        data={**data, "file": (io.BytesIO(PDF), "deliberation.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200 and "encore en cours" in refused.get_data(as_text=True)
    assert db.session.get(Dossier, dossier.id).closed_at is None
    accepted = client.post(
        f"{BASE}/{dossier.id}/deliberation",
        data={
            **data,
            "override_reason": "Urgence budgétaire",
            "file": (io.BytesIO(PDF), "deliberation.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 302
    db.session.refresh(dossier)
    assert dossier.deliberation.override_reason == "Urgence budgétaire"
    assert dossier.moves[-1].override_reason == "Urgence budgétaire"
    pdf = client.get(f"/decisions/{dossier.id}/deliberation.pdf")
    assert pdf.status_code == 200 and pdf.data == PDF and pdf.mimetype == "application/pdf"
    pdf.close()


def test_a_deliberation_file_must_be_a_pdf(client, login, org, admin):
    login(client, admin)
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = client.post(
        f"{BASE}/{dossier.id}/deliberation",
        data={
            "body_name": "Conseil",
            "decided_on": "2026-10-02",
            "number": "1",
            "result": "adopted",
            "file": (io.BytesIO(png), "image.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert db.session.get(Dossier, dossier.id).closed_at is None


def test_no_deliberation_before_the_pre_validation(client, login, org, admin):
    login(client, admin)
    dossier = make_dossier(org, admin, stage=DecisionStage.CONSULTATION)
    response = client.get(f"{BASE}/{dossier.id}/deliberation")
    assert response.status_code == 302
    assert "après la pré-validation, sur un dossier non clos" in client.get(
        response.location
    ).get_data(as_text=True)


def test_posting_without_the_csrf_token_is_refused(client, login, org, admin, csrf_on):
    login(client, admin)
    dossier = make_dossier(org, admin)
    response = client.post(f"{BASE}/{dossier.id}/etape", data={"to_stage": "work"})
    assert response.status_code == 400
    assert db.session.get(Dossier, dossier.id).stage is DecisionStage.IMPULSE


def test_the_forms_suggest_the_organisations_commissions_and_deciding_bodies(
    client, login, org, admin
):
    from consultations.bodies import services as body_services
    from consultations.bodies.models import BodyKind

    with current_app.test_request_context():
        body_services.create_body(admin, org, BodyKind.COMMISSION, "Commission mobilités")
    db.session.commit()
    login(client, admin)
    page = client.get(f"{BASE}/nouveau").get_data(as_text=True)
    assert 'list="commission-suggestions"' in page
    assert '<option value="Commission mobilités">' in page
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    page = client.get(f"{BASE}/{dossier.id}/deliberation").get_data(as_text=True)
    assert '<option value="Conseil communautaire">' in page


def test_a_wrong_date_is_explained_in_french_and_nothing_typed_is_lost(client, login, org, admin):
    login(client, admin)
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    response = client.post(
        f"{BASE}/{dossier.id}/deliberation",
        data={
            "body_name": "Conseil communautaire",
            "decided_on": "31/02/2026",
            "number": "DEL-9",
            "result": "adopted",
            "text": "Texte déjà saisi",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not a valid" not in page and "date" in page.lower()
    assert "Texte déjà saisi" in page and 'value="DEL-9"' in page
    assert db.session.get(Dossier, dossier.id).closed_at is None


def test_each_business_action_writes_an_audit_entry(org, admin, closed_saisine):
    dossier = make_dossier(org, admin, stage=DecisionStage.PRE_VALIDATION)
    link = services.attach(admin, org, dossier, "saisine", closed_saisine.id)
    services.detach(admin, org, dossier, link)
    services.attach(admin, org, dossier, "saisine", closed_saisine.id)
    services.record_deliberation(
        admin,
        org,
        dossier,
        services.DeliberationData(
            "Conseil", date(2026, 9, 29), "D-1", DeliberationResult.REJECTED, "<p>Non.</p>"
        ),
        None,
    )
    db.session.commit()
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {
        "decisions.dossier_create",
        "decisions.stage_move",
        "decisions.attach",
        "decisions.detach",
        "decisions.deliberation",
    } <= actions
    assert dossier.stage is DecisionStage.DECISION and dossier.closed_at is not None


def test_the_admin_list_costs_the_same_queries_for_2_or_20_dossiers(
    client, login, org, admin, count_queries
):
    login(client, admin)
    make_dossier(org, admin, title="Dossier A")
    make_dossier(org, admin, title="Dossier B", public=False)
    with count_queries() as few:
        assert client.get(f"{BASE}/").status_code == 200
    for n in range(18):
        make_dossier(org, admin, title=f"Dossier {n}", public=bool(n % 2))
    with count_queries() as many:
        page = client.get(f"{BASE}/").get_data(as_text=True)
    assert many.count == few.count
    assert "Dossier B" in page and "20 dossiers" in page
