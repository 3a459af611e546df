"""The EPCI's side of citizen consultations: creation, phases, questionnaire, lists, synthesis,
feedback, exports, search, the demo; every page for every role."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, insert, select
from werkzeug.datastructures import FileStorage

from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.organisations.queries import commune_by_insee
from app.organisations.services import add_host
from app.questionnaires import QuestionType
from app.uploads import services as uploads
from app.users.models import Role
from participation.citizen import exports, queries, search
from participation.citizen import manage_services as services
from participation.citizen.models import (
    Comment,
    ConsultationQuestion,
    ContentStatus,
    Moderation,
    Proposal,
    PublicConsultation,
    QuestionnaireAnswer,
)
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASE = "/admin/consultations"
LENS, LIEVIN, AVION = "62498", "62510", "62065"


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


@pytest.fixture
def citizen(org):
    return factories.user(org, Role.CITIZEN, name="Claire Habitante")


def _form(**overrides):
    data = {
        "title": "Aménagement des berges de la Souchez",
        "presentation": "Premier paragraphe.\n\nSecond <b>paragraphe</b>.",
        "theme_names": "Mobilités\nNature\n\n  mobilités  \nSécurité",
        "commune_mode": "all",
        # winter (UTC+1) then summer (UTC+2), typed in Paris time
        "information_starts_at": "2030-01-15T09:00",
        "contributions_start_at": "2030-03-01T09:00",
        "contributions_end_at": "2030-06-30T18:30",
        "synthesis_starts_at": "",
        "feedback_starts_at": "2030-09-01T10:00",
        "allow_proposals": "y",
        "allow_comments": "y",
        "allow_supports": "y",
        "moderation": "pre",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _proposal(
    consultation,
    title="Des bancs le long de la Souchez",
    *,
    body="Installer des bancs près du pont.",
    author=None,
    theme=None,
    commune=None,
    status=ContentStatus.PUBLISHED,
    supports=0,
    show_name=False,
    feedback_status=None,
    feedback="",
):
    proposal = Proposal(
        consultation_id=consultation.id,
        author_id=author.id if author else None,
        show_name=show_name,
        theme_id=theme.id if theme else None,
        commune_id=commune.id if commune else None,
        title=title,
        body=f"<p>{body}</p>",
        body_text=body,
        status=status,
        support_count=supports,
        feedback_status=feedback_status,
        feedback=feedback,
    )
    db.session.add(proposal)
    db.session.commit()
    return proposal


def _answer(consultation, user, answers, commune=None):
    entry = QuestionnaireAnswer(
        consultation_id=consultation.id,
        user_id=user.id,
        commune_id=commune.id if commune else None,
        answers=answers,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def _question(consultation, admin, label="Votre âge ?", type="integer", **extra):
    with current_app.test_request_context():
        question = services.add_question(
            admin, consultation, label=label, type=QuestionType(type), required=False, **extra
        )
    db.session.commit()
    return question


def _paris(moment: datetime) -> str:
    from app.web import PARIS

    return moment.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


# --- creation, edition, publication -----------------------------------------------------------


def test_admin_creates_a_consultation_with_dates_in_paris_time(client, org, admin, login):
    login(client, admin)
    document = (io.BytesIO(PDF), "dossier de concertation.pdf")
    response = client.post(
        f"{BASE}/nouvelle", data=_form(new_documents=[document]), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    consultation = db.session.scalar(select(PublicConsultation))
    assert response.headers["Location"].endswith(f"{BASE}/{consultation.id}")
    assert consultation.organisation_id == org.id and consultation.created_by_id == admin.id
    assert consultation.slug == "amenagement-des-berges-de-la-souchez"
    assert consultation.published is False
    # Paris is UTC+1 in winter (January, early March), UTC+2 in summer (June)
    assert consultation.information_starts_at == datetime(2030, 1, 15, 8, 0, tzinfo=UTC)
    assert consultation.contributions_start_at == datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
    assert consultation.contributions_end_at == datetime(2030, 6, 30, 16, 30, tzinfo=UTC)
    # no synthesis date typed: the synthesis starts when contributions close
    assert consultation.synthesis_starts_at == consultation.contributions_end_at
    assert consultation.feedback_starts_at == datetime(2030, 9, 1, 8, 0, tzinfo=UTC)
    assert consultation.presentation == "<p>Premier paragraphe.</p><p>Second <b>paragraphe</b>.</p>"
    # one theme per line, blank lines and repeats (case aside) dropped
    assert sorted(t.name for t in consultation.themes) == ["Mobilités", "Nature", "Sécurité"]
    assert len(consultation.communes) == 36
    assert consultation.moderation is Moderation.PRE
    assert consultation.allow_proposals and consultation.allow_supports
    assert not consultation.allow_questionnaire
    assert [d.file.original_name for d in consultation.documents] == ["dossier de concertation.pdf"]
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"consultation.create", "consultation.document_add"} <= actions


def test_a_second_consultation_with_the_same_title_gets_its_own_slug(client, org, admin, login):
    login(client, admin)
    client.post(f"{BASE}/nouvelle", data=_form())
    client.post(f"{BASE}/nouvelle", data=_form())
    slugs = db.session.scalars(select(PublicConsultation.slug).order_by(PublicConsultation.id))
    assert list(slugs) == [
        "amenagement-des-berges-de-la-souchez",
        "amenagement-des-berges-de-la-souchez-2",
    ]


def test_chosen_communes_only(client, org, admin, login):
    login(client, admin)
    lens, avion = commune_by_insee(org, LENS), commune_by_insee(org, AVION)
    client.post(
        f"{BASE}/nouvelle",
        data=_form(commune_mode="list", commune_ids=[str(lens.id), str(avion.id)]),
    )
    consultation = db.session.scalar(select(PublicConsultation))
    assert {c.insee_code for c in consultation.communes} == {LENS, AVION}
    # a list with no commune is refused next to the field
    response = client.post(f"{BASE}/nouvelle", data=_form(commune_mode="list"))
    assert response.status_code == 200
    assert "Choisissez au moins une commune concernée." in response.get_data(as_text=True)


def test_dates_out_of_order_are_refused_and_the_form_keeps_what_was_typed(
    client, org, admin, login
):
    login(client, admin)
    response = client.post(
        f"{BASE}/nouvelle",
        data=_form(contributions_end_at="2030-02-01T09:00", title="Ma consultation"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Les dates doivent se suivre" in page
    assert 'value="Ma consultation"' in page and 'value="2030-02-01T09:00"' in page
    assert db.session.scalar(select(func.count(PublicConsultation.id))) == 0
    # the same start and end of contributions is refused too
    response = client.post(
        f"{BASE}/nouvelle",
        data=_form(
            contributions_start_at="2030-03-01T09:00", contributions_end_at="2030-03-01T09:00"
        ),
    )
    assert "Les dates doivent se suivre" in response.get_data(as_text=True)
    # a date that is not one
    response = client.post(f"{BASE}/nouvelle", data=_form(feedback_starts_at="bientôt"))
    assert "Saisissez une date et une heure valides." in response.get_data(as_text=True)


def test_documents_are_checked_by_their_content(client, org, admin, login):
    login(client, admin)
    fake = (io.BytesIO(b"<script>alert(1)</script>"), "plan.pdf")
    response = client.post(
        f"{BASE}/nouvelle", data=_form(new_documents=[fake]), content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "plan.pdf" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PublicConsultation.id))) == 0


def test_presentation_is_sanitised(client, org, admin, login):
    login(client, admin)
    client.post(
        f"{BASE}/nouvelle",
        data=_form(presentation='<p onclick="x()">Texte <script>alert(1)</script><b>gras</b></p>'),
    )
    consultation = db.session.scalar(select(PublicConsultation))
    assert "<b>gras</b>" in consultation.presentation
    assert "script" not in consultation.presentation and "onclick" not in consultation.presentation


def test_edit_shows_paris_times_and_changes_themes_and_communes(client, org, admin, login):
    login(client, admin)
    client.post(f"{BASE}/nouvelle", data=_form())
    consultation = db.session.scalar(select(PublicConsultation))
    page = client.get(f"{BASE}/{consultation.id}/modifier").get_data(as_text=True)
    assert 'value="2030-01-15T09:00"' in page and 'value="2030-06-30T18:30"' in page
    assert "Mobilités\nNature\nSécurité" in page
    lens = commune_by_insee(org, LENS)
    response = client.post(
        f"{BASE}/{consultation.id}/modifier",
        data=_form(
            title="Berges de la Souchez",
            theme_names="mobilités\nNature\nJeunesse",
            commune_mode="list",
            commune_ids=[str(lens.id)],
            synthesis_starts_at="2030-07-01T00:00",
            moderation="post",
            allow_supports=None,
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    consultation = db.session.get(PublicConsultation, consultation.id)
    assert consultation.title == "Berges de la Souchez"
    assert consultation.slug == "amenagement-des-berges-de-la-souchez"  # links stay valid
    assert {t.name for t in consultation.themes} == {"Jeunesse", "mobilités", "Nature"}
    assert [c.insee_code for c in consultation.communes] == [LENS]
    assert consultation.synthesis_starts_at == datetime(2030, 6, 30, 22, 0, tzinfo=UTC)
    assert consultation.moderation is Moderation.POST and not consultation.allow_supports


def test_a_theme_with_proposals_cannot_be_removed(client, org, admin, login):
    consultation = factories.consultation(org, themes=("Mobilités", "Nature"))
    _proposal(consultation, theme=next(t for t in consultation.themes if t.name == "Mobilités"))
    login(client, admin)
    data = _form(
        theme_names="Nature\nCadre de vie",
        information_starts_at=_paris(consultation.information_starts_at).replace(" ", "T"),
        contributions_start_at=_paris(consultation.contributions_start_at).replace(" ", "T"),
        contributions_end_at=_paris(consultation.contributions_end_at).replace(" ", "T"),
        feedback_starts_at=_paris(consultation.feedback_starts_at).replace(" ", "T"),
    )
    response = client.post(f"{BASE}/{consultation.id}/modifier", data=data)
    assert response.status_code == 200
    assert "ne peuvent donc pas être retirées : Mobilités." in response.get_data(as_text=True)
    db.session.expire_all()
    names = {t.name for t in db.session.get(PublicConsultation, consultation.id).themes}
    assert names == {"Mobilités", "Nature"}


def test_publish_and_unpublish(client, org, admin, login):
    consultation = factories.consultation(org, published=False)
    login(client, admin)
    response = client.post(f"{BASE}/{consultation.id}/publication", data={"publish": "1"})
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.published
    page = client.get(f"{BASE}/{consultation.id}").get_data(as_text=True)
    assert "Retirer de la publication" in page and "Contributions ouvertes" in page
    client.post(f"{BASE}/{consultation.id}/publication", data={"publish": "0"})
    db.session.refresh(consultation)
    assert not consultation.published
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["consultation.publish", "consultation.unpublish"]


def test_phases_follow_the_dates(client, org, admin, login):
    login(client, admin)
    expected = {
        "upcoming": "À venir",
        "information": "Information",
        "contributions": "Contributions ouvertes",
        "synthesis": "Synthèse",
        "feedback": "Retour aux habitants",
    }
    for phase in expected:
        factories.consultation(org, phase=phase, title=f"Consultation {phase}")
    page = client.get(f"{BASE}/").get_data(as_text=True)
    for phase, label in expected.items():
        row = page.split(f"Consultation {phase}</a>", 1)[1].split("</tr>", 1)[0]
        assert label in row, phase


def test_documents_can_be_downloaded_and_removed(client, org, admin, login):
    login(client, admin)
    document = (io.BytesIO(PDF), "plan.pdf")
    client.post(
        f"{BASE}/nouvelle", data=_form(new_documents=[document]), content_type="multipart/form-data"
    )
    consultation = db.session.scalar(select(PublicConsultation))
    document_id = consultation.documents[0].id
    response = client.get(f"{BASE}/{consultation.id}/documents/{document_id}")
    assert response.status_code == 200 and response.data == PDF
    response.close()
    client.post(f"{BASE}/{consultation.id}/documents/{document_id}/supprimer")
    db.session.expire_all()
    assert db.session.get(PublicConsultation, consultation.id).documents == []
    assert client.get(f"{BASE}/{consultation.id}/documents/{document_id}").status_code == 404


# --- questionnaire -----------------------------------------------------------------------------


def test_questionnaire_builder_adds_edits_moves_and_deletes(client, org, admin, login):
    consultation = factories.consultation(org)
    login(client, admin)
    url = f"{BASE}/{consultation.id}/questions"
    client.post(url, data={"label": "Votre âge ?", "type": "integer", "unit": "ans"})
    client.post(
        url,
        data={
            "label": "Vos usages des berges",
            "type": "multiple_choice",
            "choices": "Marcher\nCourir\n\nMarcher",
            "required": "y",
        },
    )
    first, second = sorted(consultation.questions, key=lambda q: q.position)
    assert (first.key, first.unit) == ("votre_age", "ans")
    assert second.choices == ["Marcher", "Courir"] and second.required
    # one choice is not enough
    response = client.post(url, data={"label": "Oui ?", "type": "single_choice", "choices": "A"})
    assert "Proposez au moins deux choix" in response.get_data(as_text=True)
    # participants send no files
    response = client.post(url, data={"label": "Une photo", "type": "file"})
    assert response.status_code == 200 and len(consultation.questions) == 2
    client.post(
        f"{url}/{first.id}", data={"label": "Votre âge", "type": "integer", "unit": "années"}
    )
    client.post(f"{url}/{first.id}/descendre")
    db.session.expire_all()
    ordered = sorted(
        db.session.get(PublicConsultation, consultation.id).questions, key=lambda q: q.position
    )
    assert [q.label for q in ordered] == ["Vos usages des berges", "Votre âge"]
    client.post(f"{url}/{first.id}/monter")
    client.post(f"{url}/{second.id}/supprimer")
    db.session.expire_all()
    left = db.session.get(PublicConsultation, consultation.id).questions
    assert [(q.label, q.unit) for q in left] == [("Votre âge", "années")]
    page = client.get(url).get_data(as_text=True)
    assert "Aperçu pour les habitants" in page and "Modifiable" in page
    assert '<option value="file"' not in page


def test_questions_are_frozen_once_someone_answered(client, org, admin, citizen, login):
    consultation = factories.consultation(org)
    question = _question(consultation, admin)
    _answer(consultation, citizen, {"votre_age": 41})
    login(client, admin)
    url = f"{BASE}/{consultation.id}/questions"
    page = client.get(url).get_data(as_text=True)
    assert "Figé" in page and "Ajouter une question" not in page
    response = client.post(url, data={"label": "Autre ?", "type": "short_text"})
    assert "ne peuvent plus changer" in response.get_data(as_text=True)
    client.post(f"{url}/{question.id}", data={"label": "Changée", "type": "short_text"})
    client.post(f"{url}/{question.id}/supprimer")
    db.session.expire_all()
    questions = db.session.scalars(select(ConsultationQuestion)).all()
    assert [(q.label, q.type) for q in questions] == [("Votre âge ?", QuestionType.INTEGER)]


# --- proposals, feedback, synthesis --------------------------------------------------------


def test_admin_list_shows_every_status_and_filters(client, org, admin, citizen, login):
    consultation = factories.consultation(org, moderation="pre")
    mobility = consultation.themes[0]
    _proposal(consultation, "Publiée sur les vélos", theme=mobility, body="Des vélos partout.")
    _proposal(consultation, "En attente", status=ContentStatus.PENDING)
    _proposal(consultation, "Masquée", status=ContentStatus.HIDDEN)
    login(client, admin)
    url = f"{BASE}/{consultation.id}/propositions"
    page = client.get(url).get_data(as_text=True)
    assert "3 propositions" in page
    for label in ("En attente de modération", "Publiée", "Masquée"):
        assert label in page
    page = client.get(url, query_string={"status": "pending"}).get_data(as_text=True)
    assert "1 proposition" in page and "En attente</a>" in page
    page = client.get(url, query_string={"theme": mobility.id}).get_data(as_text=True)
    assert "Publiée sur les vélos" in page and "Masquée</a>" not in page
    page = client.get(url, query_string={"q": "vélos"}).get_data(as_text=True)
    assert "Publiée sur les vélos" in page and "1 proposition" in page
    page = client.get(url, query_string={"status": "nonsense", "page": "x"})
    assert page.status_code == 200


def test_admin_list_takes_a_bounded_number_of_queries(
    client, org, admin, citizen, login, count_queries
):
    consultation = factories.consultation(org)
    communes = [c.id for c in org.communes]

    def add(n):
        rows = [
            {
                "consultation_id": consultation.id,
                "author_id": citizen.id,
                "show_name": True,
                "theme_id": consultation.themes[i % 3].id,
                "commune_id": communes[i % len(communes)],
                "title": f"Proposition {i}",
                "body": "<p>Texte</p>",
                "body_text": "Texte",
                "status": "published",
                "support_count": i,
                "feedback": "",
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for i in range(n)
        ]
        db.session.execute(insert(Proposal.__table__), rows)
        db.session.commit()

    login(client, admin)
    url = f"{BASE}/{consultation.id}/propositions"
    add(3)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add(60)
    with count_queries() as many:
        page = client.get(url, query_string={"sort": "supported"})
    assert page.status_code == 200
    assert many.count == few.count <= 13  # with the menu badges (moderation, mailbox)
    text = page.get_data(as_text=True)
    # pagination keeps the filters
    assert "sort=supported" in text and "page=2" in text


def test_feedback_per_proposal(client, org, admin, login):
    consultation = factories.consultation(org, phase="synthesis")
    proposal = _proposal(consultation)
    login(client, admin)
    url = f"{BASE}/{consultation.id}/propositions/{proposal.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Réponse de l&#39;EPCI" in page or "Réponse de l'EPCI" in page
    response = client.post(
        url,
        data={
            "feedback_status": "partly",
            "feedback": "Retenue en partie.\n\n<script>x</script>Deux bancs en 2027.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.feedback_status == "partly"
    assert proposal.feedback == "<p>Retenue en partie.</p><p>xDeux bancs en 2027.</p>"
    # a text needs a status; an unknown status is refused
    response = client.post(url, data={"feedback_status": "", "feedback": "Peut-être"})
    assert "Indiquez si la proposition est retenue." in response.get_data(as_text=True)
    response = client.post(url, data={"feedback_status": "maybe", "feedback": ""})
    assert response.status_code == 200
    db.session.refresh(proposal)
    assert proposal.feedback_status == "partly"
    # taking the answer back
    client.post(url, data={"feedback_status": "", "feedback": ""})
    db.session.refresh(proposal)
    assert proposal.feedback_status is None and proposal.feedback == ""
    assert "consultation.feedback" in set(db.session.scalars(select(AuditEntry.action)))


def test_synthesis_counts_and_text(client, org, admin, citizen, login, count_queries):
    consultation = factories.consultation(org, phase="synthesis")
    themes = {t.name: t for t in consultation.themes}
    mobility, nature = themes["Mobilités"], themes["Environnement"]
    lens, lievin = commune_by_insee(org, LENS), commune_by_insee(org, LIEVIN)
    _proposal(consultation, "A", theme=mobility, commune=lens, supports=5, author=citizen)
    _proposal(consultation, "B", theme=mobility, commune=lievin, supports=9, author=citizen)
    _proposal(consultation, "C", theme=nature, commune=lens, supports=1)
    _proposal(consultation, "D", commune=None, supports=0)
    _proposal(consultation, "E", theme=nature, supports=50, status=ContentStatus.HIDDEN)
    summary = queries.synthesis_of(consultation)
    assert (summary.proposals, summary.supports, summary.contributors) == (4, 15, 1)
    assert [(r.label, r.proposals, r.supports) for r in summary.by_theme] == [
        ("Mobilités", 2, 14),
        ("Environnement", 1, 1),
        (None, 1, 0),
    ]
    assert [(r.label, r.proposals) for r in summary.by_commune] == [
        ("Lens", 2),
        ("Liévin", 1),
        (None, 1),
    ]
    assert [p.title for p in summary.most_supported] == ["B", "A", "C"]
    login(client, admin)
    url = f"{BASE}/{consultation.id}/synthese"
    with count_queries() as counter:
        page = client.get(url).get_data(as_text=True)
    assert counter.count <= 16  # with the menu badges (moderation, mailbox)
    assert "4 propositions publiées" in page and "Sans thématique" in page
    response = client.post(
        url, data={"synthesis": "Les habitants veulent des bancs.\n\nEt de l'ombre."}
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.synthesis == "<p>Les habitants veulent des bancs.</p><p>Et de l'ombre.</p>"
    assert "Aperçu pour les habitants" in client.get(url).get_data(as_text=True)


# --- exports -----------------------------------------------------------------------------


def _export_setup(org, admin, citizen):
    consultation = factories.consultation(org, phase="feedback")
    named = factories.user(org, Role.CITIZEN, name="Jean Visible")
    lens = commune_by_insee(org, LENS)
    first = _proposal(
        consultation,
        "Des bancs",
        body="Installer « des bancs » ; près du pont.",
        author=named,
        show_name=True,
        theme=next(t for t in consultation.themes if t.name == "Mobilités"),
        commune=lens,
        supports=3,
        feedback_status="retained",
        feedback="<p>Retenue.</p><p>Travaux en 2027 &amp; 2028.</p>",
    )
    _proposal(consultation, '=HYPERLINK("http://evil")', author=citizen, show_name=False)
    _proposal(consultation, "Cachée", status=ContentStatus.HIDDEN, author=citizen)
    db.session.add(
        Comment(proposal_id=first.id, author_id=citizen.id, body="<p>Oui</p>", status="published")
    )
    db.session.add(
        Comment(proposal_id=first.id, author_id=citizen.id, body="<p>Non</p>", status="hidden")
    )
    db.session.commit()
    return consultation


def test_proposals_csv(client, org, admin, citizen, login):
    consultation = _export_setup(org, admin, citizen)
    login(client, admin)
    response = client.get(f"{BASE}/{consultation.id}/propositions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed  # written as the rows are read, never whole in memory
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "propositions.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["N°", "Déposée le (heure de Paris)", "Titre", "Texte"]
    assert len(rows) == 4  # header and three proposals, hidden ones included
    first, evil, hidden = rows[1:]
    assert first[2:] == [
        "Des bancs",
        "Installer « des bancs » ; près du pont.",
        "Mobilités",
        "Lens",
        "3",
        "1",
        "Publiée",
        "Jean Visible",
        "Retenue",
        "Retenue.\nTravaux en 2027 & 2028.",
    ]
    # the name is given only when the author chose to show it; formulas stay text
    assert evil[2] == '\'=HYPERLINK("http://evil")' and evil[9] == ""
    assert hidden[8] == "Masquée" and hidden[9] == ""


def test_proposals_xlsx(client, org, admin, citizen, login):
    consultation = _export_setup(org, admin, citizen)
    login(client, admin)
    response = client.get(f"{BASE}/{consultation.id}/propositions.xlsx")
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX_MIMETYPE
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Propositions"]
    assert sheet["C1"].value == "Titre" and sheet.freeze_panes == "A2"
    assert sheet["C2"].value == "Des bancs" and sheet["G2"].value == 3
    assert sheet["C3"].value == '=HYPERLINK("http://evil")'
    assert sheet["C3"].data_type == "s"  # a text, not a formula
    assert sheet["J2"].value == "Jean Visible" and sheet["J3"].value is None
    assert sheet.max_row == 4


def test_questionnaire_answers_export(client, org, admin, citizen, login):
    consultation = factories.consultation(org)
    _question(consultation, admin, "Votre âge ?", "integer", unit="ans")
    _question(consultation, admin, "Vos usages", "multiple_choice", choices=["Marcher", "Courir"])
    _question(consultation, admin, "Satisfait(e) ?", "yes_no")
    lens = commune_by_insee(org, LENS)
    _answer(
        consultation,
        citizen,
        {"votre_age": 41, "vos_usages": ["Marcher", "Courir"], "satisfait_e": True},
        lens,
    )
    _answer(consultation, factories.user(org, Role.CITIZEN), {"satisfait_e": False})
    login(client, admin)
    response = client.get(f"{BASE}/{consultation.id}/questionnaire.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "N°",
        "Répondu le (heure de Paris)",
        "Commune",
        "Votre âge ? (ans)",
        "Vos usages",
        "Satisfait(e) ?",
    ]
    assert rows[1][2:] == ["Lens", "41", "Marcher ; Courir", "oui"]
    assert rows[2][2:] == ["", "", "", "non"]
    assert "Claire" not in response.get_data(as_text=True)  # answers carry no name
    response = client.get(f"{BASE}/{consultation.id}/questionnaire.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["D2"].value == 41 and sheet["E2"].value == "Marcher ; Courir"


def test_exports_of_a_large_consultation_take_few_queries(org, admin, citizen, count_queries):
    consultation = factories.consultation(org)
    rows = [
        {
            "consultation_id": consultation.id,
            "author_id": citizen.id,
            "show_name": bool(i % 2),
            "theme_id": consultation.themes[i % 3].id,
            "commune_id": None,
            "title": f"Proposition {i}",
            "body": "<p>Texte</p>",
            "body_text": "Texte",
            "status": "published",
            "support_count": i,
            "feedback": "",
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        for i in range(2500)
    ]
    db.session.execute(insert(Proposal.__table__), rows)
    db.session.commit()
    with force_locale("fr"), count_queries() as counter:
        headers, table = exports.proposal_table(consultation)
        content = b"".join(exports.iter_csv(headers, table))
    assert counter.count <= 3
    assert content.count(b"\r\n") == 2501


# --- search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("vélo", '("vélo" OR "vélos")'),
        ("Pistes  cyclables", '("pistes" OR "piste") AND ("cyclables" OR "cyclable")'),
        ('"phrase', '("phrase" OR "phrases")'),
        ("NEAR(a b)", '("near" OR "nears") AND "a" AND "b"'),
        ("vél*", '("vél" OR "véls")'),
        ("-eaux +ombre", '("eaux" OR "eau") AND ("ombre" OR "ombres")'),
        ("title:bus OR ombre", '("title" OR "titles") AND ("bus" OR "buss") AND "or" AND '
         '("ombre" OR "ombres")'),
        ("l'aménagement", '"l" AND ("aménagement" OR "aménagements")'),
        ("^ * \" - ( ) : {}", None),
        ("", None),
        ("x_y", '"x" AND "y"'),
    ],
)  # fmt: skip
def test_fts5_query_quotes_every_word(typed, expected):
    assert search.fts5_query(typed) == expected


def test_postgresql_query_binds_every_word():
    expression, values = search.tsquery("Vélos ; DROP TABLE x; --")
    assert "DROP" not in expression and "vélos" not in expression
    assert expression.startswith("(plainto_tsquery('french', :ts_0_0) || ")
    assert values["ts_0_0"] == "vélos" and values["ts_0_1"] == "vélo"
    assert values["ts_1_0"] == "drop" and search.tsquery("*") is None


def test_search_words_are_bounded():
    assert len(search.words("mot " * 100)) == search.MAX_WORDS
    assert len(search.words("a" * 500)[0]) == search.MAX_WORD_LENGTH


@pytest.mark.parametrize(
    "typed",
    [
        "NEAR(bancs ombre, 2)",
        'bancs" OR "1"="1',
        "bancs*",
        "-bancs",
        "bancs AND NOT ombre",
        "title:bancs",
        "'; DROP TABLE participation_proposal; --",
        "bancs^2",
    ],
)
def test_search_syntax_is_never_read_as_operators(org, typed):
    consultation = factories.consultation(org)
    _proposal(consultation, "Des bancs sous les arbres", body="Pour avoir de l'ombre.")
    _proposal(consultation, "Une passerelle", body="Traverser la rivière.")
    page = queries.proposals_page(consultation, search=typed)
    found = [p.title for p in page.items]
    assert "Une passerelle" not in found
    assert page.total == len(found)
    assert db.session.scalar(select(func.count(Proposal.id))) == 2


@pytest.mark.parametrize("typed", ['""', "(((", "* - ^", "NEAR"])
def test_a_search_of_operators_alone_finds_the_literal_words_or_nothing_to_search(org, typed):
    consultation = factories.consultation(org)
    _proposal(consultation, "Des bancs sous les arbres")
    _proposal(consultation, "Une passerelle près de la NEAR")
    page = queries.proposals_page(consultation, search=typed)
    expected = {"Une passerelle près de la NEAR"} if typed == "NEAR" else None
    found = {p.title for p in page.items}
    assert found == (expected or {"Des bancs sous les arbres", "Une passerelle près de la NEAR"})


def test_search_folds_accents_on_sqlite_and_stems_french_on_postgresql(org):
    consultation = factories.consultation(org)
    _proposal(consultation, "Un garage à vélo", body="Sécurisé, près de la gare.")
    _proposal(consultation, "Des bancs", body="Pour les promeneurs.")
    other = factories.consultation(org, title="Autre consultation")
    _proposal(other, "Un vélo partagé", body="Ailleurs.")

    def titles(text, consultation=consultation):
        return [p.title for p in queries.proposals_page(consultation, search=text).items]

    assert titles("vélo") == ["Un garage à vélo"]
    assert titles("SÉCURISÉ gare") == ["Un garage à vélo"]
    assert titles("vélo bancs") == []
    assert len(titles("   ")) == 2  # no word: no search
    if db.engine.dialect.name == "sqlite":
        # unicode61 folds accents (no stemming): "velo" finds "vélo"
        assert titles("velo") == ["Un garage à vélo"]
        assert titles("securise") == ["Un garage à vélo"]
    else:
        # French stemming: other forms of a word find it
        assert titles("promeneur") == ["Des bancs"]
        assert titles("sécurisées") == ["Un garage à vélo"]
    # singular and plural find each other, on both databases
    assert titles("vélos") == ["Un garage à vélo"]
    assert titles("garages") == ["Un garage à vélo"]
    assert titles("banc") == ["Des bancs"]


def test_search_skips_hidden_proposals_on_public_lists(org):
    consultation = factories.consultation(org)
    _proposal(consultation, "Vélo caché", status=ContentStatus.HIDDEN)
    _proposal(consultation, "Vélo en attente", status=ContentStatus.PENDING)
    assert queries.proposals_page(consultation, search="vélo").total == 0
    assert queries.proposals_page(consultation, search="vélo", include_hidden=True).total == 2
    page = queries.proposals_page(consultation, include_hidden=True, status="pending")
    assert [p.title for p in page.items] == ["Vélo en attente"]


def test_filters_from_the_query_string_never_fail():
    filters = queries.filters_from(
        {"theme": "abc", "commune": "-3", "sort": "oldest", "q": " bancs ", "page": "99999999"}
    )
    assert filters == queries.ProposalFilters(None, None, "newest", "bancs", 100_000)
    assert queries.filters_from({"theme": "4", "sort": "supported"}).as_args() == {
        "theme": 4,
        "sort": "supported",
    }


# --- who may do what -----------------------------------------------------------------------


def _pages(consultation, question, proposal, document_id):
    c = f"{BASE}/{consultation.id}"
    gets = [
        f"{BASE}/",
        f"{BASE}/nouvelle",
        c,
        f"{c}/modifier",
        f"{c}/questions",
        f"{c}/questions/{question.id}",
        f"{c}/propositions",
        f"{c}/propositions/{proposal.id}",
        f"{c}/synthese",
        f"{c}/propositions.csv",
        f"{c}/propositions.xlsx",
        f"{c}/questionnaire.csv",
        f"{c}/questionnaire.xlsx",
        f"{c}/documents/{document_id}",
    ]
    posts = [
        f"{BASE}/nouvelle",
        f"{c}/modifier",
        f"{c}/publication",
        f"{c}/documents/{document_id}/supprimer",
        f"{c}/questions",
        f"{c}/questions/{question.id}",
        f"{c}/questions/{question.id}/monter",
        f"{c}/questions/{question.id}/descendre",
        f"{c}/questions/{question.id}/supprimer",
        f"{c}/propositions/{proposal.id}",
        f"{c}/synthese",
    ]
    return gets, posts


@pytest.fixture
def everything(org, admin):
    consultation = factories.consultation(org)
    question = _question(consultation, admin)
    proposal = _proposal(consultation)
    upload = FileStorage(io.BytesIO(PDF), "plan.pdf")
    stored = uploads.store(upload, org.id, admin.id)
    with current_app.test_request_context():
        document = services.add_document(admin, consultation, stored)
    db.session.commit()
    return _pages(consultation, question, proposal, document.id)


def test_admin_reaches_every_page(client, org, admin, login, everything):
    gets, _posts = everything
    login(client, admin)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


@pytest.mark.parametrize(
    "role", [Role.CITIZEN, Role.MAYOR, Role.COMMUNE_STAFF, Role.VICE_PRESIDENT, None]
)
def test_other_roles_are_refused(client, org, login, everything, role):
    login(client, factories.user(org, role, commune=LENS))
    gets, posts = everything
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data=_form()).status_code == 403, url
    assert db.session.scalar(select(func.count(PublicConsultation.id))) == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client, org, everything):
    gets, posts = everything
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in posts:
        response = client.post(url, data=_form())
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_admin_of_another_organisation(client, org, other_org, login, everything):
    add_host(org, "localhost")
    db.session.commit()
    stranger = factories.user(other_org, Role.ADMIN)
    gets, posts = everything
    # on their own platform, the consultations of Lens-Liévin do not exist
    login(client, stranger, host="carcassonne.test")
    for url in gets[2:]:
        assert client.get(f"http://carcassonne.test{url}").status_code == 404, url
    for url in posts[1:]:
        response = client.post(f"http://carcassonne.test{url}", data=_form())
        assert response.status_code == 404, url
    assert client.get("http://carcassonne.test/admin/consultations/").status_code == 200
    # on Lens-Liévin's platform, their session is not valid
    login(client, stranger)
    response = client.get(gets[2])
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(func.count(PublicConsultation.id))) == 1


def test_navigation_link_for_admins_only(client, org, admin, citizen, login):
    login(client, admin)
    assert "Gérer les consultations" in client.get("/").get_data(as_text=True)
    login(client, citizen)
    assert "Gérer les consultations" not in client.get("/").get_data(as_text=True)


# --- demo --------------------------------------------------------------------------------


def test_demo_consultations_are_quick_and_idempotent(org):
    import time

    from participation.citizen.demo import BERGES, citizen_consultations

    began = time.perf_counter()
    citizen_consultations(org)
    db.session.commit()
    assert time.perf_counter() - began < 10
    citizen_consultations(org)
    db.session.commit()
    berges = queries.consultation_by_slug(org, BERGES, published_only=True)
    assert berges is not None and len(berges.themes) == 4
    assert len(berges.communes) == 36
    assert (
        db.session.scalar(
            select(func.count(Proposal.id)).where(Proposal.consultation_id == berges.id)
        )
        == 400
    )
    from participation.citizen.rules import phase

    assert phase(berges, utcnow()) == "contributions"
    summary = queries.synthesis_of(berges)
    assert summary.supports > 400 and summary.comments > 100 and summary.answers > 0
    assert db.session.scalar(select(func.count(PublicConsultation.id))) == 2
    page = queries.proposals_page(berges, search="passerelle")
    assert page.total > 0
    assert timedelta(0) < berges.feedback_starts_at - berges.contributions_end_at
