"""The EPCI's side of saisines: create, edit, open, extend, publish, dashboard, commands."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import db, utcnow
from app.mail.models import OutboxEmail
from app.organisations.queries import commune_by_insee
from app.organisations.services import add_host
from app.users.models import Role
from consultations.saisines import rules, services
from consultations.saisines.models import (
    Opinion,
    Saisine,
    SaisineStatus,
)
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def admin(org):
    return factories.user(org, Role.ADMIN, name="Agent EPCI")


def _form(**overrides):
    today = rules.to_paris(utcnow()).date()
    data = {
        "reference": "2026-PLUI-01",
        "title": "Modification du PLUi",
        "description": "Premier paragraphe.\n\nSecond <b>paragraphe</b>.",
        "kind": "opinion",
        "opens_on": today.isoformat(),
        "opens_time": "09:00",
        "deadline_on": (today + timedelta(days=30)).isoformat(),
        "deadline_time": "",
        "silence_rule": "favourable",
        "legal_basis": "Article L153-15 du code de l'urbanisme",
        "target_mode": "all",
    }
    data.update(overrides)
    return data


def _submit(org, saisine, insee, opinion=Opinion.FAVORABLE, motivation="", answers=None):
    from flask import current_app

    mayor = factories.user(org, Role.MAYOR, commune=insee, name=f"Maire {insee}")
    data = services.ResponseData(
        opinion=opinion,
        motivation=motivation,
        answers=answers or {},
        new_files=[],
        removed_attachment_ids=[],
    )
    with current_app.test_request_context():
        services.submit_response(
            mayor, saisine, commune_by_insee(org, insee), data, None, utcnow(), "mayor"
        )
    db.session.commit()


def test_admin_creates_a_saisine_for_all_communes(client, org, admin, login):
    login(client, admin)
    response = client.post("/concertation/saisines/nouvelle", data=_form())
    assert response.status_code == 302
    saisine = db.session.scalar(select(Saisine))
    assert saisine.status is SaisineStatus.DRAFT and len(saisine.targets) == 36
    assert saisine.description == "<p>Premier paragraphe.</p><p>Second <b>paragraphe</b>.</p>"
    # the deadline typed in Paris time is stored in UTC: 23:59 by default
    assert rules.to_paris(saisine.deadline).strftime("%H:%M") == "23:59"
    assert rules.to_paris(saisine.opens_at).strftime("%H:%M") == "09:00"


def test_rich_text_is_sanitised(client, org, admin, login):
    login(client, admin)
    client.post(
        "/concertation/saisines/nouvelle",
        data=_form(
            description='<p onclick="x()">Texte <script>alert(1)</script><strong>gras</strong></p>'
        ),
    )
    saisine = db.session.scalar(select(Saisine))
    assert "<strong>gras</strong>" in saisine.description
    assert "script" not in saisine.description and "onclick" not in saisine.description


def test_targets_by_hand_picked_list_and_by_sector(client, org, admin, login):
    from app.organisations.models import Sector

    sector = Sector(organisation_id=org.id, name="Secteur Lens")
    db.session.add(sector)
    db.session.flush()
    for insee in ("62498", "62413", "62291"):
        commune_by_insee(org, insee).sector_id = sector.id
    db.session.commit()
    login(client, admin)
    lens, avion = commune_by_insee(org, "62498"), commune_by_insee(org, "62065")
    client.post(
        "/concertation/saisines/nouvelle",
        data=_form(reference="A", target_mode="list", communes=[str(lens.id), str(avion.id)]),
    )
    client.post(
        "/concertation/saisines/nouvelle",
        data=_form(reference="B", target_mode="sector", sectors=[str(sector.id)]),
    )
    by_list, by_sector = db.session.scalars(select(Saisine).order_by(Saisine.reference)).all()
    assert {t.commune.insee_code for t in by_list.targets} == {"62498", "62065"}
    assert {t.commune.insee_code for t in by_sector.targets} == {"62498", "62413", "62291"}


def test_invalid_saisine_form_keeps_what_was_typed(client, org, admin, login):
    login(client, admin)
    today = rules.to_paris(utcnow()).date()
    response = client.post(
        "/concertation/saisines/nouvelle",
        data=_form(title="Mon objet", deadline_on=(today - timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 200
    assert "La date limite doit être postérieure à l&#39;ouverture." in response.text
    assert 'value="Mon objet"' in response.text
    empty = client.post("/concertation/saisines/nouvelle", data=_form(target_mode="list"))
    assert "Choisissez au moins une commune consultée." in empty.text
    assert db.session.scalar(select(func.count(Saisine.id))) == 0


def test_documents_are_checked_by_content_and_kept(client, org, admin, login, app):
    login(client, admin)
    fake = client.post(
        "/concertation/saisines/nouvelle",
        data={**_form(), "documents": [(io.BytesIO(b"not a pdf at all"), "dossier.pdf")]},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 200 and "n&#39;est pas accepté" in fake.text
    assert db.session.scalar(select(func.count(Saisine.id))) == 0
    good = client.post(
        "/concertation/saisines/nouvelle",
        data={**_form(), "documents": [(io.BytesIO(PDF), "notice de présentation.pdf")]},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    saisine = db.session.scalar(select(Saisine))
    document = saisine.documents[0]
    assert document.file.original_name == "notice de présentation.pdf"
    assert document.file.content_type == "application/pdf"
    download = client.get(f"/concertation/saisines/{saisine.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()


def test_upload_over_the_size_limit_is_refused(app, org, admin):
    from werkzeug.datastructures import FileStorage

    from app.uploads import services as uploads

    upload = FileStorage(io.BytesIO(PDF + b"x" * 2048), filename="gros.pdf")
    with pytest.raises(uploads.UploadError) as error:
        uploads.store(upload, org.id, admin.id, max_bytes=1024)
    assert error.value.code == "too_large"


def test_opening_notifies_every_target_commune_by_email(client, org, admin, login):
    lens_mayor = factories.user(org, Role.MAYOR, commune="62498")
    factories.user(org, Role.COMMUNE_STAFF, commune="62498")
    factories.user(org, Role.MAYOR, commune="62065")
    saisine = factories.saisine(org, admin, communes=["62498", "62510"], open_it=False)
    login(client, admin)
    response = client.post(f"/concertation/saisines/{saisine.id}/ouvrir")
    assert response.status_code == 302
    db.session.refresh(saisine)
    assert saisine.status is SaisineStatus.OPEN and saisine.notified_at is not None
    recipients = set(db.session.scalars(select(OutboxEmail.to_address)))
    assert lens_mayor.email in recipients and len(recipients) == 2  # not Avion: not targeted
    body = db.session.scalar(
        select(OutboxEmail.body_text).where(OutboxEmail.to_address == lens_mayor.email)
    )
    assert f"/concertation/communes/62498/saisines/{saisine.id}" in body


def test_a_saisine_opened_before_its_opening_date_is_announced_then(client, org, admin, app):
    factories.user(org, Role.MAYOR, commune="62498")
    saisine = factories.saisine(org, admin, communes=["62498"], opens_in=2, deadline_in=20)
    assert saisine.status is SaisineStatus.OPEN and saisine.notified_at is None
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
    with app.test_request_context():
        services.send_reminders(utcnow() + timedelta(days=2, hours=1), (7, 1))
    db.session.commit()
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 1


def test_data_collection_cannot_open_without_questions(client, org, admin, login):
    saisine = factories.saisine(org, admin, kind="data", open_it=False)
    login(client, admin)
    page = client.post(f"/concertation/saisines/{saisine.id}/ouvrir", follow_redirects=True)
    assert "Ajoutez au moins une question" in page.text
    db.session.refresh(saisine)
    assert saisine.status is SaisineStatus.DRAFT


def test_open_saisine_keeps_its_dates_and_targets(client, org, admin, login):
    saisine = factories.saisine(org, admin, communes=["62498"])
    deadline = saisine.deadline
    login(client, admin)
    client.post(
        f"/concertation/saisines/{saisine.id}/modifier",
        data=_form(
            reference=saisine.reference,
            title="Nouvel objet",
            target_mode="all",
            deadline_on="2030-01-01",
        ),
    )
    db.session.refresh(saisine)
    assert saisine.title == "Nouvel objet"
    assert saisine.deadline == deadline and len(saisine.targets) == 1


def test_extending_the_deadline_tells_every_target_with_the_reason(client, org, admin, login):
    factories.user(org, Role.MAYOR, commune="62498")
    factories.user(org, Role.MAYOR, commune="62510")
    saisine = factories.saisine(org, admin, communes=["62498", "62510"], deadline_in=3)
    db.session.execute(db.delete(OutboxEmail))
    db.session.commit()
    login(client, admin)
    new_day = (rules.to_paris(saisine.deadline) + timedelta(days=15)).date()
    refused = client.post(
        f"/concertation/saisines/{saisine.id}/prolonger",
        data={"deadline_on": new_day.isoformat(), "reason": ""},
    )
    assert refused.status_code == 200 and "Ce champ est obligatoire." in refused.text
    response = client.post(
        f"/concertation/saisines/{saisine.id}/prolonger",
        data={
            "deadline_on": new_day.isoformat(),
            "deadline_time": "18:00",
            "reason": "Conseils municipaux reportés en janvier",
        },
    )
    assert response.status_code == 302
    db.session.refresh(saisine)
    assert rules.to_paris(saisine.deadline).date() == new_day
    emails = db.session.scalars(select(OutboxEmail)).all()
    assert len(emails) == 2
    assert all("Conseils municipaux reportés en janvier" in e.body_text for e in emails)
    assert saisine.extensions[0].reason == "Conseils municipaux reportés en janvier"


def test_extending_a_closed_saisine_reopens_it_and_cancels_tacit_opinions(org, admin, app):
    saisine = factories.saisine(org, admin, communes=["62498", "62510"], silence="favourable")
    _submit(org, saisine, "62498", Opinion.UNFAVORABLE, "Non.")
    later = saisine.deadline + timedelta(minutes=1)
    assert services.close_if_due(saisine, later)
    tacit = {t.commune.insee_code: t.tacit_opinion for t in saisine.targets}
    assert tacit == {"62498": None, "62510": Opinion.FAVORABLE}
    with app.test_request_context():
        services.extend_deadline(admin, saisine, later + timedelta(days=7), "Report", later)
    assert saisine.status is SaisineStatus.OPEN
    assert all(t.tacit_opinion is None for t in saisine.targets)


def test_no_opinion_rule_records_no_tacit_opinion(org, admin):
    saisine = factories.saisine(org, admin, communes=["62498", "62510"], silence="no_opinion")
    assert services.close_saisine(saisine, saisine.deadline) == 0
    assert all(t.tacit_opinion is None for t in saisine.targets)


def test_saisine_closes_the_first_time_the_admin_looks_after_the_deadline(
    client, org, admin, login
):
    saisine = factories.saisine(
        org, admin, communes=["62498"], silence="favourable", opens_in=-10, deadline_in=-0.01
    )
    assert saisine.status is SaisineStatus.OPEN
    login(client, admin)
    page = client.get(f"/concertation/saisines/{saisine.id}")
    assert page.status_code == 200 and "Avis tacite" in page.text
    db.session.refresh(saisine)
    assert saisine.status is SaisineStatus.CLOSED


def test_close_due_command_closes_expired_saisines(app, org, admin):
    expired = factories.saisine(org, admin, communes=["62498"], opens_in=-10, deadline_in=-1)
    running = factories.saisine(org, admin, communes=["62498"])
    result = app.test_cli_runner().invoke(args=["saisines", "close-due"])
    assert result.exit_code == 0 and "1 saisine(s) closed." in result.output
    db.session.refresh(expired)
    db.session.refresh(running)
    assert expired.status is SaisineStatus.CLOSED and running.status is SaisineStatus.OPEN


def test_remind_command_reminds_non_submitted_communes_once_per_step(app, org, admin):
    for insee in ("62498", "62510"):
        factories.user(org, Role.MAYOR, commune=insee)
    saisine = factories.saisine(org, admin, communes=["62498", "62510"], deadline_in=0.5)
    _submit(org, saisine, "62498")
    db.session.execute(db.delete(OutboxEmail))
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["saisines", "remind"])
    assert first.exit_code == 0 and "1 reminder(s)" in first.output
    assert runner.invoke(args=["saisines", "remind"]).output.startswith("0 reminder(s)")
    emails = db.session.scalars(select(OutboxEmail)).all()
    assert len(emails) == 1 and "Liévin" in emails[0].body_text
    assert runner.invoke(args=["saisines", "remind", "--days", "x"]).exit_code == 2


def test_publishing_results(client, org, admin, login):
    saisine = factories.saisine(org, admin, communes=["62498"])
    login(client, admin)
    client.post(f"/concertation/saisines/{saisine.id}/publication", data={"publish": "1"})
    db.session.refresh(saisine)
    assert saisine.results_published
    client.post(f"/concertation/saisines/{saisine.id}/publication", data={"publish": "0"})
    db.session.refresh(saisine)
    assert not saisine.results_published


def test_dashboard_counts_opinions_by_commune_and_population(client, org, admin, login):
    saisine = factories.saisine(org, admin, communes=["62498", "62510", "62065"])
    _submit(org, saisine, "62498", Opinion.FAVORABLE)
    _submit(org, saisine, "62065", Opinion.UNFAVORABLE, "Pas d'accord")
    login(client, admin)
    page = client.get(f"/concertation/saisines/{saisine.id}").text
    assert "2 communes sur 3 ont répondu" in page
    assert "Défavorable" in page and "Maire 62065" in page
    submitted = client.get(f"/concertation/saisines/{saisine.id}?status=submitted").text
    assert "Avion" in submitted and "Liévin</a>" not in submitted
    by_population = client.get(f"/concertation/saisines/{saisine.id}?sort=population").text
    assert by_population.index(">Lens</a>") < by_population.index(">Avion</a>")


def test_response_page_shows_every_version(client, org, admin, login):
    saisine = factories.saisine(org, admin, communes=["62498"])
    _submit(org, saisine, "62498", Opinion.UNFAVORABLE, "Première motivation")
    from consultations.saisines import queries

    response = queries.response_of(saisine, commune_by_insee(org, "62498"))
    mayor = response.submitted_by
    from flask import current_app

    with current_app.test_request_context():
        services.submit_response(
            mayor,
            saisine,
            commune_by_insee(org, "62498"),
            services.ResponseData(Opinion.FAVORABLE, "", {}, [], []),
            response.lock_version,
            utcnow(),
            "mayor",
        )
    db.session.commit()
    login(client, admin)
    page = client.get(f"/concertation/saisines/{saisine.id}/reponses/62498").text
    assert "version 2" in page and "version 1" in page and "Première motivation" in page


@pytest.mark.parametrize(
    "role",
    [Role.MAYOR, Role.COMMUNE_STAFF, Role.CITIZEN, Role.VICE_PRESIDENT, Role.ASSOCIATION_MEMBER],
)
def test_epci_pages_are_refused_to_other_roles(client, org, admin, login, role):
    saisine = factories.saisine(org, admin, communes=["62498"])
    association = factories.association(org) if role is Role.ASSOCIATION_MEMBER else None
    login(client, factories.user(org, role, commune="62498", association=association))
    base = f"/concertation/saisines/{saisine.id}"
    for url in (
        "/concertation/saisines/",
        "/concertation/saisines/nouvelle",
        base,
        f"{base}/modifier",
        f"{base}/prolonger",
        f"{base}/reponses/62498",
    ):
        assert client.get(url).status_code == 403, url
    for url in (f"{base}/ouvrir", f"{base}/publication", f"{base}/prolonger"):
        assert client.post(url, data={"publish": "1"}).status_code == 403, url
    db.session.refresh(saisine)
    assert not saisine.results_published


def test_epci_pages_redirect_anonymous_to_login(client, org, admin):
    saisine = factories.saisine(org, admin, communes=["62498"])
    response = client.get(f"/concertation/saisines/{saisine.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_of_another_organisation_gets_404(client, org, other_org, admin, login):
    add_host(org, "localhost")
    db.session.commit()
    saisine = factories.saisine(org, admin, communes=["62498"])
    stranger = factories.user(other_org, Role.ADMIN)
    login(client, stranger, host="carcassonne.test")
    base = f"http://carcassonne.test/concertation/saisines/{saisine.id}"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}/ouvrir").status_code == 404
    assert saisine.id not in [
        s.id
        for s in db.session.scalars(select(Saisine).where(Saisine.organisation_id == other_org.id))
    ]


def _saisines_on(org, admin, count: int):
    communes = [c.insee_code for c in org.communes]
    for _ in range(count):
        factories.saisine(org, admin, communes=communes)


def test_dashboard_and_list_use_bounded_queries_for_36_and_92_communes(
    client, login, count_queries
):
    counts = []
    for siren, host in (("246200364", "call.test"), ("200054807", "amp.test")):
        org = factories.organisation(siren, host=host)
        admin = factories.user(org, Role.ADMIN)
        saisine = factories.saisine(org, admin)
        for commune in org.communes[:20]:
            _submit(org, saisine, commune.insee_code, Opinion.FAVORABLE)
        _saisines_on(org, admin, 3 if siren == "246200364" else 40)
        login(client, admin, host=host)
        with count_queries() as dashboard:
            assert (
                client.get(f"http://{host}/concertation/saisines/{saisine.id}").status_code == 200
            )
        with count_queries() as listing:
            assert client.get(f"http://{host}/concertation/saisines/").status_code == 200
        counts.append((dashboard.count, listing.count))
    assert counts[0] == counts[1]
    assert counts[0][0] <= 15 and counts[0][1] <= 10


def test_a_file_uploaded_with_a_refused_form_is_not_kept(client, org, admin, login, app):
    from pathlib import Path

    login(client, admin)
    before = set(Path(app.config["UPLOAD_DIR"]).rglob("*.pdf"))
    response = client.post(
        "/concertation/saisines/nouvelle",
        data={**_form(target_mode="list"), "documents": [(io.BytesIO(PDF), "notice.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200  # no commune chosen: refused
    assert set(Path(app.config["UPLOAD_DIR"]).rglob("*.pdf")) == before
