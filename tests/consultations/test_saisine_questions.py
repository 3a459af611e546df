"""The questionnaire builder of a saisine: pages, access, ordering, freezing and versions."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from app.db import db, utcnow
from app.organisations.queries import commune_by_insee
from app.organisations.services import add_host
from app.users.models import Role
from consultations.saisines import services
from consultations.saisines.models import Question, QuestionType, SaisineResponse
from tests import factories

FROZEN = "Une commune a déjà répondu à ce questionnaire : créez une nouvelle version"
TWO_CHOICES = "Proposez au moins deux choix, un par ligne."

QUESTIONS = [
    {"label": "Nombre de logements", "type": "integer", "required": True, "unit": "logements"},
    {"label": "Surface commerciale", "type": "decimal", "unit": "m²", "help_text": "Hors parking"},
    {"label": "Zonage souhaité", "type": "single_choice", "choices": ["UA", "UB", "N"]},
]


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


@pytest.fixture
def saisine(org, admin):
    return factories.saisine(org, admin, kind="data", open_it=False, questions=QUESTIONS)


def url(saisine, suffix: str = "") -> str:
    return f"/concertation/saisines/{saisine.id}/questions{suffix}"


def text_of(response) -> str:
    return unescape(response.text)


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert found, name
    return found.group(1).replace("\r\n", "\n")


def ordered(saisine) -> list[Question]:
    return sorted(saisine.current_questions, key=lambda q: q.position)


def current(saisine) -> list[Question]:
    """The current questions as stored, after requests made in their own sessions."""
    db.session.expire_all()
    return ordered(saisine)


def labels(saisine) -> list[str]:
    return [q.label for q in current(saisine)]


def answer_as_commune(org, saisine) -> SaisineResponse:
    """A draft answer of Liévin: from then on, the questionnaire version is frozen."""
    actor = factories.user(org, "commune_staff", commune="62510")
    commune = commune_by_insee(org, "62510")
    data = services.ResponseData(
        opinion=None, motivation="", answers={}, new_files=[], removed_attachment_ids=[]
    )
    response = services.save_draft(actor, saisine, commune, data, None)
    db.session.commit()
    return response


def question_form(**values) -> dict:
    data = {"label": "Question", "type": "short_text", "help_text": "", "unit": "", "choices": ""}
    data.update(values)
    return data


# --- access -------------------------------------------------------------------------------


def every_route(saisine) -> list[tuple[str, str]]:
    question = saisine.current_questions[0]
    return [
        ("get", url(saisine)),
        ("post", url(saisine)),
        ("get", url(saisine, f"/{question.id}")),
        ("post", url(saisine, f"/{question.id}")),
        ("post", url(saisine, f"/{question.id}/supprimer")),
        ("post", url(saisine, f"/{question.id}/monter")),
        ("post", url(saisine, f"/{question.id}/descendre")),
        ("post", url(saisine, "/nouvelle-version")),
    ]


def test_admin_sees_every_page_of_the_questionnaire(client, admin, saisine, login):
    login(client, admin)
    question = saisine.current_questions[0]
    assert client.get(url(saisine)).status_code == 200
    assert client.get(url(saisine, f"/{question.id}")).status_code == 200


@pytest.mark.parametrize("role", [Role.MAYOR, Role.COMMUNE_STAFF, Role.CITIZEN])
def test_questionnaire_pages_are_forbidden_to_other_roles(client, org, saisine, login, role):
    login(client, factories.user(org, role))
    for method, address in every_route(saisine):
        response = getattr(client, method)(address, data=question_form(label="Intrus"))
        assert response.status_code == 403, (method, address)
    assert labels(saisine) == [q["label"] for q in QUESTIONS]
    assert saisine.questionnaire_version == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client, saisine):
    for method, address in every_route(saisine):
        response = getattr(client, method)(address, data=question_form(label="Intrus"))
        assert response.status_code == 302, (method, address)
        assert "/login" in response.headers["Location"]
    assert labels(saisine) == [q["label"] for q in QUESTIONS]


def test_saisine_of_another_organisation_is_not_found(client, org, other_org, admin, login):
    add_host(org, "localhost")
    db.session.commit()
    foreign = factories.saisine(other_org, kind="data", open_it=False, questions=QUESTIONS)
    login(client, admin)
    for method, address in every_route(foreign):
        response = getattr(client, method)(address, data=question_form(label="Intrus"))
        assert response.status_code == 404, (method, address)
    assert labels(foreign) == [q["label"] for q in QUESTIONS]


def test_question_of_another_saisine_is_not_found(client, org, admin, saisine, login):
    other = factories.saisine(org, admin, kind="data", open_it=False, questions=QUESTIONS)
    question = other.current_questions[0]
    login(client, admin)
    assert client.get(url(saisine, f"/{question.id}")).status_code == 404
    for action in ("", "/supprimer", "/monter", "/descendre"):
        assert client.post(url(saisine, f"/{question.id}{action}")).status_code == 404
    assert labels(other) == [q["label"] for q in QUESTIONS]


# --- the list and the preview -------------------------------------------------------------


def test_list_shows_the_questions_in_order_with_their_settings(client, admin, saisine, login):
    login(client, admin)
    page = text_of(client.get(url(saisine)))
    assert page.count("<h1") == 1
    positions = [page.index(q["label"]) for q in QUESTIONS]
    assert positions == sorted(positions)
    for expected in ("Nombre entier", "Nombre décimal", "Choix unique", "obligatoire"):
        assert expected in page
    assert "m²" in page and "Hors parking" in page and "<li>UB</li>" in page
    assert "Version du questionnaire</dt><dd>1</dd>" in page
    assert "Modifiable" in page
    assert f'href="/concertation/saisines/{saisine.id}"' in page
    assert 'name="label"' in page and 'name="choices"' in page


def test_preview_shows_each_type_of_question_disabled(client, org, admin, login):
    specs = [
        {"label": "Court", "type": "short_text"},
        {"label": "Long", "type": "long_text"},
        {"label": "Entier", "type": "integer"},
        {"label": "Décimal", "type": "decimal", "unit": "ha"},
        {"label": "Quand", "type": "date"},
        {"label": "Oui ou non", "type": "yes_no"},
        {"label": "Un seul", "type": "single_choice", "choices": ["A", "B"]},
        {"label": "Plusieurs", "type": "multiple_choice", "choices": ["C", "D"]},
        {"label": "Pièce", "type": "file"},
    ]
    saisine = factories.saisine(org, admin, kind="data", open_it=False, questions=specs)
    ids = {q.label: q.id for q in saisine.current_questions}
    login(client, admin)
    page = text_of(client.get(url(saisine)))
    preview = page[page.index('id="apercu"') :]

    def control(label: str) -> str:
        found = re.search(rf'<(input|textarea)[^>]*id="preview-{ids[label]}"[^>]*>', preview)
        assert found, label
        assert "disabled" in found.group(0)
        return found.group(0)

    assert 'type="text"' in control("Court")
    assert control("Long").startswith("<textarea")
    assert 'inputmode="numeric"' in control("Entier")
    assert 'inputmode="decimal"' in control("Décimal") and "Décimal (ha)" in preview
    assert 'type="date"' in control("Quand")
    assert 'type="file"' in control("Pièce")
    radios = re.findall(r'<input type="radio"[^>]*disabled>', preview)
    checkboxes = re.findall(r'<input type="checkbox"[^>]*disabled>', preview)
    assert len(radios) == 4 and len(checkboxes) == 2
    assert "<legend>Oui ou non</legend>" in preview and "<legend>Plusieurs</legend>" in preview


def test_buttons_name_the_question_they_act_on(client, admin, saisine, login):
    login(client, admin)
    page = text_of(client.get(url(saisine)))
    hidden = '<span class="visually-hidden"> la question « Surface commerciale »</span>'
    for visible in ("Modifier", "Monter", "Descendre", "Supprimer"):
        assert f"{visible}{hidden}" in page
    first, last = saisine.current_questions[0], saisine.current_questions[-1]
    assert f"/questions/{first.id}/monter" not in page
    assert f"/questions/{last.id}/descendre" not in page


# --- adding -------------------------------------------------------------------------------


ADDED = [
    ("short_text", {}),
    ("long_text", {}),
    ("integer", {"unit": "logements"}),
    ("decimal", {"unit": "m²"}),
    ("date", {}),
    ("yes_no", {}),
    ("single_choice", {"choices": "Oui, en totalité\r\nEn partie\r\n\r\nNon"}),
    ("multiple_choice", {"choices": "Écoles\nCrèches\nGymnases"}),
    ("file", {}),
]


@pytest.mark.parametrize(("type_", "extra"), ADDED)
def test_admin_adds_a_question_of_each_type(client, admin, saisine, login, type_, extra):
    login(client, admin)
    data = question_form(
        label="Nouvelle question", type=type_, required="y", help_text="Une aide", **extra
    )
    response = client.post(url(saisine), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(saisine))
    added = current(saisine)[-1]
    assert added.label == "Nouvelle question" and added.type is QuestionType(type_)
    assert added.required and added.help_text == "Une aide"
    assert added.unit == extra.get("unit", "")
    expected_choices = [c.strip() for c in extra.get("choices", "").splitlines() if c.strip()]
    assert added.choices == expected_choices
    assert "Question ajoutée." in text_of(client.get(url(saisine)))


def test_added_question_is_optional_unless_ticked(client, admin, saisine, login):
    login(client, admin)
    client.post(url(saisine), data=question_form(label="Commentaire libre"))
    assert current(saisine)[-1].required is False


@pytest.mark.parametrize("choices", ["", "Une seule", "Même\nMême"])
def test_choice_question_needs_two_choices_and_keeps_what_was_typed(
    client, admin, saisine, login, choices
):
    login(client, admin)
    data = question_form(
        label="Équipements à créer", type="multiple_choice", unit="u", choices=choices
    )
    response = client.post(url(saisine), data=data)
    assert response.status_code == 200
    page = text_of(response)
    error = re.search(r'<p class="error" id="choices-error">([^<]*)</p>', page)
    assert error and error.group(1) == TWO_CHOICES
    assert 'value="Équipements à créer"' in page
    assert '<option selected value="multiple_choice">' in page
    assert textarea(page, "choices") == choices
    assert labels(saisine) == [q["label"] for q in QUESTIONS]


def test_question_without_label_is_refused_at_its_field(client, admin, saisine, login):
    login(client, admin)
    response = client.post(url(saisine), data=question_form(label="  ", help_text="Gardée"))
    assert response.status_code == 200
    page = text_of(response)
    assert '<p class="error" id="label-error">Ce champ est obligatoire.</p>' in page
    assert textarea(page, "help_text") == "Gardée"
    assert len(current(saisine)) == len(QUESTIONS)


# --- ordering, editing, deleting ----------------------------------------------------------


def test_admin_moves_a_question_up_and_down(client, admin, saisine, login):
    login(client, admin)
    first, second, third = current(saisine)
    response = client.post(url(saisine, f"/{third.id}/monter"), data={"submit": "1"})
    assert response.status_code == 302
    assert labels(saisine) == [first.label, third.label, second.label]
    client.post(url(saisine, f"/{first.id}/descendre"), data={"submit": "1"})
    assert labels(saisine) == [third.label, first.label, second.label]
    page = text_of(client.get(url(saisine)))
    assert "Question déplacée." in page
    assert page.index(third.label) < page.index(first.label) < page.index(second.label)


def test_moving_the_first_question_up_changes_nothing(client, admin, saisine, login):
    login(client, admin)
    first = current(saisine)[0]
    client.post(url(saisine, f"/{first.id}/monter"), data={"submit": "1"})
    assert labels(saisine) == [q["label"] for q in QUESTIONS]


def test_edit_page_is_prefilled_with_the_choices_one_per_line(client, admin, saisine, login):
    login(client, admin)
    choice = current(saisine)[2]
    page = text_of(client.get(url(saisine, f"/{choice.id}")))
    assert page.count("<h1") == 1
    assert 'value="Zonage souhaité"' in page
    assert textarea(page, "choices") == "UA\nUB\nN"
    assert '<option selected value="single_choice">' in page
    assert f'href="/concertation/saisines/{saisine.id}"' in page


def test_admin_edits_a_question(client, admin, saisine, login):
    login(client, admin)
    number = current(saisine)[0]
    data = question_form(
        label="Logements neufs", type="decimal", required="", unit="ha", help_text="Depuis 2020"
    )
    response = client.post(url(saisine, f"/{number.id}"), data=data)
    assert response.status_code == 302
    edited = current(saisine)[0]
    assert (edited.label, edited.type, edited.required) == ("Logements neufs", "decimal", False)
    assert (edited.unit, edited.help_text, edited.key) == ("ha", "Depuis 2020", number.key)
    assert "Question modifiée." in text_of(client.get(url(saisine)))


def test_editing_into_a_choice_with_one_choice_is_refused_at_the_field(
    client, admin, saisine, login
):
    login(client, admin)
    number = current(saisine)[0]
    data = question_form(label="Renommée", type="single_choice", choices="Seul choix")
    response = client.post(url(saisine, f"/{number.id}"), data=data)
    assert response.status_code == 200
    page = text_of(response)
    assert f'<p class="error" id="choices-error">{TWO_CHOICES}</p>' in page
    assert 'value="Renommée"' in page and textarea(page, "choices") == "Seul choix"
    unchanged = current(saisine)[0]
    assert (unchanged.label, unchanged.type) == ("Nombre de logements", QuestionType.INTEGER)


def test_admin_deletes_a_question(client, admin, saisine, login):
    login(client, admin)
    middle = current(saisine)[1]
    response = client.post(url(saisine, f"/{middle.id}/supprimer"), data={"submit": "1"})
    assert response.status_code == 302
    assert labels(saisine) == ["Nombre de logements", "Zonage souhaité"]
    assert "Question supprimée." in text_of(client.get(url(saisine)))


def test_buttons_need_the_csrf_token(client, admin, saisine, login, csrf_on):
    login(client, admin)
    first, second, _third = current(saisine)
    client.post(url(saisine, f"/{first.id}/supprimer"), data={"submit": "1"})
    client.post(url(saisine, f"/{second.id}/monter"), data={"submit": "1"})
    client.post(url(saisine, "/nouvelle-version"), data={"submit": "1"})
    assert labels(saisine) == [q["label"] for q in QUESTIONS]
    assert saisine.questionnaire_version == 1


# --- freezing and versions ----------------------------------------------------------------


def test_questionnaire_freezes_once_a_commune_has_answered(client, org, admin, saisine, login):
    answer_as_commune(org, saisine)
    login(client, admin)
    page = text_of(client.get(url(saisine)))
    assert "Figé : une commune a déjà répondu à cette version" in page
    assert FROZEN in page
    assert "Créer la version 2 du questionnaire" in page
    assert "nouvelles réponses utilisent la nouvelle version" in page
    assert 'name="label"' not in page and "/monter" not in page and "/supprimer" not in page


def test_frozen_questionnaire_refuses_every_change(client, org, admin, saisine, login):
    answer_as_commune(org, saisine)
    first, second, _third = current(saisine)
    login(client, admin)
    response = client.post(url(saisine), data=question_form(label="Trop tard"))
    assert response.status_code == 200
    assert FROZEN in text_of(response) and 'value="Trop tard"' in text_of(response)
    response = client.post(url(saisine, f"/{first.id}"), data=question_form(label="Changée"))
    assert response.status_code == 200 and FROZEN in text_of(response)
    for action in ("/supprimer", "/descendre"):
        response = client.post(url(saisine, f"/{first.id}{action}"), data={"submit": "1"})
        assert response.status_code == 302
        assert FROZEN in text_of(client.get(url(saisine)))
    assert labels(saisine) == [q["label"] for q in QUESTIONS]


def test_edit_page_of_a_frozen_question_explains_the_new_version(
    client, org, admin, saisine, login
):
    answer_as_commune(org, saisine)
    login(client, admin)
    page = text_of(client.get(url(saisine, f"/{current(saisine)[0].id}")))
    assert FROZEN in page and "Créer la version 2 du questionnaire" in page
    assert 'name="label"' not in page


def test_new_version_copies_the_questions_and_can_change_again(client, org, admin, saisine, login):
    answer = answer_as_commune(org, saisine)
    old = current(saisine)
    login(client, admin)
    response = client.post(url(saisine, "/nouvelle-version"), data={"submit": "1"})
    assert response.status_code == 302
    page = text_of(client.get(url(saisine)))
    assert "Version 2 du questionnaire créée" in page
    assert "Version du questionnaire</dt><dd>2</dd>" in page and "Modifiable" in page
    copies = current(saisine)
    assert saisine.questionnaire_version == 2
    assert [(q.key, q.label, q.version) for q in copies] == [(q.key, q.label, 2) for q in old]
    assert {q.id for q in copies}.isdisjoint(q.id for q in old)

    client.post(url(saisine), data=question_form(label="Question de la version 2"))
    client.post(url(saisine, f"/{copies[0].id}"), data=question_form(label="Logements (v2)"))
    client.post(url(saisine, f"/{copies[1].id}/supprimer"), data={"submit": "1"})
    assert labels(saisine) == ["Logements (v2)", "Zonage souhaité", "Question de la version 2"]
    db.session.refresh(answer)
    assert answer.questionnaire_version == 1
    first_version = [q.label for q in saisine.questions if q.version == 1]
    assert first_version == [q["label"] for q in QUESTIONS]


def test_question_of_an_old_version_can_no_longer_change(client, org, admin, saisine, login):
    answer_as_commune(org, saisine)
    old = current(saisine)[0]
    login(client, admin)
    client.post(url(saisine, "/nouvelle-version"), data={"submit": "1"})
    message = "Cette question appartient à une version précédente du questionnaire."
    response = client.get(url(saisine, f"/{old.id}"))
    assert response.status_code == 302
    for action in ("/supprimer", "/descendre"):
        client.post(url(saisine, f"/{old.id}{action}"), data={"submit": "1"})
    assert message in text_of(client.get(url(saisine)))
    db.session.expire_all()
    assert old.label == "Nombre de logements" and old.version == 1
    assert labels(saisine) == [q["label"] for q in QUESTIONS]


def test_closed_saisine_questionnaire_no_longer_changes(client, org, admin, login):
    saisine = factories.saisine(org, admin, kind="data", questions=QUESTIONS)
    services.close_saisine(saisine, utcnow(), admin)
    db.session.commit()
    login(client, admin)
    page = text_of(client.get(url(saisine)))
    assert "Figé : la saisine est close" in page and 'name="label"' not in page
    response = client.post(url(saisine), data=question_form(label="Trop tard"))
    assert "La saisine est close." in text_of(response)
    client.post(url(saisine, "/nouvelle-version"), data={"submit": "1"})
    assert "La saisine est close." in text_of(client.get(url(saisine)))
    assert saisine.questionnaire_version == 1
    assert labels(saisine) == [q["label"] for q in QUESTIONS]


# --- the services -------------------------------------------------------------------------


def test_add_question_gives_stable_unique_keys_and_the_next_position(org, admin, saisine):
    first = services.add_question(
        admin, saisine, label="Nombre de logements", type=QuestionType.INTEGER, required=False
    )
    second = services.add_question(
        admin, saisine, label="  Été ?  ", type=QuestionType.SHORT_TEXT, required=True
    )
    assert first.key == "nombre_de_logements_2" and first.position == len(QUESTIONS) + 1
    assert second.key == "ete" and second.label == "Été ?" and second.position == first.position + 1


def test_choices_are_cleaned_and_dropped_for_other_types(org, admin, saisine):
    choice = services.add_question(
        admin,
        saisine,
        label="Choix",
        type=QuestionType.SINGLE_CHOICE,
        required=False,
        choices=[" A ", "", "B", "A"],
    )
    text = services.add_question(
        admin, saisine, label="Texte", type=QuestionType.SHORT_TEXT, required=False, choices=["X"]
    )
    assert choice.choices == ["A", "B"] and text.choices == []


@pytest.mark.parametrize("type_", [QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE])
def test_choice_questions_need_two_different_choices(org, admin, saisine, type_):
    with pytest.raises(services.SaisineError) as refused:
        services.add_question(
            admin, saisine, label="Choix", type=type_, required=False, choices=["A", " A"]
        )
    assert refused.value.code == "two_choices_needed"
    question = saisine.current_questions[0]
    with pytest.raises(services.SaisineError) as refused:
        services.update_question(
            admin, question, label="Choix", type=type_, required=False, choices=[]
        )
    assert refused.value.code == "two_choices_needed"


def test_move_question_swaps_neighbours_and_stops_at_the_ends(org, admin, saisine):
    first, second, third = ordered(saisine)
    services.move_question(admin, third, -1)
    assert ordered(saisine) == [first, third, second]
    services.move_question(admin, first, -1)
    services.move_question(admin, second, 1)
    assert ordered(saisine) == [first, third, second]


def test_services_refuse_changes_once_a_commune_has_answered(org, admin, saisine):
    answer_as_commune(org, saisine)
    assert services.questionnaire_frozen(saisine)
    question = saisine.current_questions[0]
    attempts = [
        lambda: services.add_question(
            admin, saisine, label="X", type=QuestionType.SHORT_TEXT, required=False
        ),
        lambda: services.update_question(
            admin, question, label="X", type=QuestionType.SHORT_TEXT, required=False
        ),
        lambda: services.delete_question(admin, question),
        lambda: services.move_question(admin, question, 1),
    ]
    for attempt in attempts:
        with pytest.raises(services.SaisineError) as refused:
            attempt()
        assert refused.value.code == "questionnaire_frozen"


def test_new_version_unfreezes_and_leaves_the_answers_on_their_version(org, admin, saisine):
    answer = answer_as_commune(org, saisine)
    old = current(saisine)
    assert services.new_questionnaire_version(admin, saisine) == 2
    db.session.commit()
    assert not services.questionnaire_frozen(saisine)
    copies = current(saisine)
    assert [(q.key, q.type, q.choices, q.unit) for q in copies] == [
        (q.key, q.type, q.choices, q.unit) for q in old
    ]
    services.update_question(
        admin, copies[0], label="Changée", type=QuestionType.INTEGER, required=False
    )
    assert old[0].label == "Nombre de logements"
    with pytest.raises(services.SaisineError) as refused:
        services.delete_question(admin, old[0])
    assert refused.value.code == "old_version"
    stored = db.session.scalar(select(SaisineResponse).where(SaisineResponse.id == answer.id))
    assert stored.questionnaire_version == 1


def test_closed_saisine_refuses_questions_and_new_versions(org, admin):
    saisine = factories.saisine(org, admin, kind="data", questions=QUESTIONS)
    services.close_saisine(saisine, utcnow(), admin)
    for attempt in (
        lambda: services.add_question(
            admin, saisine, label="X", type=QuestionType.SHORT_TEXT, required=False
        ),
        lambda: services.new_questionnaire_version(admin, saisine),
    ):
        with pytest.raises(services.SaisineError) as refused:
            attempt()
        assert refused.value.code == "closed"
