"""The communes' side of saisines: inbox, response form, signature, amendments, deadline.

Every route is exercised through the test client for each kind of person: the mayor of the
commune, its staff, its staff with a signature delegation, the mayor of another commune, a
citizen, an EPCI admin and an anonymous visitor.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.queries import commune_by_insee
from app.organisations.services import add_host
from app.uploads import services as uploads
from app.users.models import Role
from consultations.saisines import queries, services
from consultations.saisines.models import (
    Opinion,
    ResponseAttachment,
    ResponseStatus,
    ResponseVersion,
    SaisineResponse,
    SaisineStatus,
    SignatureDelegation,
)
from tests import factories

LIEVIN, LENS, AVION = "62510", "62498", "62065"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
FAKE_PDF = b"Ceci n'est pas un PDF : seulement du texte avec une extension trompeuse.\n"

RECEIPT = "Accusé de réception"
DEADLINE_PASSED = (
    "La date limite est dépassée : aucune réponse ne peut plus être transmise, sauf si "
    "l'EPCI prolonge le délai."
)
EDITED_MEANWHILE = "a enregistré cette réponse pendant que vous la modifiiez"
MOTIVATION_REQUIRED = "Motivez l'avis : c'est obligatoire pour tout avis autre que favorable."
REFUSED_TYPE = "Ce type de fichier n'est pas accepté"

QUESTIONS = [
    {"label": "Nombre de logements", "type": "integer", "required": True, "unit": "logements"},
    {"label": "Surface commerciale", "type": "decimal", "unit": "m²"},
    {"label": "Date de la délibération", "type": "date"},
    {"label": "Zone d'activité maintenue", "type": "yes_no"},
    {"label": "Zonage souhaité", "type": "single_choice", "choices": ["UA", "UB", "N"]},
    {"label": "Équipements", "type": "multiple_choice", "choices": ["École", "Gymnase", "Crèche"]},
    {"label": "Observations", "type": "long_text"},
    {"label": "Plan de zonage", "type": "file"},
]


# --- people and saisines ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _served_on_localhost(org):
    """Lens-Liévin answers on localhost even when another organisation exists."""
    add_host(org, "localhost")
    db.session.commit()


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


@pytest.fixture
def mayor(org):
    return factories.user(org, Role.MAYOR, commune=LIEVIN, name="Maire de Liévin")


@pytest.fixture
def staff(org):
    return factories.user(org, Role.COMMUNE_STAFF, commune=LIEVIN, name="DGS de Liévin")


@pytest.fixture
def delegate(org, mayor):
    person = factories.user(org, Role.COMMUNE_STAFF, commune=LIEVIN, name="Adjointe déléguée")
    services.grant_delegation(mayor, commune_by_insee(org, LIEVIN), person)
    db.session.commit()
    return person


@pytest.fixture
def lens_mayor(org):
    return factories.user(org, Role.MAYOR, commune=LENS, name="Maire de Lens")


@pytest.fixture
def cast(org, mayor, staff, delegate, lens_mayor, admin):
    """Everyone who may knock at a commune's door, by the name used in the parameters."""
    return {
        "mayor": mayor,
        "staff": staff,
        "delegate": delegate,
        "other_mayor": lens_mayor,
        "citizen": factories.user(org, Role.CITIZEN, name="Habitant"),
        "admin": admin,
        "anonymous": None,
    }


PEOPLE = ["mayor", "staff", "delegate", "other_mayor", "citizen", "admin", "anonymous"]


def make_saisine(org, admin, title: str, **options):
    """A saisine with a recognisable title (the factory numbers them)."""
    options.setdefault("communes", [LIEVIN, LENS])
    created = factories.saisine(org, admin, **options)
    created.title = title
    db.session.commit()
    return created


@pytest.fixture
def saisine(org, admin):
    return make_saisine(org, admin, "Modification du PLUi", kind="opinion")


@pytest.fixture
def survey(org, admin):
    """Opinion and questionnaire, every type of question."""
    return make_saisine(org, admin, "Inventaire des zones", kind="both", questions=QUESTIONS)


def keys(saisine) -> dict[str, str]:
    """Question key by label."""
    return {q.label: q.key for q in saisine.current_questions}


def field(saisine, label: str) -> str:
    """The form field of the question with this label."""
    return f"q_{keys(saisine)[label]}"


# --- requests --------------------------------------------------------------------------


def page_url(saisine, insee: str = LIEVIN, suffix: str = "") -> str:
    return f"/concertation/communes/{insee}/saisines/{saisine.id}{suffix}"


def status(client, url: str, **options) -> int:
    """The status of a GET, its body closed (downloads are streamed from open files)."""
    with client.get(url, **options) as response:
        return response.status_code


def text(response) -> str:
    return unescape(response.text)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert found, name
    return unescape(found.group(1))


def current_lock(client, saisine, insee: str = LIEVIN) -> str:
    """The lock_version the form carries, as a browser would send it back."""
    page = client.get(page_url(saisine, insee))
    assert page.status_code == 200
    return hidden(page.text, "lock_version")


def post(client, saisine, insee: str = LIEVIN, *, button: str = "save", lock=None, **fields):
    data = {"opinion": "", "motivation": "", "lock_version": ""}
    if lock is None:
        lock = current_lock(client, saisine, insee)
    data["lock_version"] = lock
    data.update(fields)
    data[button] = "1"
    return client.post(page_url(saisine, insee), data=data)


def sign(client, saisine, insee: str = LIEVIN, **fields):
    fields.setdefault("opinion", "favorable")
    return post(client, saisine, insee, button="sign", **fields)


def pdf(name: str = "deliberation.pdf", content: bytes = PDF):
    return (io.BytesIO(content), name)


def stored_response(org, saisine, insee: str = LIEVIN) -> SaisineResponse | None:
    db.session.expire_all()
    return queries.response_of(saisine, commune_by_insee(org, insee))


def receipts() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.subject.startswith(RECEIPT))
            .order_by(OutboxEmail.id)
        )
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def submit_as(org, person, saisine, insee, opinion=Opinion.FAVORABLE, motivation=""):
    """A submission made through the services, for the pages that show it afterwards."""
    data = services.ResponseData(
        opinion=opinion,
        motivation=motivation,
        answers={},
        new_files=[],
        removed_attachment_ids=[],
    )
    with current_app.test_request_context():
        services.submit_response(
            person, saisine, commune_by_insee(org, insee), data, None, utcnow(), "mayor"
        )
    db.session.commit()


def pass_deadline(saisine) -> None:
    """The deadline was a minute ago (the saisine is still marked open, as no one looked)."""
    saisine.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()


def extend(admin, saisine, days: float = 7) -> None:
    with current_app.test_request_context():
        services.extend_deadline(
            admin, saisine, utcnow() + timedelta(days=days), "Dossier transmis en retard", utcnow()
        )
    db.session.commit()


def add_document(org, admin, saisine, name: str = "dossier-plui.pdf"):
    stored = uploads.store(FileStorage(io.BytesIO(PDF), filename=name), org.id, admin.id)
    document = services.add_document(admin, saisine, stored)
    db.session.commit()
    return document


def sign_in(client, login, person) -> None:
    if person is not None:
        login(client, person)


# --- who may do what ---------------------------------------------------------------------

# (inbox, response page, document, attachment, results, delegations)
READ_STATUS = {
    "mayor": (200, 200, 200, 200, 200, 200),
    "staff": (200, 200, 200, 200, 200, 403),
    "delegate": (200, 200, 200, 200, 200, 403),
    "other_mayor": (200, 404, 404, 404, 404, 403),
    "citizen": (403, 404, 404, 404, 404, 403),
    "admin": (403, 404, 404, 404, 404, 403),
    "anonymous": (302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_commune_pages_are_for_the_people_of_the_commune_only(
    client, org, admin, saisine, cast, login, who
):
    document = add_document(org, admin, saisine)
    login(client, cast["mayor"])
    assert sign(client, saisine, attachments=[pdf()]).status_code == 302
    attachment = stored_response(org, saisine).attachments[0]
    with current_app.test_request_context():
        services.publish_results(admin, saisine, True)
    db.session.commit()

    client = current_app.test_client()
    sign_in(client, login, cast[who])
    urls = [
        "/concertation/communes/",
        page_url(saisine),
        page_url(saisine, suffix=f"/documents/{document.id}"),
        page_url(saisine, suffix=f"/fichiers/{attachment.id}"),
        page_url(saisine, suffix="/resultats"),
        f"/concertation/communes/{LIEVIN}/delegations",
    ]
    statuses = tuple(status(client, url) for url in urls)
    assert statuses == READ_STATUS[who]
    if who == "anonymous":
        assert "login" in client.get(page_url(saisine)).headers["Location"]


# (save a draft, sign)
WRITE_STATUS = {
    "mayor": (302, 302),
    "staff": (302, 403),
    "delegate": (302, 302),
    "other_mayor": (404, 404),
    "citizen": (404, 404),
    "admin": (404, 404),
    "anonymous": (302, 302),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_commune_saves_drafts(client, org, saisine, cast, login, who):
    sign_in(client, login, cast[who])
    response = post(client, saisine, lock="", opinion="unfavorable", motivation="Trop de logements")
    assert response.status_code == WRITE_STATUS[who][0]
    saved = stored_response(org, saisine)
    if response.status_code == 302 and who != "anonymous":
        assert saved.status is ResponseStatus.DRAFT
        assert saved.motivation == "Trop de logements"
        assert saved.edited_by_id == cast[who].id
        assert saved.submitted_by_id is None
    else:
        assert saved is None


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_mayor_or_a_delegate_signs(client, org, saisine, cast, login, who):
    sign_in(client, login, cast[who])
    response = sign(client, saisine, lock="")
    assert response.status_code == WRITE_STATUS[who][1]
    saved = stored_response(org, saisine)
    if who in ("mayor", "delegate"):
        assert saved.status is ResponseStatus.SUBMITTED
        assert saved.submitted_by_id == cast[who].id
        assert saved.signed_as == ("mayor" if who == "mayor" else "delegation")
        assert [v.submitted_by_id for v in saved.versions] == [cast[who].id]
    else:
        assert saved is None
        assert receipts() == []


def test_a_mayor_cannot_answer_for_another_commune_even_one_consulted(
    client, org, saisine, lens_mayor, login
):
    login(client, lens_mayor)
    assert client.get(page_url(saisine, LENS)).status_code == 200
    assert client.get(page_url(saisine, LIEVIN)).status_code == 404
    response = client.post(
        page_url(saisine, LIEVIN), data={"opinion": "favorable", "lock_version": "", "sign": "1"}
    )
    assert response.status_code == 404
    assert stored_response(org, saisine, LIEVIN) is None
    target = queries.target_of(saisine, commune_by_insee(org, LIEVIN))
    assert target.first_opened_at is None


def test_a_commune_not_consulted_does_not_see_the_saisine(client, org, saisine, login):
    avion_mayor = factories.user(org, Role.MAYOR, commune=AVION, name="Maire d'Avion")
    login(client, avion_mayor)
    assert client.get(page_url(saisine, AVION)).status_code == 404
    assert client.get(page_url(saisine, AVION, "/resultats")).status_code == 404
    assert saisine.title not in text(client.get("/concertation/communes/"))
    assert (
        client.post(
            page_url(saisine, AVION), data={"opinion": "favorable", "lock_version": "", "sign": "1"}
        ).status_code
        == 404
    )
    assert count(SaisineResponse) == 0


@pytest.mark.parametrize(
    "options", [{"open_it": False}, {"opens_in": 2}], ids=["draft", "opening_later"]
)
def test_a_saisine_not_yet_visible_does_not_exist_for_the_commune(
    client, org, admin, mayor, login, options
):
    hidden_one = make_saisine(org, admin, "Saisine pas encore visible", **options)
    login(client, mayor)
    assert client.get(page_url(hidden_one)).status_code == 404
    assert (
        client.post(
            page_url(hidden_one), data={"opinion": "favorable", "lock_version": "", "sign": "1"}
        ).status_code
        == 404
    )
    assert "Saisine pas encore visible" not in text(client.get("/concertation/communes/"))
    assert count(SaisineResponse) == 0


def test_unknown_commune_or_saisine_is_not_found(client, saisine, mayor, login):
    login(client, mayor)
    assert client.get(page_url(saisine, "99999")).status_code == 404
    assert client.get(f"/concertation/communes/{LIEVIN}/saisines/999999").status_code == 404
    assert client.get("/concertation/communes/99999/delegations").status_code == 404


def test_a_saisine_of_another_organisation_is_not_found(client, org, other_org, saisine, login):
    carcassonne_mayor = factories.user(other_org, Role.MAYOR, commune="11069")
    login(client, carcassonne_mayor, host="carcassonne.test")
    base = "http://carcassonne.test"
    assert client.get(page_url(saisine, LIEVIN), base_url=base).status_code == 404
    assert client.get(page_url(saisine, "11069"), base_url=base).status_code == 404
    inbox = client.get("/concertation/communes/", base_url=base)
    assert inbox.status_code == 200 and saisine.title not in text(inbox)


# --- the inbox ---------------------------------------------------------------------------


def sections(page: str) -> tuple[str, str]:
    current, _sep, past = page.partition("Historique")
    return current, past


def test_inbox_lists_current_saisines_with_the_time_left_and_the_answer_state(
    client, org, admin, mayor, staff, login
):
    todo = make_saisine(org, admin, "Programme local de l'habitat", deadline_in=14)
    drafted = make_saisine(org, admin, "Schéma des mobilités", deadline_in=0.5)
    sent = make_saisine(org, admin, "Pacte fiscal", deadline_in=0.02)
    login(client, staff)
    assert post(client, drafted, motivation="En cours").status_code == 302
    login(client, mayor)
    assert sign(client, sent).status_code == 302

    page = client.get("/concertation/communes/")
    assert page.status_code == 200
    current, past = sections(text(page))
    rows = {
        title: re.search(rf"{re.escape(title)}.*?</tr>", current, re.S).group(0)
        for title in (todo.title, drafted.title, sent.title)
    }
    assert "13 jours restants" in rows[todo.title] and "À faire" in rows[todo.title]
    assert "11 heures restantes" in rows[drafted.title] and "Brouillon" in rows[drafted.title]
    assert "Moins d'une heure" in rows[sent.title] and "Transmise le" in rows[sent.title]
    assert "Liévin" in rows[todo.title]
    assert page_url(todo) in current
    assert "Aucune saisine passée." in past
    # the soonest deadline first
    assert current.index(sent.title) < current.index(drafted.title) < current.index(todo.title)


def test_inbox_history_comes_by_pages_the_latest_deadline_first(
    client, org, admin, mayor, login, monkeypatch
):
    monkeypatch.setattr(queries, "PAST_PER_PAGE", 2)
    past = [make_saisine(org, admin, f"Saisine close {n}", deadline_in=1) for n in range(3)]
    for n, saisine in enumerate(past):
        pass_deadline(saisine)
        saisine.deadline -= timedelta(days=n)  # the first one closed last
    db.session.commit()
    running = make_saisine(org, admin, "Saisine en cours", deadline_in=10)
    login(client, mayor)

    first = client.get("/concertation/communes/")
    current, history = sections(text(first))
    assert running.title in current
    assert past[0].title in history and past[1].title in history
    assert past[2].title not in history
    assert "Page 1 sur 2" in history and "?page=2" in history

    current, history = sections(text(client.get("/concertation/communes/?page=2")))
    assert running.title in current
    assert past[2].title in history and past[0].title not in history
    assert client.get("/concertation/communes/?page=x").status_code == 200


def test_inbox_history_shows_the_answer_given(client, org, admin, mayor, lens_mayor, login):
    answered = make_saisine(org, admin, "Révision du SCoT", deadline_in=1)
    silent = make_saisine(org, admin, "Transfert de compétence eau", deadline_in=1)
    submit_as(org, mayor, answered, LIEVIN, Opinion.UNFAVORABLE, "Zones humides oubliées")
    tacit = make_saisine(org, admin, "Pacte de gouvernance", deadline_in=1, silence="favourable")
    pass_deadline(answered)
    pass_deadline(silent)
    pass_deadline(tacit)
    make_saisine(org, admin, "Saisine de Lens seulement", communes=[LENS])
    make_saisine(org, admin, "Saisine en préparation", open_it=False)
    make_saisine(org, admin, "Saisine programmée", opens_in=3)

    login(client, mayor)
    client.get(page_url(tacit))  # the first look closes it and records the tacit opinions
    current, past = sections(text(client.get("/concertation/communes/")))
    assert "Aucune saisine en cours pour votre commune." in current
    tacit_row = re.search(r"Pacte de gouvernance.*?</tr>", past, re.S).group(0)
    assert "Aucune réponse : avis réputé favorable" in tacit_row
    answered_row = re.search(r"Révision du SCoT.*?</tr>", past, re.S).group(0)
    assert "Défavorable, transmise le" in answered_row
    silent_row = re.search(r"Transfert de compétence eau.*?</tr>", past, re.S).group(0)
    assert "Pas de réponse transmise" in silent_row
    for invisible in ("Saisine de Lens seulement", "Saisine en préparation", "Saisine programmée"):
        assert invisible not in current + past


def test_inbox_offers_delegations_to_the_mayor_only(client, org, saisine, mayor, staff, login):
    login(client, mayor)
    assert "Délégations de signature pour Liévin" in text(client.get("/concertation/communes/"))
    login(client, staff)
    page = text(client.get("/concertation/communes/"))
    assert saisine.title in page
    assert "Délégations de signature" not in page


# --- the response form -------------------------------------------------------------------


def test_opening_the_form_records_the_first_visit_and_shows_the_saisine(
    client, org, admin, saisine, mayor, login
):
    add_document(org, admin, saisine, "notice.pdf")
    login(client, mayor)
    page = client.get(page_url(saisine))
    assert page.status_code == 200
    body = text(page)
    assert saisine.title in body and saisine.reference in body
    assert "Article L153-15 du code de l'urbanisme" in body
    assert "notice.pdf" in body
    assert 'name="sign"' in body and 'name="save"' in body
    assert hidden(page.text, "lock_version") == ""
    db.session.expire_all()
    target = queries.target_of(saisine, commune_by_insee(org, LIEVIN))
    first = target.first_opened_at
    assert first is not None
    client.get(page_url(saisine))
    db.session.expire_all()
    assert queries.target_of(saisine, commune_by_insee(org, LIEVIN)).first_opened_at == first


def test_staff_see_no_sign_button(client, saisine, staff, login):
    login(client, staff)
    body = text(client.get(page_url(saisine)))
    assert 'name="save"' in body and 'name="sign"' not in body
    assert "Seul le ou la maire, ou une personne à qui la signature est déléguée" in body


def test_staff_save_drafts_as_often_as_they_like(client, org, saisine, staff, login):
    login(client, staff)
    for n in range(1, 4):
        response = post(client, saisine, opinion="abstention", motivation=f"Version {n}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(page_url(saisine))
    saved = stored_response(org, saisine)
    assert saved.status is ResponseStatus.DRAFT
    assert saved.motivation == "Version 3" and saved.opinion is Opinion.ABSTENTION
    assert saved.lock_version == 3
    assert saved.versions == [] and receipts() == []
    page = text(client.get(page_url(saisine)))
    assert "Brouillon enregistré." in page
    assert "Brouillon enregistré par DGS de Liévin" in page
    assert textarea(page, "motivation") == "Version 3"
    assert hidden(page, "lock_version") == "3"


def test_the_mayor_signs_the_draft_prepared_by_staff(client, org, saisine, staff, mayor, login):
    login(client, staff)
    post(client, saisine, opinion="favorable_with_reservations", motivation="Sous réserve")
    login(client, mayor)
    response = sign(
        client, saisine, opinion="favorable_with_reservations", motivation="Sous réserve"
    )
    assert response.status_code == 302
    saved = stored_response(org, saisine)
    assert saved.status is ResponseStatus.SUBMITTED
    assert saved.submitted_by_id == mayor.id and saved.signed_as == "mayor"
    assert saved.submitted_at is not None
    (version,) = saved.versions
    assert version.number == 1 and version.opinion is Opinion.FAVORABLE_WITH_RESERVATIONS
    assert version.motivation == "Sous réserve" and version.signed_as == "mayor"
    page = text(client.get(page_url(saisine)))
    assert "Réponse signée et transmise à l'EPCI." in page
    assert "signée par Maire de Liévin" in page
    assert "Vous pouvez la modifier jusqu'à la date limite" in page


def test_favorable_needs_no_motivation(client, org, saisine, mayor, login):
    login(client, mayor)
    assert sign(client, saisine, opinion="favorable").status_code == 302
    saved = stored_response(org, saisine)
    assert saved.opinion is Opinion.FAVORABLE and saved.motivation == ""


@pytest.mark.parametrize("opinion", ["favorable_with_reservations", "unfavorable", "abstention"])
def test_any_other_opinion_needs_a_motivation(client, org, saisine, mayor, login, opinion):
    login(client, mayor)
    refused = sign(client, saisine, opinion=opinion, motivation="   ")
    assert refused.status_code == 200
    assert MOTIVATION_REQUIRED in text(refused)
    assert re.search(rf'<input checked[^>]*name="opinion"[^>]*value="{opinion}"', refused.text)
    assert stored_response(org, saisine) is None
    assert receipts() == []
    accepted = sign(client, saisine, opinion=opinion, motivation="Motif du conseil municipal")
    assert accepted.status_code == 302
    assert stored_response(org, saisine).opinion is Opinion(opinion)


def test_a_draft_may_leave_the_motivation_for_later(client, org, saisine, staff, login):
    login(client, staff)
    assert post(client, saisine, opinion="unfavorable").status_code == 302
    assert stored_response(org, saisine).opinion is Opinion.UNFAVORABLE


def test_signing_without_an_opinion_is_refused(client, org, saisine, mayor, login):
    login(client, mayor)
    refused = sign(client, saisine, opinion="")
    assert refused.status_code == 200
    assert "Choisissez l'avis de la commune." in text(refused)
    assert stored_response(org, saisine) is None


def test_an_unknown_opinion_is_refused(client, org, saisine, mayor, login):
    login(client, mayor)
    refused = sign(client, saisine, opinion="enthusiastic")
    assert refused.status_code == 200
    assert stored_response(org, saisine) is None


def questionnaire_answers(survey) -> dict:
    return {
        field(survey, "Nombre de logements"): "12",
        field(survey, "Surface commerciale"): "1 250,5",
        field(survey, "Date de la délibération"): "2026-03-12",
        field(survey, "Zone d'activité maintenue"): "no",
        field(survey, "Zonage souhaité"): "UB",
        field(survey, "Équipements"): ["École", "Crèche"],
        field(survey, "Observations"): "Prévoir une piste cyclable.",
    }


def test_questionnaire_answers_are_stored_by_question_key(client, org, survey, mayor, login):
    login(client, mayor)
    response = sign(
        client,
        survey,
        opinion="favorable",
        **questionnaire_answers(survey),
        **{field(survey, "Plan de zonage"): pdf("zonage.pdf")},
    )
    assert response.status_code == 302
    saved = stored_response(org, survey)
    k = keys(survey)
    assert saved.answers == {
        k["Nombre de logements"]: 12,
        k["Surface commerciale"]: "1250.5",
        k["Date de la délibération"]: "2026-03-12",
        k["Zone d'activité maintenue"]: False,
        k["Zonage souhaité"]: "UB",
        k["Équipements"]: ["École", "Crèche"],
        k["Observations"]: "Prévoir une piste cyclable.",
    }
    (plan,) = saved.attachments
    assert plan.question_key == k["Plan de zonage"] and plan.file.original_name == "zonage.pdf"
    assert saved.versions[0].attachment_names == ["zonage.pdf"]
    page = text(client.get(page_url(survey)))
    assert "Fichier actuel :" in page and "zonage.pdf" in page


def test_a_yes_answer_is_true(client, org, survey, mayor, login):
    login(client, mayor)
    answers = questionnaire_answers(survey) | {field(survey, "Zone d'activité maintenue"): "yes"}
    assert sign(client, survey, **answers).status_code == 302
    assert stored_response(org, survey).answers[keys(survey)["Zone d'activité maintenue"]] is True


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("Nombre de logements", "douze", "Saisissez un nombre, par exemple 12 ou 12,5."),
        ("Nombre de logements", "12,5", "Saisissez un nombre entier, sans virgule."),
        ("Date de la délibération", "31/02/2026", "Saisissez une date valide."),
        ("Zone d'activité maintenue", "peut-être", "Choisissez parmi les réponses proposées."),
        ("Zonage souhaité", "AU", "Choisissez parmi les réponses proposées."),
        ("Équipements", ["École", "Piscine"], "Choisissez parmi les réponses proposées."),
    ],
)
def test_invalid_answers_are_refused_and_kept_as_typed(
    client, org, survey, staff, login, label, value, message
):
    login(client, staff)
    answers = questionnaire_answers(survey) | {field(survey, label): value}
    refused = post(client, survey, motivation="Texte à garder", **answers)
    assert refused.status_code == 200
    body = text(refused)
    assert message in body
    assert "Certaines réponses ne sont pas valables" in body
    assert textarea(body, "motivation") == "Texte à garder"
    assert "Prévoir une piste cyclable." in body
    if isinstance(value, str) and label not in ("Zone d'activité maintenue", "Zonage souhaité"):
        assert f'value="{value}"' in body
    assert stored_response(org, survey) is None


def test_required_answers_are_needed_to_sign_not_to_save(client, org, survey, staff, mayor, login):
    login(client, staff)
    assert post(client, survey, opinion="favorable").status_code == 302
    login(client, mayor)
    refused = sign(client, survey, opinion="favorable")
    assert refused.status_code == 200
    assert "Des réponses obligatoires manquent : Nombre de logements." in text(refused)
    saved = stored_response(org, survey)
    assert saved.status is ResponseStatus.DRAFT and saved.versions == []


def test_a_required_file_question_is_answered_by_an_upload(client, org, admin, mayor, login):
    survey = make_saisine(
        org,
        admin,
        "Collecte des plans",
        kind="data",
        questions=[{"label": "Plan cadastral", "type": "file", "required": True}],
    )
    login(client, mayor)
    refused = sign(client, survey)
    assert "Des réponses obligatoires manquent : Plan cadastral." in text(refused)
    plan = field(survey, "Plan cadastral")
    assert sign(client, survey, **{plan: pdf("cadastre.pdf")}).status_code == 302
    saved = stored_response(org, survey)
    assert saved.status is ResponseStatus.SUBMITTED
    assert saved.opinion is None  # a data collection asks no opinion
    assert [a.question_key for a in saved.attachments] == [keys(survey)["Plan cadastral"]]
    # a new file for the same question replaces the previous one
    assert sign(client, survey, **{plan: pdf("cadastre-v2.pdf")}).status_code == 302
    saved = stored_response(org, survey)
    assert [a.file.original_name for a in saved.attachments] == ["cadastre-v2.pdf"]


def test_several_attachments_are_kept_and_can_be_removed(client, org, saisine, staff, login):
    login(client, staff)
    response = post(
        client,
        saisine,
        opinion="favorable",
        attachments=[pdf("deliberation.pdf"), pdf("annexe.pdf")],
    )
    assert response.status_code == 302
    saved = stored_response(org, saisine)
    names = {a.file.original_name: a for a in saved.attachments}
    assert set(names) == {"deliberation.pdf", "annexe.pdf"}
    assert all(a.question_key is None for a in saved.attachments)
    assert names["annexe.pdf"].file.content_type == "application/pdf"
    page = text(client.get(page_url(saisine)))
    assert "Retirer annexe.pdf" in page
    removed = post(
        client, saisine, opinion="favorable", remove_attachment=str(names["annexe.pdf"].id)
    )
    assert removed.status_code == 302
    assert [a.file.original_name for a in stored_response(org, saisine).attachments] == [
        "deliberation.pdf"
    ]


def test_a_file_is_checked_by_its_content_not_its_name(client, org, saisine, staff, login):
    login(client, staff)
    refused = post(
        client,
        saisine,
        opinion="unfavorable",
        motivation="Motif à garder",
        attachments=[pdf("deliberation.pdf"), pdf("faux.pdf", FAKE_PDF)],
    )
    assert refused.status_code == 200
    body = text(refused)
    assert f"faux.pdf : {REFUSED_TYPE}" in body
    assert "deliberation.pdf :" not in body
    assert textarea(body, "motivation") == "Motif à garder"
    assert stored_response(org, saisine) is None
    assert count(ResponseAttachment) == 0


def test_a_fake_file_answer_is_refused(client, org, survey, mayor, login):
    login(client, mayor)
    answers = questionnaire_answers(survey)
    answers[field(survey, "Plan de zonage")] = pdf("zonage.pdf", FAKE_PDF)
    refused = sign(client, survey, **answers)
    assert refused.status_code == 200
    assert f"zonage.pdf : {REFUSED_TYPE}" in text(refused)
    assert stored_response(org, survey) is None and receipts() == []


# --- two people on the same draft ----------------------------------------------------------


def test_a_stale_draft_is_refused_and_the_typed_values_are_kept(
    client, app, org, saisine, staff, login
):
    colleague = factories.user(org, Role.COMMUNE_STAFF, commune=LIEVIN, name="Secrétaire Dupont")
    login(client, staff)
    post(client, saisine, opinion="unfavorable", motivation="Première version")
    other = app.test_client()
    login(other, colleague)
    mine = current_lock(client, saisine)
    theirs = current_lock(other, saisine)
    assert mine == theirs == "1"

    assert (
        post(other, saisine, lock=theirs, opinion="abstention", motivation="Dupont").status_code
        == 302
    )
    refused = post(client, saisine, lock=mine, opinion="unfavorable", motivation="Mon texte")
    assert refused.status_code == 200
    body = text(refused)
    assert f"Secrétaire Dupont {EDITED_MEANWHILE}" in body
    assert textarea(body, "motivation") == "Mon texte"
    assert hidden(refused.text, "lock_version") == "2"
    saved = stored_response(org, saisine)
    assert saved.motivation == "Dupont" and saved.edited_by_id == colleague.id

    # having seen the message, the person saves again on the latest version
    assert (
        post(client, saisine, lock="2", opinion="unfavorable", motivation="Mon texte").status_code
        == 302
    )
    saved = stored_response(org, saisine)
    assert saved.motivation == "Mon texte" and saved.lock_version == 3


def test_a_stale_signature_is_refused(client, app, org, saisine, staff, mayor, login):
    login(client, mayor)
    post(client, saisine, opinion="favorable")
    mine = current_lock(client, saisine)
    other = app.test_client()
    login(other, staff)
    post(other, saisine, opinion="unfavorable", motivation="Avis des services")
    refused = sign(client, saisine, lock=mine, opinion="favorable")
    assert refused.status_code == 200
    assert EDITED_MEANWHILE in text(refused)
    saved = stored_response(org, saisine)
    assert saved.status is ResponseStatus.DRAFT and saved.versions == []
    assert receipts() == []


def test_a_form_opened_before_the_first_draft_does_not_overwrite_it(
    client, app, org, saisine, staff, login
):
    colleague = factories.user(org, Role.COMMUNE_STAFF, commune=LIEVIN, name="Secrétaire Dupont")
    login(client, staff)
    mine = current_lock(client, saisine)
    assert mine == ""  # no draft yet
    other = app.test_client()
    login(other, colleague)
    assert (
        post(other, saisine, lock="", opinion="abstention", motivation="Dupont").status_code == 302
    )
    refused = post(client, saisine, lock=mine, opinion="unfavorable", motivation="Mon texte")
    assert refused.status_code == 200
    assert EDITED_MEANWHILE in text(refused)
    assert textarea(text(refused), "motivation") == "Mon texte"
    assert stored_response(org, saisine).motivation == "Dupont"


# --- amendments, versions, deadline ---------------------------------------------------------


def test_amendments_keep_every_version_for_the_epci(client, app, org, admin, saisine, mayor, login):
    login(client, mayor)
    assert sign(client, saisine, opinion="favorable").status_code == 302
    assert (
        sign(
            client, saisine, opinion="unfavorable", motivation="Après débat en conseil"
        ).status_code
        == 302
    )
    saved = stored_response(org, saisine)
    assert saved.status is ResponseStatus.SUBMITTED and saved.opinion is Opinion.UNFAVORABLE
    assert [(v.number, v.opinion) for v in saved.versions] == [
        (1, Opinion.FAVORABLE),
        (2, Opinion.UNFAVORABLE),
    ]
    assert count(ResponseVersion) == 2
    page = text(client.get(page_url(saisine)))
    assert "Versions transmises" in page
    assert "Version 2 transmise le" in page and "Version 1 transmise le" in page
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("saisine.submit") == 1 and actions.count("saisine.amend") == 1

    epci = app.test_client()
    login(epci, admin)
    view = epci.get(f"/concertation/saisines/{saisine.id}/reponses/{LIEVIN}")
    assert view.status_code == 200
    body = text(view)
    assert "Réponse en vigueur — version 2" in body
    assert "Version précédente — version 1" in body
    assert "Après débat en conseil" in body
    assert body.count("signée par Maire de Liévin (maire)") == 2


def test_after_the_deadline_nothing_can_be_submitted(client, org, saisine, staff, mayor, login):
    login(client, staff)
    post(client, saisine, opinion="unfavorable", motivation="Brouillon")
    pass_deadline(saisine)
    login(client, mayor)
    page = client.get(page_url(saisine))
    assert page.status_code == 200
    body = text(page)
    assert DEADLINE_PASSED in body
    assert 'name="sign"' not in body and '<form method="post" enctype' not in body
    refused = client.post(
        page_url(saisine),
        data={
            "opinion": "unfavorable",
            "motivation": "Trop tard",
            "lock_version": "1",
            "sign": "1",
        },
    )
    assert refused.status_code == 200
    assert DEADLINE_PASSED in text(refused)
    login(client, staff)
    refused = client.post(
        page_url(saisine),
        data={"opinion": "favorable", "lock_version": "1", "save": "1"},
    )
    assert refused.status_code == 200
    assert DEADLINE_PASSED in text(refused)
    saved = stored_response(org, saisine)
    assert saved.status is ResponseStatus.DRAFT and saved.motivation == "Brouillon"
    assert saved.versions == [] and receipts() == []


def test_a_submitted_answer_cannot_be_amended_after_the_deadline(
    client, org, saisine, mayor, login
):
    login(client, mayor)
    sign(client, saisine, opinion="favorable")
    pass_deadline(saisine)
    refused = client.post(
        page_url(saisine),
        data={
            "opinion": "unfavorable",
            "motivation": "Trop tard",
            "lock_version": "2",
            "sign": "1",
        },
    )
    assert refused.status_code == 200
    body = text(refused)
    assert DEADLINE_PASSED in body
    assert "Favorable" in body  # the answer given stays on show
    saved = stored_response(org, saisine)
    assert saved.opinion is Opinion.FAVORABLE and len(saved.versions) == 1


def test_the_first_look_after_the_deadline_closes_the_saisine_with_tacit_opinions(
    client, org, admin, mayor, lens_mayor, login
):
    tacit = make_saisine(
        org, admin, "Avis réputé favorable", communes=[LIEVIN, LENS, AVION], silence="favourable"
    )
    submit_as(org, lens_mayor, tacit, LENS, Opinion.UNFAVORABLE, "Non")
    pass_deadline(tacit)
    login(client, mayor)
    assert client.get(page_url(tacit)).status_code == 200
    db.session.expire_all()
    assert tacit.status is SaisineStatus.CLOSED and tacit.closed_at is not None
    by_commune = {t.commune.insee_code: t.tacit_opinion for t in tacit.targets}
    assert by_commune == {LIEVIN: Opinion.FAVORABLE, LENS: None, AVION: Opinion.FAVORABLE}
    closed_at = tacit.closed_at
    assert client.get(page_url(tacit)).status_code == 200
    db.session.expire_all()
    assert tacit.closed_at == closed_at
    closings = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "saisine.close")
    ).all()
    assert len(closings) == 1


def test_closing_without_the_favourable_rule_records_no_opinion(client, org, saisine, mayor, login):
    pass_deadline(saisine)
    login(client, mayor)
    client.get(page_url(saisine))
    db.session.expire_all()
    assert saisine.status is SaisineStatus.CLOSED
    assert all(t.tacit_opinion is None for t in saisine.targets)


def test_an_extended_deadline_opens_the_form_again(client, org, admin, mayor, login):
    late = make_saisine(org, admin, "Délai prolongé", silence="favourable")
    pass_deadline(late)
    login(client, mayor)
    client.get(page_url(late))
    db.session.expire_all()
    assert late.status is SaisineStatus.CLOSED
    extend(admin, late)
    page = text(client.get(page_url(late)))
    assert "Délai prolongé jusqu'au" in page and "Dossier transmis en retard" in page
    assert 'name="sign"' in page
    assert sign(client, late, opinion="abstention", motivation="Pas concernés").status_code == 302
    db.session.expire_all()
    assert late.status is SaisineStatus.OPEN
    assert all(t.tacit_opinion is None for t in late.targets)
    assert stored_response(org, late).status is ResponseStatus.SUBMITTED


def test_an_amendment_in_preparation_leaves_the_signed_answer_in_force(
    client, app, org, saisine, mayor, staff, login
):
    login(client, mayor)
    assert sign(client, saisine, opinion="favorable").status_code == 302
    login(client, staff)
    saved_draft = post(client, saisine, opinion="unfavorable", motivation="Projet d'amendement")
    assert saved_draft.status_code == 302

    saved = stored_response(org, saisine)
    assert saved.status is ResponseStatus.SUBMITTED
    assert saved.opinion is Opinion.FAVORABLE and saved.motivation == ""
    assert len(saved.versions) == 1
    (row,) = [r for r in queries.dashboard(saisine, utcnow()) if r.commune.insee_code == LIEVIN]
    assert row.opinion == Opinion.FAVORABLE
    page = text(client.get(page_url(saisine)))
    assert "la réponse transmise reste en vigueur tant que la nouvelle version" in page
    assert "Une modification non signée est en cours (enregistrée par DGS de Liévin)" in page
    assert textarea(page, "motivation") == "Projet d'amendement"
    assert re.search(r'<input checked[^>]*value="unfavorable"', page)

    # attachments of a submitted answer change only with a new signature
    refused = post(client, saisine, opinion="unfavorable", attachments=[pdf("annexe.pdf")])
    assert refused.status_code == 200
    assert "ses pièces jointes ne changent qu'en signant une nouvelle version" in text(refused)

    mayor_client = app.test_client()
    login(mayor_client, mayor)
    signed = sign(mayor_client, saisine, opinion="unfavorable", motivation="Projet d'amendement")
    assert signed.status_code == 302
    saved = stored_response(org, saisine)
    assert saved.opinion is Opinion.UNFAVORABLE and saved.pending_changes is None
    assert [v.opinion for v in saved.versions] == [Opinion.FAVORABLE, Opinion.UNFAVORABLE]


# --- receipts ------------------------------------------------------------------------------


def test_each_submission_sends_a_receipt_with_the_answer(
    client, org, survey, mayor, staff, lens_mayor, login
):
    login(client, mayor)
    answers = questionnaire_answers(survey)
    response = sign(
        client,
        survey,
        opinion="favorable_with_reservations",
        motivation="Sous réserve de la piste cyclable",
        attachments=[pdf("deliberation-2026-12.pdf")],
        **answers,
    )
    assert response.status_code == 302
    first = receipts()
    assert sorted(e.to_address for e in first) == sorted([mayor.email, staff.email])
    email = next(e for e in first if e.to_address == mayor.email)
    assert email.subject == f"{RECEIPT} : {survey.title} — Liévin"
    body = email.body_text
    assert "Version : 1" in body
    assert "Signée par : Maire de Liévin (maire)" in body
    assert "Avis : Favorable avec réserves" in body
    assert "Sous réserve de la piste cyclable" in body
    assert "Nombre de logements : 12 logements" in body
    assert "Surface commerciale : 1250.5 m²" in body
    assert "Zone d'activité maintenue : non" in body
    assert "Équipements : École ; Crèche" in body
    assert "Pièces jointes : deliberation-2026-12.pdf" in body
    assert page_url(survey) in body
    assert lens_mayor.email not in {e.to_address for e in first}

    assert sign(client, survey, opinion="favorable", **answers).status_code == 302
    second = receipts()[len(first) :]
    assert len(second) == 2
    assert all("Version : 2" in e.body_text and "Avis : Favorable\n" in e.body_text for e in second)


def test_a_delegate_signs_by_delegation_and_gets_the_receipt(
    client, org, saisine, mayor, delegate, login
):
    login(client, delegate)
    assert (
        sign(client, saisine, opinion="abstention", motivation="Conflit d'intérêts").status_code
        == 302
    )
    recipients = {e.to_address for e in receipts()}
    assert {mayor.email, delegate.email} <= recipients
    body = receipts()[0].body_text
    assert "Signée par : Adjointe déléguée (par délégation du maire)" in body
    assert stored_response(org, saisine).signed_as == "delegation"


# --- documents, attachments, results ----------------------------------------------------------


def test_documents_and_attachments_download_for_the_commune_concerned(
    client, org, admin, saisine, mayor, lens_mayor, login
):
    document = add_document(org, admin, saisine, "dossier.pdf")
    login(client, mayor)
    sign(client, saisine, attachments=[pdf("deliberation.pdf")])
    attachment = stored_response(org, saisine).attachments[0]

    with client.get(page_url(saisine, suffix=f"/documents/{document.id}")) as got:
        assert got.status_code == 200 and got.data == PDF
        assert got.mimetype == "application/pdf"
        assert "dossier.pdf" in got.headers["Content-Disposition"]
    with client.get(page_url(saisine, suffix=f"/fichiers/{attachment.id}")) as got:
        assert got.status_code == 200 and got.data == PDF
        assert "deliberation.pdf" in got.headers["Content-Disposition"]
    assert status(client, page_url(saisine, suffix="/documents/999999")) == 404
    assert status(client, page_url(saisine, suffix="/fichiers/999999")) == 404

    login(client, lens_mayor)
    # Lens is consulted too: it sees the saisine's documents, never Liévin's attachments
    assert status(client, page_url(saisine, LENS, f"/documents/{document.id}")) == 200
    assert status(client, page_url(saisine, LENS, f"/fichiers/{attachment.id}")) == 404
    assert status(client, page_url(saisine, LIEVIN, f"/fichiers/{attachment.id}")) == 404
    assert status(client, page_url(saisine, LIEVIN, f"/documents/{document.id}")) == 404


def test_a_document_of_another_saisine_is_not_served(client, org, admin, saisine, mayor, login):
    other = make_saisine(org, admin, "Autre saisine", communes=[LENS])
    document = add_document(org, admin, other, "secret.pdf")
    login(client, mayor)
    assert client.get(page_url(saisine, suffix=f"/documents/{document.id}")).status_code == 404


def test_results_are_shown_once_published(client, org, admin, saisine, mayor, lens_mayor, login):
    submit_as(org, lens_mayor, saisine, LENS, Opinion.UNFAVORABLE, "Non")
    login(client, mayor)
    sign(client, saisine, opinion="favorable")
    results = page_url(saisine, suffix="/resultats")
    assert client.get(results).status_code == 404
    assert "Voir les résultats publiés" not in text(client.get(page_url(saisine)))

    with current_app.test_request_context():
        services.publish_results(admin, saisine, True)
    db.session.commit()
    assert "Voir les résultats publiés" in text(client.get(page_url(saisine)))
    page = client.get(results)
    assert page.status_code == 200
    body = text(page)
    assert "2 communes sur 2 ont répondu (100 %)." in body
    assert re.search(r"Lens</td><td>Défavorable", body)
    assert re.search(r"Liévin</td><td>Favorable", body)

    with current_app.test_request_context():
        services.publish_results(admin, saisine, False)
    db.session.commit()
    assert client.get(results).status_code == 404


# --- signature delegations ------------------------------------------------------------------


def test_the_mayor_grants_and_revokes_a_signature_delegation(client, org, mayor, staff, login):
    login(client, mayor)
    url = f"/concertation/communes/{LIEVIN}/delegations"
    page = text(client.get(url))
    assert "Aucune délégation." in page and f"DGS de Liévin ({staff.email})" in page
    granted = client.post(url, data={"user_id": str(staff.id)})
    assert granted.status_code == 302
    (delegation,) = db.session.scalars(select(SignatureDelegation)).all()
    assert delegation.user_id == staff.id and delegation.granted_by_id == mayor.id
    assert delegation.commune_id == commune_by_insee(org, LIEVIN).id
    page = text(client.get(url))
    assert "Délégation de signature donnée à DGS de Liévin." in page
    assert "Retirer la délégation" in page

    # granting twice changes nothing
    client.post(url, data={"user_id": str(staff.id)})
    assert count(SignatureDelegation) == 1

    revoked = client.post(f"{url}/{delegation.id}/retirer")
    assert revoked.status_code == 302
    assert count(SignatureDelegation) == 0
    assert "Délégation retirée." in text(client.get(url))
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"commune.delegation_grant", "commune.delegation_revoke"} <= actions


def test_a_delegation_lets_staff_sign_until_it_is_revoked(
    client, app, org, saisine, mayor, staff, login
):
    login(client, staff)
    assert sign(client, saisine, lock="").status_code == 403
    boss = app.test_client()
    login(boss, mayor)
    url = f"/concertation/communes/{LIEVIN}/delegations"
    boss.post(url, data={"user_id": str(staff.id)})
    assert 'name="sign"' in text(client.get(page_url(saisine)))
    assert sign(client, saisine).status_code == 302
    assert stored_response(org, saisine).signed_as == "delegation"
    delegation = db.session.scalar(select(SignatureDelegation))
    boss.post(f"{url}/{delegation.id}/retirer")
    assert 'name="sign"' not in text(client.get(page_url(saisine)))
    assert sign(client, saisine, opinion="unfavorable", motivation="Non").status_code == 403
    assert stored_response(org, saisine).opinion is Opinion.FAVORABLE


def test_without_staff_there_is_no_one_to_delegate_to(client, org, mayor, login):
    factories.user(org, Role.COMMUNE_STAFF, commune=LENS, name="DGS de Lens")
    login(client, mayor)
    page = text(client.get(f"/concertation/communes/{LIEVIN}/delegations"))
    assert "DGS de Lens" not in page
    assert "Aucun agent de la commune n'a de compte sur la plateforme" in page


def test_delegation_only_to_the_communes_own_staff(client, org, mayor, staff, login):
    lens_staff = factories.user(org, Role.COMMUNE_STAFF, commune=LENS, name="DGS de Lens")
    citizen = factories.user(org, Role.CITIZEN, name="Habitant")
    login(client, mayor)
    url = f"/concertation/communes/{LIEVIN}/delegations"
    page = text(client.get(url))
    assert "DGS de Liévin" in page and "DGS de Lens" not in page
    for person in (lens_staff, citizen, mayor):
        refused = client.post(url, data={"user_id": str(person.id)})
        assert refused.status_code == 200
        assert "N'est pas un choix valide." in text(refused)
    assert count(SignatureDelegation) == 0


@pytest.mark.parametrize("who", ["staff", "delegate", "other_mayor", "citizen", "admin"])
def test_only_the_mayor_manages_delegations(client, org, cast, login, who):
    delegation = db.session.scalar(select(SignatureDelegation))
    url = f"/concertation/communes/{LIEVIN}/delegations"
    login(client, cast[who])
    assert client.get(url).status_code == 403
    assert client.post(url, data={"user_id": str(cast["staff"].id)}).status_code == 403
    assert client.post(f"{url}/{delegation.id}/retirer").status_code == 403
    assert [d.user_id for d in db.session.scalars(select(SignatureDelegation))] == [
        cast["delegate"].id
    ]


def test_anonymous_visitors_are_sent_to_sign_in_for_delegations(client, org, cast):
    delegation = db.session.scalar(select(SignatureDelegation))
    url = f"/concertation/communes/{LIEVIN}/delegations"
    assert client.get(url).status_code == 302
    assert client.post(f"{url}/{delegation.id}/retirer").status_code == 302
    assert count(SignatureDelegation) == 1


def test_a_mayor_cannot_revoke_another_communes_delegation(client, org, cast, login):
    lens_staff = factories.user(org, Role.COMMUNE_STAFF, commune=LENS)
    lens = commune_by_insee(org, LENS)
    lens_delegation = services.grant_delegation(cast["other_mayor"], lens, lens_staff)
    db.session.commit()
    login(client, cast["mayor"])
    response = client.post(
        f"/concertation/communes/{LIEVIN}/delegations/{lens_delegation.id}/retirer"
    )
    assert response.status_code == 404
    assert count(SignatureDelegation) == 2


# --- CSRF -----------------------------------------------------------------------------------


def csrf_token(page: str) -> str:
    return hidden(page, "csrf_token")


def test_posts_without_a_csrf_token_are_refused(client, org, saisine, mayor, staff, login, csrf_on):
    login(client, mayor)
    url = f"/concertation/communes/{LIEVIN}/delegations"
    refused = client.post(page_url(saisine), data={"opinion": "favorable", "sign": "1"})
    assert refused.status_code == 400
    assert client.post(url, data={"user_id": str(staff.id)}).status_code == 400
    assert stored_response(org, saisine) is None
    assert count(SignatureDelegation) == 0

    page = client.get(page_url(saisine)).text
    accepted = client.post(
        page_url(saisine),
        data={
            "csrf_token": csrf_token(page),
            "opinion": "favorable",
            "lock_version": hidden(page, "lock_version"),
            "sign": "1",
        },
    )
    assert accepted.status_code == 302
    assert stored_response(org, saisine).status is ResponseStatus.SUBMITTED

    token = csrf_token(client.get(url).text)
    assert client.post(url, data={"csrf_token": token, "user_id": str(staff.id)}).status_code == 302
    delegation = db.session.scalar(select(SignatureDelegation))
    assert client.post(f"{url}/{delegation.id}/retirer").status_code == 400
    assert count(SignatureDelegation) == 1
