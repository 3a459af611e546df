"""Eligibility: the EPCI's list of applications with the funding computation, the check of
one application and the e-mail to the association."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from ami.models import ApplicationStatus, Hearing
from ami.services import review as services
from ami.services.common import AmiError
from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.users.models import Role
from tests import factories
from tests.ami import factories as ami

OTHER = "http://carcassonne.test"


@pytest.fixture
def world(org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    call = ami.call(org)
    association, member = ami.association_member(org, "Femmes solidaires de Liévin")
    second = factories.user(org, Role.ASSOCIATION_MEMBER, association=association)
    other_association, other_member = ami.association_member(org, "Les Petits Débrouillards")
    application = ami.application(call, association, women_share=70)
    draft = ami.application(call, other_association, status=ApplicationStatus.DRAFT)
    return {
        "call": call,
        "association": association,
        "member": member,
        "second": second,
        "other_member": other_member,
        "application": application,
        "draft": draft,
        "admin": factories.user(org, Role.ADMIN),
        "jury": ami.jury_member(call).user,
        "stranger": factories.user(other_org, Role.ADMIN),
    }


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def urls(world) -> dict[str, str]:
    return {
        "list": f"/ami/gestion/appels/{world['call'].id}/candidatures",
        "application": f"/ami/gestion/candidatures/{world['application'].id}",
    }


CHECK = {
    "complete": "yes",
    "association_valid": "yes",
    "theme_in_call": "yes",
    "decision": "eligible",
    "reason": "",
}


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "application"])
def test_anonymous_is_sent_to_login(client, world, page):
    response = client.get(urls(world)[page])
    assert response.status_code == 302
    assert "connexion" in response.headers["Location"] or "login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["member", "jury"])
@pytest.mark.parametrize("page", ["list", "application"])
def test_associations_and_jury_members_may_not_review(client, login, world, who, page):
    login(client, world[who])
    assert client.get(urls(world)[page]).status_code == 403
    if page == "application":
        assert client.post(urls(world)[page], data=CHECK).status_code == 403
        assert world["application"].status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("page", ["list", "application"])
def test_another_organisations_admin_finds_nothing(client, login, world, page):
    login(client, world["stranger"], host="carcassonne.test")
    assert client.get(OTHER + urls(world)[page]).status_code == 404
    if page == "application":
        assert client.post(OTHER + urls(world)[page], data=CHECK).status_code == 404


def test_a_draft_cannot_be_reviewed(client, login, world):
    login(client, world["admin"])
    response = client.get(f"/ami/gestion/candidatures/{world['draft'].id}")
    assert response.status_code == 404


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_the_funding_computation_and_counts_drafts(client, login, world):
    login(client, world["admin"])
    page = text(client.get(urls(world)["list"]))
    application = world["application"]
    assert application.number in page
    assert "Femmes solidaires de Liévin" in page
    assert "80 %" in page and "bonification : Public de femmes" in page
    # 20 000 € budget at 80% = 16 000 €, the call's ceiling 15 000 €, asked 10 000 €
    assert "10\u202f000\u00a0€" in page
    assert "limité par le montant demandé" in page
    assert "1 brouillon en cours" in page
    assert world["draft"].title not in page


def test_the_list_filters_by_status_and_theme(client, login, world):
    call = world["call"]
    other = ami.application(call, world["association"], theme=call.themes[1], title="Numérique")
    login(client, world["admin"])
    page = text(client.get(urls(world)["list"] + f"?theme={call.themes[1].id}"))
    assert other.number in page and world["application"].number not in page
    page = text(client.get(urls(world)["list"] + "?statut=eligible"))
    assert other.number not in page and world["application"].number not in page
    assert client.get(urls(world)["list"] + "?statut=nimporte&theme=abc").status_code == 200


def test_the_list_issues_a_bounded_number_of_queries(client, login, world, count_queries):
    call = world["call"]
    login(client, world["admin"])
    qpv = ami.qpv(call_org(call))

    def measure() -> int:
        with count_queries() as counter:
            assert client.get(urls(world)["list"]).status_code == 200
        return counter.count

    ami.application(call, world["association"], qpvs=[qpv])
    few = measure()
    for i in range(18):
        ami.application(call, world["association"], theme=call.themes[i % 4], qpvs=[qpv])
    assert measure() == few


def call_org(call):
    from app.organisations.models import Organisation

    return db.session.get(Organisation, call.organisation_id)


# --- the check ------------------------------------------------------------------------------


def test_the_page_explains_the_funding_and_the_identifiers(client, login, world):
    association = world["association"]
    association.rna_number = "W621234567"
    association.siret = "12345678901234"
    db.session.commit()
    login(client, world["admin"])
    page = text(client.get(urls(world)["application"]))
    assert "Taux appliqué : 80 % (bonification : Public de femmes)." in page
    assert "Montant maximal : 10\u202f000\u00a0€ — limité par le montant demandé." in page
    assert "W621234567 — valide" in page
    assert "12345678901234 — invalide" in page
    assert "La thématique fait partie de l'appel." in page


def test_admin_marks_an_application_eligible_and_the_association_is_told(client, login, world):
    login(client, world["admin"])
    response = client.post(urls(world)["application"], data=CHECK)
    assert response.status_code == 302
    application = world["application"]
    db.session.refresh(application)
    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.complete and application.association_valid and application.theme_in_call
    assert application.eligibility_checked_by_id == world["admin"].id
    assert application.eligibility_checked_at is not None
    mails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.to_address)).all()
    assert sorted(m.to_address for m in mails) == sorted(
        [world["member"].email, world["second"].email]
    )
    assert "est recevable" in mails[0].subject
    assert world["other_member"].email not in [m.to_address for m in mails]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ami.eligibility"))
    assert entry.object_id == application.id and entry.details["eligible"] is True


def test_not_eligible_needs_a_reason_which_is_sent(client, login, world):
    login(client, world["admin"])
    data = dict(CHECK, decision="ineligible", theme_in_call="no")
    response = client.post(urls(world)["application"], data=data)
    assert response.status_code == 422
    assert "Indiquez le motif" in text(response)
    assert world["application"].status == ApplicationStatus.SUBMITTED
    assert db.session.scalar(select(OutboxEmail)) is None

    data["reason"] = "La thématique « sport » ne fait pas partie de l'appel."
    assert client.post(urls(world)["application"], data=data).status_code == 302
    application = world["application"]
    db.session.refresh(application)
    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.theme_in_call is False
    mail = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_address == world["member"].email)
    )
    assert "n'est pas recevable" in mail.subject
    assert "ne fait pas partie de l'appel" in mail.body_text


def test_missing_answers_rerender_the_form_with_what_was_typed(client, login, world):
    login(client, world["admin"])
    response = client.post(urls(world)["application"], data={"reason": "Texte gardé"})
    assert response.status_code == 422
    assert "Texte gardé" in text(response)


def test_the_check_can_be_redone_until_the_invitation(client, login, world):
    login(client, world["admin"])
    client.post(urls(world)["application"], data=CHECK)
    data = dict(CHECK, decision="ineligible", reason="Association dissoute")
    assert client.post(urls(world)["application"], data=data).status_code == 302
    application = world["application"]
    db.session.refresh(application)
    assert application.status == ApplicationStatus.INELIGIBLE

    application.status = ApplicationStatus.ELIGIBLE
    hearing = Hearing(call_id=application.call_id)
    db.session.add(hearing)
    application.hearing = hearing
    application.hearing_invited_at = utcnow()
    db.session.commit()
    page = text(client.get(urls(world)["application"]))
    assert "ne peut plus être modifiée" in page
    response = client.post(urls(world)["application"], data=data, follow_redirects=True)
    assert "ne peut plus être modifiée" in text(response)
    db.session.refresh(application)
    assert application.status == ApplicationStatus.ELIGIBLE


# --- the service ----------------------------------------------------------------------------


def test_service_refuses_drafts_and_missing_reasons(world):
    with pytest.raises(AmiError) as refused:
        services.check_eligibility(
            world["admin"],
            world["draft"],
            complete=True,
            association_valid=True,
            theme_ok=True,
            eligible=True,
            reason="",
        )
    assert refused.value.code == "not_reviewable"
    with pytest.raises(AmiError) as refused:
        services.check_eligibility(
            world["admin"],
            world["application"],
            complete=False,
            association_valid=True,
            theme_ok=True,
            eligible=False,
            reason="  ",
        )
    assert refused.value.code == "reason_required"


def test_an_ineligible_application_leaves_its_proposed_group(world, app):
    application = world["application"]
    application.status = ApplicationStatus.ELIGIBLE
    hearing = Hearing(call_id=application.call_id)
    db.session.add(hearing)
    application.hearing = hearing
    db.session.commit()
    with app.test_request_context():
        services.check_eligibility(
            world["admin"],
            application,
            complete=True,
            association_valid=False,
            theme_ok=True,
            eligible=False,
            reason="RNA inconnu",
        )
    assert application.hearing_id is None


def test_association_check_reads_the_identifiers(world):
    association = world["association"]
    assert not services.association_check(association).valid
    association.rna_number = "W621234567"
    assert services.association_check(association).valid
    association.siret = "12345678901234"
    assert not services.association_check(association).valid
