"""The one-sheet application: drafts, limits, submission with a numbered receipt, access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ami import rules
from ami.models import Application, ApplicationStatus, Qpv, Track
from ami.services import applications as services
from ami.services.common import AmiError
from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.models import Commune, Organisation
from app.organisations.services import add_host
from app.users.models import Role
from app.users.services import add_role
from tests import factories
from tests.ami import factories as ami

# --- helpers ----------------------------------------------------------------------------------


def edit_url(application) -> str:
    return f"/ami/candidatures/{application.id}/modifier"


def view_url(application) -> str:
    return f"/ami/candidatures/{application.id}"


def submit_url(application) -> str:
    return f"/ami/candidatures/{application.id}/deposer"


def new_url(call, blank: bool = False) -> str:
    return f"/ami/appels/{call.id}/candidater" + ("?parcours=page-blanche" if blank else "")


def fresh(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def draft(org, call=None, association=None, **kwargs):
    call = call or ami.call(org)
    if association is None:
        association, _person = ami.association_member(org)
    return ami.application(call, association, status=ApplicationStatus.DRAFT, **kwargs)


def full_form(application, **overrides) -> dict:
    """A complete standard form, as the browser posts it."""
    data = {
        "lock_version": str(application.version_id),
        "title": "Théâtre forum égalité femmes-hommes",
        "theme_id": str(application.call.themes[0].id),
        "public": "Habitantes et habitants de la cité 9",
        "beneficiaries": "60",
        "women_share": "70",
        "objectives": "Libérer la parole",
        "actions": "Ateliers hebdomadaires, représentation finale",
        "partners_text": "Centre social",
        "calendar": "Septembre à juin",
        "starts_on": "2026-09-01",
        "ends_on": "2027-06-30",
        "budget_total": "20000",
        "requested": "12000",
        "other_funding": "4000",
        "other_funding_details": "Ville de Lens : 4 000 €",
        "commune_ids": [str(_first_commune_id())],
        "save": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _first_commune_id() -> int:
    return db.session.scalar(select(Commune.id).order_by(Commune.id).limit(1))


@pytest.fixture
def world(org):
    """A call, an association with a person and its draft, a neighbour association, people."""
    call = ami.call(org)
    association, person = ami.association_member(org, "Les Ateliers du 9")
    neighbour, stranger_person = ami.association_member(org, "Voisins solidaires")
    application = draft(org, call, association)
    return {
        "call": call,
        "association": association,
        "person": person,
        "application": application,
        "neighbour": neighbour,
        "neighbour_person": stranger_person,
        "admin": factories.user(org, Role.ADMIN),
        "citizen": factories.user(org, Role.CITIZEN),
    }


# --- starting ---------------------------------------------------------------------------------


def test_a_person_of_an_association_starts_a_draft(client, org, login):
    call = ami.call(org)
    _association, person = ami.association_member(org)
    login(client, person)
    page = client.get(new_url(call))
    assert page.status_code == 200
    assert "Commencer le dossier" in page.get_data(as_text=True)
    response = client.post(new_url(call), data={"association_id": _association.id})
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert application.status is ApplicationStatus.DRAFT
    assert application.track is Track.STANDARD
    assert response.headers["Location"].endswith(edit_url(application))
    # a second attempt leads to the same draft
    again = client.get(new_url(call))
    assert again.status_code == 302 and again.headers["Location"].endswith(edit_url(application))
    client.post(new_url(call), data={"association_id": _association.id})
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_a_person_of_two_associations_chooses_which_one(client, org, login):
    call = ami.call(org)
    first, person = ami.association_member(org, "Alpha")
    second = factories.association(org, "Beta")
    add_role(None, person, Role.ASSOCIATION_MEMBER, association=second)
    db.session.commit()
    login(client, person)
    page = client.get(new_url(call)).get_data(as_text=True)
    assert "Alpha" in page and "Beta" in page and 'name="association_id"' in page
    client.post(new_url(call), data={"association_id": second.id})
    application = db.session.scalar(select(Application))
    assert application.association_id == second.id
    # someone else's association is not a choice
    other, _p = ami.association_member(org, "Gamma")
    response = client.post(new_url(call), data={"association_id": other.id})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_the_blank_page_track_has_its_own_draft(client, org, login):
    call = ami.call(org)
    association, person = ami.association_member(org)
    login(client, person)
    client.post(new_url(call), data={"association_id": association.id})
    client.post(new_url(call, blank=True), data={"association_id": association.id})
    tracks = sorted(a.track for a in db.session.scalars(select(Application)))
    assert tracks == [Track.BLANK_PAGE, Track.STANDARD]


def test_a_closed_call_takes_no_new_draft(client, org, login):
    call = ami.call(org, open_=False)
    association, person = ami.association_member(org)
    login(client, person)
    page = client.get(new_url(call)).get_data(as_text=True)
    assert "clos" in page
    response = client.post(
        new_url(call), data={"association_id": association.id}, follow_redirects=True
    )
    assert "clos" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Application.id))) == 0


def test_an_unpublished_call_is_not_found(client, org, login):
    call = ami.call(org, published=False)
    _association, person = ami.association_member(org)
    login(client, person)
    assert client.get(new_url(call)).status_code == 404


def test_starting_is_for_associations_only(client, org, login):
    call = ami.call(org)
    anonymous = client.get(new_url(call))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in (Role.CITIZEN, Role.ADMIN):
        login(client, factories.user(org, role))
        assert client.get(new_url(call)).status_code == 403
        assert client.post(new_url(call), data={}).status_code == 403


# --- editing ----------------------------------------------------------------------------------


def test_the_form_shows_limits_and_counters(client, world, login):
    login(client, world["person"])
    page = client.get(edit_url(world["application"])).get_data(as_text=True)
    limit = rules.FIELD_LIMITS["objectives"]
    assert f'maxlength="{limit}"' in page
    assert "1\u202f100 caractères au plus" in page
    assert 'aria-live="polite"' in page
    assert 'aria-describedby="objectives-count' in page
    assert "js/charcount.js" in page and "defer" in page
    assert "<script>" not in page


def test_a_draft_saves_even_incomplete(client, world, login):
    application = world["application"]
    login(client, world["person"])
    response = client.post(
        edit_url(application),
        data={"lock_version": str(application.version_id), "title": "Idée", "save": "1"},
    )
    assert response.status_code == 302
    saved = fresh(application)
    assert saved.title == "Idée"
    assert saved.objectives == ""
    assert saved.status is ApplicationStatus.DRAFT


def test_a_complete_draft_saves_every_field(client, world, login, org):
    application = world["application"]
    qpv = ami.qpv(org, "Cité 9")
    login(client, world["person"])
    data = full_form(application, qpv_ids=[str(qpv.id)], partner_ids=[str(world["neighbour"].id)])
    response = client.post(edit_url(application), data=data)
    assert response.status_code == 302
    saved = fresh(application)
    assert saved.women_share == 70
    assert saved.budget_total_cents == 2_000_000
    assert saved.requested_cents == 1_200_000
    assert saved.other_funding_cents == 400_000
    assert [q.name for q in saved.qpvs] == ["Cité 9"]
    assert [p.name for p in saved.partners] == ["Voisins solidaires"]
    assert len(saved.communes) == 1
    assert rules.missing_fields(saved) == []


def test_one_character_over_the_limit_is_refused_and_kept(client, world, login):
    application = world["application"]
    login(client, world["person"])
    limit = rules.FIELD_LIMITS["objectives"]
    text = "é" * (limit + 1)
    response = client.post(edit_url(application), data=full_form(application, objectives=text))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"{limit} caractères au plus" in page
    assert text in page  # nothing typed is lost
    assert "Théâtre forum" in page
    assert fresh(application).objectives == "Objectifs de l'action"  # nothing saved
    exact = client.post(edit_url(application), data=full_form(application, objectives="é" * limit))
    assert exact.status_code == 302
    assert fresh(application).objectives == "é" * limit


def test_runs_of_empty_lines_are_collapsed_and_newlines_count(client, world, login):
    application = world["application"]
    login(client, world["person"])
    client.post(edit_url(application), data=full_form(application, public="a\r\n\r\n\r\n\r\nb"))
    assert fresh(application).public == "a\n\nb"


def test_values_are_kept_on_a_range_error(client, world, login):
    application = world["application"]
    login(client, world["person"])
    response = client.post(edit_url(application), data=full_form(application, women_share="140"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "entre 0 et 100" in page
    assert "Libérer la parole" in page
    assert fresh(application).women_share == 40


def test_too_many_qpvs_are_refused(client, world, login, org):
    application = world["application"]
    qpvs = [Qpv(organisation_id=org.id, name=f"QPV {i}") for i in range(rules.MAX_QPVS + 1)]
    db.session.add_all(qpvs)
    db.session.commit()
    login(client, world["person"])
    data = full_form(application, qpv_ids=[str(q.id) for q in qpvs])
    response = client.post(edit_url(application), data=data)
    assert response.status_code == 422
    assert fresh(application).qpvs == []


def test_a_foreign_theme_or_partner_is_refused(client, world, login, org):
    application = world["application"]
    login(client, world["person"])
    bad = client.post(edit_url(application), data=full_form(application, theme_id="99999"))
    assert bad.status_code == 422
    itself = full_form(application, partner_ids=[str(world["association"].id)])
    assert client.post(edit_url(application), data=itself).status_code == 422


def test_an_edit_made_meanwhile_is_not_overwritten(client, world, login):
    application = world["application"]
    login(client, world["person"])
    stale = full_form(application, objectives="Ma version")
    colleague = full_form(application, objectives="La version d'une collègue")
    assert client.post(edit_url(application), data=colleague).status_code == 302
    response = client.post(edit_url(application), data=stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "pendant que vous l" in page
    assert "Ma version" in page
    assert fresh(application).objectives == "La version d'une collègue"
    # the form now carries the current version: saving again works
    current = str(fresh(application).version_id)
    assert f'value="{current}"' in page
    again = client.post(edit_url(application), data={**stale, "lock_version": current})
    assert again.status_code == 302
    assert fresh(application).objectives == "Ma version"


def test_blank_page_form_is_lighter(client, org, login):
    call = ami.call(org)
    association, person = ami.association_member(org)
    application = draft(org, call, association, track=Track.BLANK_PAGE)
    login(client, person)
    page = client.get(edit_url(application)).get_data(as_text=True)
    assert 'name="objectives"' in page and 'name="budget_total"' in page
    for absent in ("actions", "women_share", "partner_ids", "calendar", "other_funding"):
        assert f'name="{absent}"' not in page
    data = {
        "lock_version": str(application.version_id),
        "title": "Une pièce de théâtre",
        "theme_id": str(call.themes[0].id),
        "public": "Femmes du quartier",
        "objectives": "Parler d'égalité",
        "commune_ids": [str(_first_commune_id())],
        "budget_total": "3000",
        "requested": "2500",
        "actions": "ignored",
    }
    assert client.post(edit_url(application), data=data).status_code == 302
    saved = fresh(application)
    assert saved.actions == "Ateliers hebdomadaires"  # the other track's field is untouched
    assert rules.missing_fields(saved) == []
    client.post(submit_url(application), data={"submit": "1"})
    assert fresh(application).status is ApplicationStatus.SUBMITTED


def test_a_submitted_application_is_not_editable(client, world, login):
    application = world["application"]
    application.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    login(client, world["person"])
    response = client.get(edit_url(application))
    assert response.status_code == 302
    client.post(edit_url(application), data=full_form(application, title="Changé"))
    assert fresh(application).title != "Changé"


# --- submitting -------------------------------------------------------------------------------


def _complete(application):
    application.communes = [db.session.get(Commune, _first_commune_id())]
    db.session.commit()
    return application


def test_submission_gives_a_numbered_receipt_by_email(client, world, login, org):
    application = _complete(world["application"])
    colleague = factories.user(org, Role.ASSOCIATION_MEMBER, association=world["association"])
    login(client, world["person"])
    response = client.post(submit_url(application), data={"submit": "1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    saved = fresh(application)
    assert saved.status is ApplicationStatus.SUBMITTED
    assert saved.number == "AMI-2026-001"
    assert saved.submitted_by_id == world["person"].id
    assert "AMI-2026-001" in page
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert sorted(e.to_address for e in emails) == sorted([world["person"].email, colleague.email])
    assert "AMI-2026-001" in emails[0].subject
    assert f"/ami/candidatures/{application.id}" in emails[0].body_text
    assert saved.title in emails[0].body_text


def test_receipt_numbers_follow_each_other_per_call(org, world):
    call = world["call"]
    other_call = ami.call(org, year=2027)
    numbers = []
    for target in (call, call, other_call):
        association, person = ami.association_member(org)
        application = _complete(draft(org, target, association))
        services.submit_application(person, application, utcnow())
        db.session.commit()
        numbers.append(application.number)
    assert numbers == ["AMI-2026-001", "AMI-2026-002", "AMI-2027-001"]


def test_a_number_taken_meanwhile_is_drawn_again(org, world, monkeypatch):
    call = world["call"]
    first, person = ami.association_member(org)
    taken = _complete(draft(org, call, first))
    services.submit_application(person, taken, utcnow())
    db.session.commit()
    real = services._next_number
    calls = []

    def racing(call_):
        calls.append(1)
        return "AMI-2026-001" if len(calls) == 1 else real(call_)

    monkeypatch.setattr(services, "_next_number", racing)
    application = _complete(world["application"])
    services.submit_application(world["person"], application, utcnow())
    db.session.commit()
    assert fresh(application).number == "AMI-2026-002"
    assert len(calls) == 2


def test_an_incomplete_application_names_what_is_missing(client, world, login):
    application = world["application"]
    application.objectives = ""
    application.theme_id = None
    db.session.commit()
    login(client, world["person"])
    response = client.post(submit_url(application), data={"submit": "1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Objectifs" in page and "Thématique" in page and "QPV et communes" in page
    assert fresh(application).status is ApplicationStatus.DRAFT
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0


def test_asking_more_than_the_budget_is_refused(client, world, login):
    application = _complete(world["application"])
    application.requested_cents = application.budget_total_cents + 1
    db.session.commit()
    login(client, world["person"])
    page = client.post(submit_url(application), data={"submit": "1"}, follow_redirects=True)
    assert "dépasse le budget total" in page.get_data(as_text=True)
    assert fresh(application).status is ApplicationStatus.DRAFT


def test_submission_after_closing_is_refused(client, world, login):
    application = _complete(world["application"])
    world["call"].closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, world["person"])
    page = client.post(submit_url(application), data={"submit": "1"}, follow_redirects=True)
    assert "clos" in page.get_data(as_text=True)
    assert fresh(application).status is ApplicationStatus.DRAFT


def test_submission_at_the_last_minute_is_accepted(world):
    application = _complete(world["application"])
    call = world["call"]
    now = utcnow()
    call.closes_at = now + timedelta(seconds=1)
    db.session.commit()
    services.submit_application(world["person"], application, now)
    assert application.status is ApplicationStatus.SUBMITTED
    with pytest.raises(AmiError) as refused:
        org = db.session.get(Organisation, call.organisation_id)
        other = _complete(draft(org, call))
        services.submit_application(world["person"], other, call.closes_at)
    assert refused.value.code == "call_closed"


def test_submitting_twice_is_refused(world):
    application = _complete(world["application"])
    services.submit_application(world["person"], application, utcnow())
    with pytest.raises(AmiError) as again:
        services.submit_application(world["person"], application, utcnow())
    assert again.value.code == "not_draft"


# --- access -----------------------------------------------------------------------------------


def test_routes_by_role(client, world, login, org):
    application = world["application"]
    gets = [view_url(application), edit_url(application), "/ami/candidatures"]
    posts = [edit_url(application), submit_url(application)]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url
    for url in posts:
        response = client.post(url, data={"submit": "1"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    login(client, world["citizen"])
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"submit": "1"}).status_code == 403, url
    login(client, world["neighbour_person"])
    for url in gets[:2]:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"submit": "1"}).status_code == 403, url
    login(client, world["admin"])
    assert client.get(view_url(application)).status_code == 200
    assert client.get(edit_url(application)).status_code == 403
    assert client.post(submit_url(application), data={"submit": "1"}).status_code == 403
    login(client, world["person"])
    for url in gets:
        assert client.get(url).status_code == 200, url
    assert fresh(application).status is ApplicationStatus.DRAFT


def test_another_organisation_gets_404(client, world, login, org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    application = world["application"]
    _far, stranger = ami.association_member(other_org)
    admin = factories.user(other_org, Role.ADMIN)
    for person in (stranger, admin):
        login(client, person, host="carcassonne.test")
        for url in (view_url(application), edit_url(application)):
            assert client.get(f"http://carcassonne.test{url}").status_code == 404, url
        response = client.post(f"http://carcassonne.test{submit_url(application)}", data={})
        assert response.status_code == 404
    login(client, stranger, host="carcassonne.test")
    call_url = f"http://carcassonne.test{new_url(world['call'])}"
    assert client.get(call_url).status_code == 404


def test_the_application_page_reads_like_the_sheet(client, world, login):
    application = _complete(world["application"])
    login(client, world["person"])
    page = client.get(view_url(application)).get_data(as_text=True)
    assert application.title in page
    assert "candidature.pdf" in page
    assert "Déposer le dossier" in page and "Modifier le brouillon" in page
    assert page.count("<h1") == 1
    services.submit_application(world["person"], application, utcnow())
    db.session.commit()
    page = client.get(view_url(application)).get_data(as_text=True)
    assert "AMI-2026-001" in page
    assert "Modifier le brouillon" not in page


# --- my applications --------------------------------------------------------------------------


def test_my_applications_lists_all_calls_and_open_calls(client, world, login, org):
    old_call = ami.call(org, year=2021, open_=False)
    ami.application(old_call, world["association"], title="Action de 2021")
    login(client, world["person"])
    page = client.get("/ami/candidatures").get_data(as_text=True)
    assert "Action de 2021" in page
    assert world["application"].title in page
    assert "AMI cohésion sociale 2021" in page
    assert "Appels ouverts" in page
    assert new_url(world["call"]) in page
    assert new_url(old_call) not in page
    assert world["neighbour"].name not in page


def test_my_applications_issues_a_bounded_number_of_queries(client, org, login, count_queries):
    association, person = ami.association_member(org)
    qpv = ami.qpv(org)

    years = iter(range(2000, 2100))

    def fill(n):
        for _i in range(n):
            ami.application(ami.call(org, year=next(years)), association, qpvs=[qpv])

    login(client, person)
    fill(2)
    with count_queries() as few:
        assert client.get("/ami/candidatures").status_code == 200
    fill(18)
    with count_queries() as many:
        assert client.get("/ami/candidatures").status_code == 200
    assert many.count == few.count


def test_a_save_racing_another_one_raises_stale_data(world):
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError

    application = world["application"]
    version = application.version_id
    db.session.execute(
        update(Application)
        .where(Application.id == application.id)
        .values(version_id=version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleDataError):
        services.save_draft(world["person"], application, {"title": "Moi"}, version)


def test_a_person_cannot_start_for_another_association(world):
    with pytest.raises(AmiError) as refused:
        services.start_application(
            world["person"], world["call"], world["neighbour"], Track.STANDARD, utcnow()
        )
    assert refused.value.code == "not_your_association"


def test_the_draft_page_names_the_missing_fields(client, world, login):
    login(client, world["person"])
    page = client.get(view_url(world["application"])).get_data(as_text=True)
    assert "À compléter : QPV et communes touchés." in page


def test_forms_carry_their_csrf_token(client, world, login, csrf_on):
    import re

    application = world["application"]
    login(client, world["person"])
    page = client.get(edit_url(application)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post(edit_url(application), data=full_form(application, title="Sans jeton"))
    assert refused.status_code == 400
    assert fresh(application).title != "Sans jeton"
    data = full_form(application, title="Avec jeton", csrf_token=token)
    assert client.post(edit_url(application), data=data).status_code == 302
    assert fresh(application).title == "Avec jeton"
