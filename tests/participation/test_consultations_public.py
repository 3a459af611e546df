"""Citizen consultations, the participants' side: reading, contributing, moderation, spam
control and personal data, through requests for every role."""

from __future__ import annotations

import io
import json
import re
import threading
import traceback
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.audit.models import AuditEntry
from app.db import db, utcnow
from app.extensions import limiter
from app.mail.models import OutboxEmail
from app.organisations.services import add_host
from app.questionnaires import QuestionType
from app.uploads import services as uploads
from app.users.models import Role, User
from app.users.passwords import verify_password
from participation.citizen import services
from participation.citizen.models import (
    Comment,
    ConsultationDocument,
    ConsultationQuestion,
    ContentStatus,
    ModerationAction,
    Participant,
    Proposal,
    QuestionnaireAnswer,
    Report,
    Support,
)
from tests import factories
from tests.factories import PASSWORD

LIEVIN = "62510"
LENS = "62498"
PARIS = ZoneInfo("Europe/Paris")


# --- helpers ---------------------------------------------------------------------------------


def participant(org, role=Role.CITIZEN, *, terms: bool = True, show_name: bool = False, **kw):
    """A person of `org` who accepted the terms (unless terms=False)."""
    person = factories.user(org, role, **kw)
    if terms:
        services.save_participant(
            person, commune_id=None, show_name=show_name, accept_terms_at=utcnow()
        )
        db.session.commit()
    return person


def proposal(consultation, author, title="Des bancs au bord de la Souchez", **kw) -> Proposal:
    created = Proposal(
        consultation_id=consultation.id,
        author_id=author.id if author else None,
        title=title,
        body=kw.pop("body", "<p>Pour se reposer en marchant.</p>"),
        body_text=kw.pop("body_text", "Pour se reposer en marchant."),
        status=kw.pop("status", ContentStatus.PUBLISHED),
        ip_address=kw.pop("ip_address", "192.0.2.1"),
        **kw,
    )
    db.session.add(created)
    db.session.commit()
    return created


def comment(target, author, body="<p>Bonne idée.</p>", **kw) -> Comment:
    created = Comment(
        proposal_id=target.id,
        author_id=author.id if author else None,
        body=body,
        status=kw.pop("status", ContentStatus.PUBLISHED),
        ip_address=kw.pop("ip_address", "192.0.2.1"),
        **kw,
    )
    db.session.add(created)
    db.session.commit()
    return created


def page_of(c) -> str:
    return f"/consultations/{c.slug}"


def proposal_url(c, p) -> str:
    return f"/consultations/{c.slug}/propositions/{p.id}"


def propose(
    client, c, title="Une piste cyclable rue Jean Jaurès", body="Pour aller au lycée.", **data
):
    return client.post(f"{page_of(c)}/proposer", data={"title": title, "body": body, **data})


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def two_orgs(org, other_org):
    add_host(org, "localhost")
    db.session.commit()
    return org, other_org


@pytest.fixture
def rate_limited(app):
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


# --- reading ---------------------------------------------------------------------------------


def test_the_list_shows_published_consultations_to_everyone(client, org, login):
    shown = factories.consultation(org, title="Quel avenir pour la Souchez ?")
    factories.consultation(org, title="Brouillon secret", published=False)
    for person in (None, participant(org), factories.user(org, Role.ADMIN)):
        if person is not None:
            login(client, person)
        page = client.get("/consultations/")
        assert page.status_code == 200
        assert "Quel avenir pour la Souchez ?" in page.text
        assert "Brouillon secret" not in page.text
        assert f'href="{page_of(shown)}"' in page.text


def test_the_navigation_links_to_the_consultations_for_everyone(client, org, login):
    assert 'href="/consultations/"' in client.get("/").text
    login(client, factories.user(org, Role.MAYOR, commune=LIEVIN))
    assert 'href="/consultations/"' in client.get("/").text


def test_the_consultation_page_shows_presentation_phase_dates_themes_and_documents(client, org):
    c = factories.consultation(org)
    admin = factories.user(org, Role.ADMIN)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    stored = uploads.store(FileStorage(io.BytesIO(pdf), filename="dossier.pdf"), org.id, admin.id)
    db.session.add(ConsultationDocument(consultation_id=c.id, file_id=stored.id))
    db.session.commit()
    page = client.get(page_of(c))
    assert page.status_code == 200
    assert "Donnez votre avis." in page.text
    assert "Contributions ouvertes" in page.text
    for theme in ("Mobilités", "Environnement", "Solidarités"):
        assert theme in page.text
    # the end of contributions in Paris time
    end = format_datetime(c.contributions_end_at, "EEEE d MMMM y, HH:mm", tzinfo=PARIS, locale="fr")
    assert end in page.text
    document = c.documents[0]
    link = f"{page_of(c)}/documents/{document.id}"
    assert link in page.text
    download = client.get(link)
    assert download.status_code == 200 and download.data == pdf
    download.close()


def test_dates_are_shown_in_paris_time(client, org):
    c = factories.consultation(org)
    # 22:30 UTC on a summer day is 00:30 the next day in Paris
    c.contributions_end_at = c.contributions_end_at.replace(
        month=7, day=1, hour=22, minute=30, year=c.contributions_end_at.year + 1
    )
    c.synthesis_starts_at = c.contributions_end_at
    c.feedback_starts_at = c.contributions_end_at + timedelta(days=7)
    db.session.commit()
    page = client.get(page_of(c))
    assert "2 juillet" in page.text and "00:30" in page.text


def test_drafts_and_other_organisations_consultations_are_not_found(client, org, other_org):
    two_orgs(org, other_org)
    draft = factories.consultation(org, published=False)
    theirs = factories.consultation(other_org, title="Carcassonne à vélo")
    assert client.get(page_of(draft)).status_code == 404
    assert client.get(page_of(theirs)).status_code == 404
    assert client.get("/consultations/nope").status_code == 404
    seen = client.get(page_of(theirs), base_url="http://carcassonne.test")
    assert seen.status_code == 200 and "Carcassonne à vélo" in seen.text
    listed = client.get("/consultations/", base_url="http://carcassonne.test")
    assert "Carcassonne à vélo" in listed.text
    assert "Carcassonne à vélo" not in client.get("/consultations/").text


def test_the_list_of_proposals_filters_searches_sorts_and_pages(client, org):
    c = factories.consultation(org)
    author = participant(org)
    mobility, environment = c.themes[1], c.themes[0]
    lievin = next(x for x in org.communes if x.insee_code == LIEVIN)
    bikes = proposal(
        c,
        author,
        "Plus de vélos en libre service",
        theme_id=mobility.id,
        commune_id=lievin.id,
        body_text="Des vélos à la gare de Liévin",
        support_count=5,
    )
    trees = proposal(c, author, "Planter des arbres", theme_id=environment.id, body_text="Ombre")
    page = client.get(page_of(c), query_string={"theme": mobility.id})
    assert bikes.title in page.text and trees.title not in page.text
    page = client.get(page_of(c), query_string={"commune": lievin.id})
    assert bikes.title in page.text and trees.title not in page.text
    page = client.get(page_of(c), query_string={"q": "gare"})
    assert bikes.title in page.text and trees.title not in page.text
    newest = client.get(page_of(c)).text
    assert newest.index(trees.title) < newest.index(bikes.title)
    supported = client.get(page_of(c), query_string={"sort": "supported"}).text
    assert supported.index(bikes.title) < supported.index(trees.title)
    assert client.get(page_of(c), query_string={"theme": "x", "sort": "'"}).status_code == 200
    for n in range(25):
        proposal(c, author, f"Idée numéro {n:02d}")
    first = client.get(page_of(c))
    assert "27 propositions" in first.text and "Page 1 sur 2" in first.text
    second = client.get(page_of(c), query_string={"page": 2})
    assert "Page 2 sur 2" in second.text and bikes.title in second.text


def test_a_proposal_page_shows_its_published_comments_and_support_count(client, org):
    c = factories.consultation(org)
    author = participant(org, show_name=True, name="Awa Diallo")
    p = proposal(c, author, support_count=3, show_name=True)
    comment(p, participant(org), "<p>Tout à fait d'accord.</p>")
    comment(p, participant(org), "<p>Commentaire masqué.</p>", status=ContentStatus.HIDDEN)
    comment(p, participant(org), "<p>Commentaire en attente.</p>", status=ContentStatus.PENDING)
    page = client.get(proposal_url(c, p))
    assert page.status_code == 200
    assert "Des bancs au bord de la Souchez" in page.text
    assert "Awa Diallo" in page.text
    assert "3 soutiens" in page.text
    assert "Tout à fait d&#39;accord." in page.text or "Tout à fait d'accord." in page.text
    assert "Commentaire masqué" not in page.text
    assert "Commentaire en attente" not in page.text
    assert "1 commentaire" in page.text


def test_hidden_and_pending_content_never_reaches_the_public(client, org, login):
    c = factories.consultation(org)
    author = participant(org)
    hidden = proposal(c, author, "Proposition masquée", status=ContentStatus.HIDDEN)
    pending = proposal(c, author, "Proposition en attente", status=ContentStatus.PENDING)
    for person in (None, participant(org), author, factories.user(org, Role.MAYOR)):
        if person is not None:
            login(client, person)
        listing = client.get(page_of(c)).text
        assert "Proposition masquée" not in listing
        assert "Proposition en attente" not in listing
        assert "0 proposition" in listing
        assert client.get(proposal_url(c, hidden)).status_code == 404
        assert client.get(proposal_url(c, pending)).status_code == 404
        assert client.get(f"{proposal_url(c, hidden)}/signaler").status_code == 404
    assert client.get(page_of(c), query_string={"q": "masquée"}).text.count("masquée") == 1
    # the moderators reach them, with their state
    login(client, factories.user(org, Role.ADMIN))
    page = client.get(proposal_url(c, hidden))
    assert page.status_code == 200 and "Visible des seuls modérateurs" in page.text
    assert db.session.get(Proposal, hidden.id) is not None  # kept in the database


def test_names_are_shown_only_when_chosen(client, org):
    c = factories.consultation(org)
    shown = participant(org, name="Jeanne Martin")
    discreet = participant(org, name="Paul Secret")
    proposal(c, shown, "Avec nom", show_name=True)
    proposal(c, discreet, "Sans nom", show_name=False)
    page = client.get(page_of(c)).text
    assert "Jeanne Martin" in page
    assert "Paul Secret" not in page
    assert "Contributeur anonyme" in page


# --- signing up and accepting the terms ----------------------------------------------------


def test_a_new_inhabitant_signs_up_confirms_accepts_the_terms_and_proposes(client, org):
    c = factories.consultation(org)
    email = "nouvelle@example.fr"
    client.post(
        "/inscription",
        data={
            "email": email,
            "display_name": "Léa Nouvelle",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    sent = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    link = re.search(r"http://localhost(/inscription/confirmation/\S+)", sent.body_text).group(1)
    client.post(link, data={"submit": "1"})
    client.post("/login", data={"email": email, "password": PASSWORD})
    first = client.get(f"{page_of(c)}/proposer")
    assert first.status_code == 302
    assert first.headers["Location"].startswith("/consultations/conditions-de-participation")
    terms = client.get(first.headers["Location"])
    assert "Conditions de participation" in terms.text and 'name="accept"' in terms.text
    lievin = next(x for x in org.communes if x.insee_code == LIEVIN)
    accepted = client.post(
        "/consultations/conditions-de-participation",
        data={
            "accept": "y",
            "commune_id": lievin.id,
            "show_name": "y",
            "next": f"{page_of(c)}/proposer",
        },
    )
    assert accepted.headers["Location"] == f"{page_of(c)}/proposer"
    user = db.session.scalar(select(User).where(User.email == email))
    chosen = db.session.scalar(select(Participant).where(Participant.user_id == user.id))
    assert chosen.terms_accepted_at is not None
    assert chosen.commune_id == lievin.id and chosen.show_name
    form = client.get(f"{page_of(c)}/proposer")
    assert form.status_code == 200 and "checked" in form.text  # show_name from the profile
    done = propose(client, c, commune_id=lievin.id, show_name="y")
    assert done.status_code == 302
    created = db.session.scalar(select(Proposal).where(Proposal.author_id == user.id))
    assert created.show_name and created.commune_id == lievin.id
    assert "Léa Nouvelle" in client.get(proposal_url(c, created)).text


def test_the_terms_must_be_ticked(client, org, login):
    person = participant(org, terms=False)
    login(client, person)
    refused = client.post("/consultations/conditions-de-participation", data={})
    assert refused.status_code == 200 and "Acceptez les conditions" in refused.text
    assert count(Participant, Participant.terms_accepted_at.is_not(None)) == 0
    # an external `next` is not followed
    done = client.post(
        "/consultations/conditions-de-participation",
        data={"accept": "y", "next": "https://evil.example/"},
    )
    assert done.headers["Location"] == "/consultations/"


def test_contributing_asks_to_log_in_then_to_accept_the_terms(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    anonymous = [
        client.get(f"{page_of(c)}/proposer"),
        propose(client, c),
        client.post(f"{proposal_url(c, p)}/commentaires", data={"body": "Oui"}),
        client.post(f"{proposal_url(c, p)}/soutien"),
        client.get("/consultations/mon-profil"),
    ]
    assert all(r.status_code == 302 and "/login" in r.headers["Location"] for r in anonymous)
    assert client.get("/consultations/conditions-de-participation").status_code == 200
    login(client, participant(org, terms=False))
    for response in (
        client.get(f"{page_of(c)}/proposer"),
        propose(client, c),
        client.post(f"{proposal_url(c, p)}/commentaires", data={"body": "Oui"}),
        client.post(f"{proposal_url(c, p)}/soutien"),
    ):
        assert response.status_code == 302
        assert "/consultations/conditions-de-participation" in response.headers["Location"]
    assert count(Proposal) == 1 and count(Comment) == 0 and count(Support) == 0


def test_an_unconfirmed_account_cannot_contribute(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    login(client, participant(org, terms=False, confirmed=False))
    assert client.get(f"{page_of(c)}/proposer").status_code == 403
    assert client.post(f"{proposal_url(c, p)}/soutien").status_code == 403
    terms = "/consultations/conditions-de-participation"
    assert client.post(terms, data={"accept": "y"}).status_code == 403
    page = client.get(terms)
    assert page.status_code == 200 and "avec le lien reçu lors de votre inscription" in page.text


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MAYOR, Role.CITIZEN])
def test_every_confirmed_person_of_the_organisation_may_contribute(client, org, login, role):
    c = factories.consultation(org)
    login(client, participant(org, role))
    assert client.get(f"{page_of(c)}/proposer").status_code == 200
    assert propose(client, c).status_code == 302
    assert count(Proposal) == 1


# --- contributing ----------------------------------------------------------------------------


def test_a_post_moderated_proposal_is_published_at_once_sanitised(client, org, login):
    c = factories.consultation(org, moderation="post")
    person = participant(org)
    login(client, person)
    theme = c.themes[0]
    done = propose(
        client,
        c,
        title="Des <b>abris</b> vélo",
        body="Premier paragraphe <script>alert(1)</script>\n\nSecond, <em>important</em>.",
        theme_id=theme.id,
    )
    created = db.session.scalar(select(Proposal))
    assert done.headers["Location"] == proposal_url(c, created)
    assert created.status is ContentStatus.PUBLISHED
    assert created.title == "Des <b>abris</b> vélo"
    assert "<script>" not in created.body and "<em>important</em>" in created.body
    assert created.body.startswith("<p>") and created.body.count("<p>") == 2
    assert "Second, important." in created.body_text and "<" not in created.body_text
    assert created.ip_address == "127.0.0.1" and created.theme_id == theme.id
    assert not created.show_name
    page = client.get(proposal_url(c, created))
    assert "Des &lt;b&gt;abris&lt;/b&gt; vélo" in page.text
    assert "Merci ! Votre proposition est publiée." in page.text


def test_a_pre_moderated_proposal_waits_for_a_moderator(client, org, login):
    c = factories.consultation(org, moderation="pre")
    login(client, participant(org))
    done = propose(client, c, title="Une maison des associations")
    assert done.headers["Location"] == page_of(c)
    created = db.session.scalar(select(Proposal))
    assert created.status is ContentStatus.PENDING
    page = client.get(page_of(c))
    assert "sera publiée après validation" in page.text
    assert "Une maison des associations" not in page.text


def test_theme_and_commune_must_belong_to_the_consultation(client, org, other_org, login):
    two_orgs(org, other_org)
    c = factories.consultation(org, communes=[LIEVIN, LENS])
    elsewhere = factories.consultation(other_org)
    login(client, participant(org))
    foreign_commune = other_org.communes[0]
    not_concerned = next(x for x in org.communes if x.insee_code not in (LIEVIN, LENS))
    for data in (
        {"theme_id": elsewhere.themes[0].id},
        {"commune_id": foreign_commune.id},
        {"commune_id": not_concerned.id},
    ):
        response = propose(client, c, **data)
        assert response.status_code == 200 and "pas un choix valide" in response.text
    assert count(Proposal) == 0


@pytest.mark.parametrize("phase", ["upcoming", "information", "synthesis", "feedback"])
def test_outside_the_contributions_phase_nothing_is_accepted(client, org, login, phase):
    c = factories.consultation(org, phase=phase)
    p = proposal(c, participant(org))
    login(client, participant(org))
    message = "n&#39;accepte pas de contribution en ce moment"
    for response in (
        client.get(f"{page_of(c)}/proposer"),
        propose(client, c),
        client.post(f"{proposal_url(c, p)}/commentaires", data={"body": "Tardif"}),
        client.post(f"{proposal_url(c, p)}/soutien"),
    ):
        assert response.status_code == 302 and response.headers["Location"] == page_of(c)
    assert message in client.get(page_of(c)).text
    assert count(Proposal) == 1 and count(Comment) == 0 and count(Support) == 0
    page = client.get(page_of(c)).text
    assert "Faire une proposition" not in page


def test_a_comment_is_published_or_waits_according_to_the_moderation(client, org, login):
    for moderation, expected in (("post", ContentStatus.PUBLISHED), ("pre", ContentStatus.PENDING)):
        c = factories.consultation(org, moderation=moderation)
        p = proposal(c, participant(org))
        login(client, participant(org))
        done = client.post(
            f"{proposal_url(c, p)}/commentaires",
            data={"body": f"Mon avis ({moderation}) <img src=x onerror=alert(1)>"},
        )
        assert done.status_code == 302
        created = db.session.scalar(select(Comment).where(Comment.proposal_id == p.id))
        assert created.status is expected and "onerror" not in created.body
        assert created.ip_address == "127.0.0.1"
        page = client.get(proposal_url(c, p)).text
        assert (f"Mon avis ({moderation})" in page) is (moderation == "post")


def test_an_empty_comment_is_refused_with_the_page_shown_again(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    login(client, participant(org))
    refused = client.post(f"{proposal_url(c, p)}/commentaires", data={"body": "  "})
    assert refused.status_code == 400 and "Ce champ est obligatoire." in refused.text
    assert count(Comment) == 0


def test_comments_and_supports_only_on_published_proposals(client, org, login):
    c = factories.consultation(org)
    hidden = proposal(c, participant(org), status=ContentStatus.HIDDEN)
    login(client, participant(org))
    assert (
        client.post(f"{proposal_url(c, hidden)}/commentaires", data={"body": "x"}).status_code
        == 404
    )
    assert client.post(f"{proposal_url(c, hidden)}/soutien").status_code == 404
    assert count(Comment) == 0 and count(Support) == 0


def test_one_support_per_person_kept_in_step_with_the_count(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    first, second = participant(org), participant(org)
    login(client, first)
    assert client.post(f"{proposal_url(c, p)}/soutien").status_code == 302
    again = client.post(f"{proposal_url(c, p)}/soutien", follow_redirects=True)
    assert "Vous soutenez déjà cette proposition." in again.text
    login(client, second)
    client.post(f"{proposal_url(c, p)}/soutien")
    db.session.refresh(p)
    assert p.support_count == 2 and count(Support) == 2
    page = client.get(proposal_url(c, p)).text
    assert "2 soutiens" in page and "Retirer mon soutien" in page
    withdrawn = client.post(f"{proposal_url(c, p)}/soutien/retrait", follow_redirects=True)
    assert "Votre soutien est retiré." in withdrawn.text
    db.session.refresh(p)
    assert p.support_count == 1 and count(Support) == 1
    twice = client.post(f"{proposal_url(c, p)}/soutien/retrait", follow_redirects=True)
    assert "Vous ne souteniez pas cette proposition." in twice.text
    db.session.refresh(p)
    assert p.support_count == 1


def test_a_double_click_on_support_gives_one_support(app, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    person = participant(org)
    url = f"{proposal_url(c, p)}/soutien"
    clients = [app.test_client(), app.test_client()]
    for one in clients:
        login(one, person)
    barrier = threading.Barrier(2)
    results, failures = [None, None], []

    def click(index):
        try:
            barrier.wait(timeout=30)
            results[index] = clients[index].post(url).status_code
        except BaseException:  # noqa: BLE001 - reported below with its traceback
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[0]
    assert results == [302, 302]
    db.session.expire_all()
    assert count(Support) == 1
    assert db.session.get(Proposal, p.id).support_count == 1


def test_the_questionnaire_is_answered_and_changed_during_the_phase(client, org, login):
    c = factories.consultation(org)
    c.allow_questionnaire = True
    c.questions = [
        ConsultationQuestion(
            key="freq",
            position=1,
            label="Combien de trajets par semaine ?",
            type=QuestionType.INTEGER,
            required=True,
        ),
        ConsultationQuestion(
            key="mode",
            position=2,
            label="Votre mode principal",
            type=QuestionType.SINGLE_CHOICE,
            choices=["Vélo", "Bus", "Voiture"],
        ),
        ConsultationQuestion(key="file", position=3, label="Une photo", type=QuestionType.FILE),
    ]
    db.session.commit()
    url = f"{page_of(c)}/questionnaire"
    lievin = next(x for x in org.communes if x.insee_code == LIEVIN)
    person = participant(org)
    services.save_participant(person, commune_id=lievin.id, show_name=False)
    db.session.commit()
    login(client, person)
    form = client.get(url)
    assert form.status_code == 200 and "Combien de trajets" in form.text
    assert "Une photo" not in form.text
    refused = client.post(url, data={"q_freq": "beaucoup", "q_mode": "Trottinette"})
    assert refused.status_code == 200
    assert "Saisissez un nombre" in refused.text and "Choisissez parmi" in refused.text
    assert 'value="beaucoup"' in refused.text
    missing = client.post(url, data={"q_mode": "Bus"})
    assert "Cette réponse est obligatoire." in missing.text
    assert count(QuestionnaireAnswer) == 0
    assert client.post(url, data={"q_freq": "10", "q_mode": "Vélo"}).status_code == 302
    answer = db.session.scalar(select(QuestionnaireAnswer))
    assert answer.answers == {"freq": 10, "mode": "Vélo"} and answer.commune_id == lievin.id
    client.post(url, data={"q_freq": "4", "q_mode": "Bus"})
    db.session.expire_all()
    assert count(QuestionnaireAnswer) == 1
    assert db.session.scalar(select(QuestionnaireAnswer)).answers == {"freq": 4, "mode": "Bus"}
    assert "Vous avez déjà répondu" in client.get(url).text
    # once the phase is over the answers stay as they are
    c.contributions_end_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    late = client.post(url, data={"q_freq": "99"})
    assert late.status_code == 302 and late.headers["Location"] == page_of(c)
    assert db.session.scalar(select(QuestionnaireAnswer)).answers["freq"] == 4


def test_no_questionnaire_page_when_the_consultation_has_none(client, org, login):
    c = factories.consultation(org)
    login(client, participant(org))
    assert client.get(f"{page_of(c)}/questionnaire").status_code == 404


# --- spam control ----------------------------------------------------------------------------


def test_the_honeypot_silently_refuses_robots(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    login(client, participant(org))
    form = client.get(f"{page_of(c)}/proposer").text
    assert 'class="visually-hidden" aria-hidden="true"' in form and 'name="website"' in form
    robot = client.post(
        f"{page_of(c)}/proposer",
        data={"title": "Promo", "body": "Achetez", "website": "http://spam.example"},
        follow_redirects=True,
    )
    assert robot.status_code == 200 and "Merci" in robot.text
    client.post(f"{proposal_url(c, p)}/commentaires", data={"body": "Achetez", "website": "x"})
    client.post(f"{proposal_url(c, p)}/signaler", data={"reason": "spam", "website": "x"})
    assert count(Proposal) == 1 and count(Comment) == 0 and count(Report) == 0


def test_too_many_links_are_refused_and_the_text_kept(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    login(client, participant(org))
    body = "Voir https://a.example, https://b.example et www.c.example pour tout savoir"
    refused = propose(client, c, title="Trop de liens", body=body)
    assert refused.status_code == 200
    assert "trop de liens" in refused.text
    assert "www.c.example pour tout savoir</textarea>" in refused.text
    assert 'value="Trop de liens"' in refused.text
    comment_refused = client.post(f"{proposal_url(c, p)}/commentaires", data={"body": body})
    assert comment_refused.status_code == 400 and "trop de liens" in comment_refused.text
    assert count(Proposal) == 1 and count(Comment) == 0
    assert propose(client, c, body="Un seul lien : https://a.example").status_code == 302


def test_posting_is_limited_per_account(client, org, login, rate_limited, monkeypatch, app):
    monkeypatch.setitem(app.config, "PARTICIPATION_POST_LIMIT_ACCOUNT", "3 per hour")
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    login(client, participant(org))
    statuses = [propose(client, c, title=f"Idée {n}").status_code for n in range(2)]
    statuses.append(
        client.post(f"{proposal_url(c, p)}/commentaires", data={"body": "Oui"}).status_code
    )
    statuses.append(propose(client, c, title="Une de trop").status_code)
    assert statuses == [302, 302, 302, 429]
    assert count(Proposal) == 3 and count(Comment) == 1
    # reading is never limited
    assert client.get(f"{page_of(c)}/proposer").status_code == 200
    # another account from the same address still may post
    login(client, participant(org))
    assert propose(client, c, title="Autre compte").status_code == 302


def test_posting_is_limited_per_address(client, org, login, rate_limited, monkeypatch, app):
    monkeypatch.setitem(app.config, "PARTICIPATION_POST_LIMIT_IP", "4 per hour")
    c = factories.consultation(org)
    statuses = []
    for n in range(3):
        login(client, participant(org))
        statuses += [propose(client, c, title=f"Idée {n}-{k}").status_code for k in range(2)]
    assert statuses == [302, 302, 302, 302, 429, 429]
    other = client.post(
        f"{page_of(c)}/proposer",
        data={"title": "D'ailleurs", "body": "Texte"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert other.status_code == 302


def test_reports_are_limited_per_address(client, org, rate_limited, monkeypatch, app):
    monkeypatch.setitem(app.config, "PARTICIPATION_REPORT_LIMIT", "2 per hour")
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    url = f"{proposal_url(c, p)}/signaler"
    statuses = [client.post(url, data={"reason": f"Abus {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert count(Report) == 2


# --- reports and moderation ------------------------------------------------------------------


def test_anyone_may_report_a_proposal_or_a_comment(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    cm = comment(p, participant(org))
    form = client.get(f"{proposal_url(c, p)}/signaler")
    assert form.status_code == 200 and "Pourquoi ce contenu" in form.text
    done = client.post(f"{proposal_url(c, p)}/signaler", data={"reason": "Propos injurieux"})
    assert done.headers["Location"] == proposal_url(c, p)
    reporter = participant(org)
    login(client, reporter)
    client.post(f"/consultations/{c.slug}/commentaires/{cm.id}/signaler", data={"reason": "Pub"})
    anonymous, signed = db.session.scalars(select(Report).order_by(Report.id)).all()
    assert (anonymous.target_type, anonymous.target_id, anonymous.reporter_id) == (
        "proposal",
        p.id,
        None,
    )
    assert anonymous.ip_address == "127.0.0.1" and anonymous.organisation_id == org.id
    assert (signed.target_type, signed.target_id, signed.reporter_id) == (
        "comment",
        cm.id,
        reporter.id,
    )
    empty = client.post(f"{proposal_url(c, p)}/signaler", data={"reason": ""})
    assert empty.status_code == 200 and count(Report) == 2
    hidden = comment(p, participant(org), status=ContentStatus.HIDDEN)
    assert (
        client.get(f"/consultations/{c.slug}/commentaires/{hidden.id}/signaler").status_code == 404
    )


def test_the_moderation_queue_is_for_the_organisation_admins(client, org, other_org, login):
    two_orgs(org, other_org)
    c = factories.consultation(org, moderation="pre")
    proposal(c, participant(org), "En attente de validation", status=ContentStatus.PENDING)
    for person, expected in (
        (participant(org), 403),
        (factories.user(org, Role.MAYOR, commune=LIEVIN), 403),
        (factories.user(org, Role.VICE_PRESIDENT), 403),
    ):
        login(client, person)
        assert client.get("/consultations/moderation").status_code == expected
    client.post("/logout")
    assert client.get("/consultations/moderation").status_code == 302
    theirs = factories.user(other_org, Role.ADMIN)
    login(client, theirs, host="carcassonne.test")
    queue = client.get("/consultations/moderation", base_url="http://carcassonne.test")
    assert queue.status_code == 200 and "En attente de validation" not in queue.text
    pending = db.session.scalar(select(Proposal))
    other = client.get(
        f"/consultations/moderation/proposal/{pending.id}", base_url="http://carcassonne.test"
    )
    assert other.status_code == 404
    login(client, factories.user(org, Role.ADMIN))
    queue = client.get("/consultations/moderation")
    assert queue.status_code == 200 and "En attente de validation" in queue.text
    assert "En attente (1)" in queue.text


def test_a_moderator_publishes_pending_content_and_the_author_is_told(client, org, login):
    c = factories.consultation(org, moderation="pre")
    author = participant(org)
    p = proposal(c, author, "À valider", status=ContentStatus.PENDING)
    admin = factories.user(org, Role.ADMIN)
    login(client, admin)
    url = f"/consultations/moderation/proposal/{p.id}"
    page = client.get(url)
    assert page.status_code == 200 and 'name="publish"' in page.text
    done = client.post(url, data={"publish": "1", "reason": ""})
    assert done.status_code == 302
    db.session.refresh(p)
    assert p.status is ContentStatus.PUBLISHED
    action = db.session.scalar(select(ModerationAction))
    assert (action.action, action.moderator_id, action.target_id) == ("publish", admin.id, p.id)
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "participation.proposal_publish")
    )
    email = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert email.to_address == author.email and "publiée" in email.subject
    client.post("/logout")
    assert "À valider" in client.get(page_of(c)).text


def test_hiding_needs_a_reason_is_logged_and_handles_the_reports(client, org, login):
    c = factories.consultation(org)
    author = participant(org)
    p = proposal(c, author, "Contenu injurieux")
    cm = comment(p, participant(org), "<p>Commentaire limite</p>")
    client.post(f"{proposal_url(c, p)}/signaler", data={"reason": "Insultes"})
    client.post(
        f"/consultations/{c.slug}/commentaires/{cm.id}/signaler", data={"reason": "Hors sujet"}
    )
    admin = factories.user(org, Role.ADMIN)
    login(client, admin)
    queue = client.get("/consultations/moderation", query_string={"tab": "reported"})
    assert "Contenu injurieux" in queue.text and "Insultes" in queue.text
    assert "Hors sujet" in queue.text and "Signalés (2)" in queue.text
    url = f"/consultations/moderation/proposal/{p.id}"
    refused = client.post(url, data={"hide": "1", "reason": ""})
    assert refused.status_code == 200 and "Indiquez le motif" in refused.text
    assert db.session.get(Proposal, p.id).status is ContentStatus.PUBLISHED
    client.post(url, data={"hide": "1", "reason": "Propos injurieux envers un élu"})
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).status is ContentStatus.HIDDEN
    report = db.session.scalar(select(Report).where(Report.target_type == "proposal"))
    assert report.handled_at is not None
    log = client.get(url).text
    assert "Propos injurieux envers un élu" in log and "masqué" in log
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "participation.proposal_hide")
    )
    assert (
        entry.actor_id == admin.id and entry.details["reason"] == "Propos injurieux envers un élu"
    )
    email = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert email.to_address == author.email and "Propos injurieux envers un élu" in email.body_text
    # the comment's report is dismissed: it stays published
    client.post(f"/consultations/moderation/comment/{cm.id}", data={"dismiss": "1"})
    db.session.expire_all()
    assert db.session.get(Comment, cm.id).status is ContentStatus.PUBLISHED
    assert "Signalés (0)" in client.get("/consultations/moderation").text
    hidden_tab = client.get("/consultations/moderation", query_string={"tab": "hidden"}).text
    assert "Contenu injurieux" in hidden_tab
    client.post("/logout")
    assert client.get(proposal_url(c, p)).status_code == 404
    assert "Contenu injurieux" not in client.get(page_of(c)).text
    # restored with a reason
    login(client, admin)
    client.post(url, data={"restore": "1", "reason": "Erreur de modération"})
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).status is ContentStatus.PUBLISHED
    actions = db.session.scalars(
        select(ModerationAction.action).order_by(ModerationAction.id)
    ).all()
    assert actions == ["hide", "dismiss", "restore"]


def test_a_hidden_comment_disappears_from_the_proposal_page(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    cm = comment(p, participant(org), "<p>Publicité déguisée</p>")
    login(client, factories.user(org, Role.ADMIN))
    client.post(f"/consultations/moderation/comment/{cm.id}", data={"hide": "1", "reason": "Pub"})
    client.post("/logout")
    assert "Publicité déguisée" not in client.get(proposal_url(c, p)).text
    assert db.session.get(Comment, cm.id) is not None


def test_impossible_moderation_actions_are_refused(client, org, login):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    login(client, factories.user(org, Role.ADMIN))
    url = f"/consultations/moderation/proposal/{p.id}"
    assert "pas possible" in client.post(url, data={"publish": "1"}).text
    assert "pas possible" in client.post(url, data={"restore": "1", "reason": "x"}).text
    assert "Aucun signalement" in client.post(url, data={"dismiss": "1"}).text
    assert client.get("/consultations/moderation/other/1").status_code == 404
    assert count(ModerationAction) == 0


def test_home_panels(client, org, login):
    c = factories.consultation(org, title="Consultation ouverte")
    factories.consultation(org, title="Consultation à venir", phase="upcoming")
    proposal(c, participant(org), status=ContentStatus.PENDING)
    login(client, participant(org))
    home = client.get("/").text
    assert "Consultation ouverte" in home and "Consultation à venir" not in home
    assert "Modération des consultations" not in home
    login(client, factories.user(org, Role.ADMIN))
    home = client.get("/").text
    assert "1 contribution en attente" in home and "0 contenu signalé" in home


# --- the participant's profile and personal data ----------------------------------------------


def test_the_participant_profile_keeps_commune_and_name_choices(client, org, other_org, login):
    two_orgs(org, other_org)
    c = factories.consultation(org)
    person = participant(org)
    p = proposal(c, person, "Ma proposition", show_name=False)
    pending = proposal(c, person, "En attente", status=ContentStatus.PENDING)
    login(client, person)
    page = client.get("/consultations/mon-profil")
    assert page.status_code == 200
    assert "Mon profil de participant" in page.text
    assert "Ma proposition" in page.text and pending.title in page.text
    assert "En attente de modération" in page.text
    lens = next(x for x in org.communes if x.insee_code == LENS)
    client.post("/consultations/mon-profil", data={"commune_id": lens.id, "show_name": "y"})
    chosen = db.session.scalar(select(Participant).where(Participant.user_id == person.id))
    db.session.refresh(chosen)
    assert chosen.commune_id == lens.id and chosen.show_name
    refused = client.post(
        "/consultations/mon-profil", data={"commune_id": other_org.communes[0].id}
    )
    assert refused.status_code == 200 and "pas un choix valide" in refused.text
    # the name shown, changed on one contribution only
    client.post(f"/consultations/mon-profil/proposal/{p.id}/nom", data={"show_name": "1"})
    db.session.refresh(p)
    assert p.show_name
    assert person.display_name in client.get(proposal_url(c, p)).text
    other = proposal(c, participant(org))
    assert (
        client.post(
            f"/consultations/mon-profil/proposal/{other.id}/nom", data={"show_name": "1"}
        ).status_code
        == 403
    )


def test_a_contributor_downloads_all_their_data(client, org, login):
    c = factories.consultation(org)
    c.allow_questionnaire = True
    c.questions = [ConsultationQuestion(key="avis", label="Votre avis", type=QuestionType.YES_NO)]
    person = participant(org, name="Marie Curie")
    p = proposal(c, person, "Ma proposition")
    other = proposal(c, participant(org), "Celle d'un autre")
    comment(other, person, "<p>Mon commentaire</p>")
    db.session.add(Support(proposal_id=other.id, user_id=person.id))
    db.session.add(
        QuestionnaireAnswer(consultation_id=c.id, user_id=person.id, answers={"avis": True})
    )
    db.session.add(
        Report(
            organisation_id=org.id,
            target_type="proposal",
            target_id=other.id,
            reporter_id=person.id,
            reason="Doublon",
            ip_address="192.0.2.9",
        )
    )
    db.session.commit()
    login(client, person)
    response = client.get("/consultations/mon-profil/mes-donnees.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == person.email
    assert data["account"]["display_name"] == "Marie Curie"
    assert data["account"]["roles"] == ["citizen"]
    assert data["participant"]["terms_accepted_at"]
    assert [x["title"] for x in data["proposals"]] == ["Ma proposition"]
    assert data["proposals"][0]["ip_address"] == "192.0.2.1"
    assert data["comments"][0]["body"] == "<p>Mon commentaire</p>"
    assert data["supports"] == [
        {
            "proposal_id": other.id,
            "proposal": "Celle d'un autre",
            "created_at": data["supports"][0]["created_at"],
        }
    ]
    assert data["questionnaire_answers"][0]["answers"] == [
        {"question": "Votre avis", "answer": "oui"}
    ]
    assert data["reports"][0]["reason"] == "Doublon"
    assert p.id in [x["id"] for x in data["proposals"]]
    client.post("/logout")
    assert client.get("/consultations/mon-profil/mes-donnees.json").status_code == 302


def test_deleting_an_account_anonymises_the_contributions(client, org, login):
    c = factories.consultation(org)
    person = participant(org, name="Jean Dupont", show_name=True)
    mine = proposal(c, person, "Ma proposition", show_name=True)
    other = proposal(c, participant(org), "Une autre")
    comment(other, person, "<p>Mon commentaire signé</p>", show_name=True)
    services.support(person, other, utcnow())
    db.session.add(QuestionnaireAnswer(consultation_id=c.id, user_id=person.id, answers={}))
    db.session.commit()
    person_id, email = person.id, person.email
    login(client, person)
    form = client.get("/consultations/mon-profil/suppression")
    assert form.status_code == 200 and 'name="password"' in form.text
    wrong = client.post(
        "/consultations/mon-profil/suppression", data={"password": "wrong", "confirm": "y"}
    )
    assert wrong.status_code == 200 and "Mot de passe incorrect." in wrong.text
    unconfirmed = client.post("/consultations/mon-profil/suppression", data={"password": PASSWORD})
    assert "Cochez la case" in unconfirmed.text
    assert db.session.get(User, person_id).active
    done = client.post(
        "/consultations/mon-profil/suppression", data={"password": PASSWORD, "confirm": "y"}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/"
    db.session.expire_all()
    user = db.session.get(User, person_id)
    assert not user.active and user.password_hash is None
    assert user.email != email and "Jean Dupont" not in user.display_name
    assert user.memberships == []
    assert db.session.scalar(select(Participant).where(Participant.user_id == person_id)) is None
    assert db.session.get(Proposal, mine.id).author_id is None
    assert count(Comment, Comment.author_id.is_(None)) == 1
    assert count(Support, Support.user_id.is_(None)) == 1
    assert db.session.get(Proposal, other.id).support_count == 1
    assert count(QuestionnaireAnswer, QuestionnaireAnswer.user_id.is_(None)) == 1
    assert count(OutboxEmail, OutboxEmail.to_address == email) == 0
    labels = db.session.scalars(
        select(AuditEntry.object_label).where(
            AuditEntry.object_id == person_id, AuditEntry.object_type == "user_account"
        )
    ).all()
    assert labels and all("Jean Dupont" not in (label or "") for label in labels)
    page = client.get(proposal_url(c, mine)).text
    assert "Ma proposition" in page and "Contributeur anonyme" in page
    assert "Jean Dupont" not in page
    assert "Jean Dupont" not in client.get(proposal_url(c, other)).text
    # the session ended and the account cannot log in again
    assert client.get("/consultations/mon-profil").status_code == 302
    login_again = client.post("/login", data={"email": email, "password": PASSWORD})
    assert "incorrect" in login_again.text
    assert not verify_password(user.password_hash, PASSWORD)


def test_elected_members_and_agents_ask_the_epci_to_delete_their_account(client, org, login):
    for role in (Role.ADMIN, Role.MAYOR):
        person = participant(org, role)
        login(client, person)
        page = client.get("/consultations/mon-profil/suppression")
        assert "demandez sa suppression" in page.text and 'name="password"' not in page.text
        client.post(
            "/consultations/mon-profil/suppression", data={"password": PASSWORD, "confirm": "y"}
        )
        assert db.session.get(User, person.id).active


def test_purge_ips_erases_addresses_older_than_the_retention(app, org):
    c = factories.consultation(org)
    author = participant(org)
    old = utcnow() - timedelta(days=400)
    recent = utcnow() - timedelta(days=30)
    old_proposal = proposal(c, author, "Ancienne", created_at=old)
    new_proposal = proposal(c, author, "Récente", created_at=recent)
    comment(old_proposal, author, created_at=old)
    comment(new_proposal, author, created_at=recent)
    for when in (old, old, recent):
        db.session.add(
            Report(
                organisation_id=org.id,
                target_type="proposal",
                target_id=1,
                reason="x",
                ip_address="192.0.2.5",
                created_at=when,
            )
        )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["participation", "purge-ips"])
    assert result.exit_code == 0, result.output
    assert "proposals: 1" in result.output
    assert "comments: 1" in result.output
    assert "reports: 2" in result.output
    assert count(Proposal, Proposal.ip_address.is_(None)) == 1
    assert db.session.get(Proposal, new_proposal.id).ip_address == "192.0.2.1"
    assert count(Comment, Comment.ip_address.is_not(None)) == 1
    assert count(Report, Report.ip_address.is_not(None)) == 1
    again = app.test_cli_runner().invoke(args=["participation", "purge-ips", "--days", "7"])
    assert "proposals: 1" in again.output and "reports: 1" in again.output
    assert count(Proposal, Proposal.ip_address.is_not(None)) == 0


# --- performance -----------------------------------------------------------------------------


def test_the_consultation_page_runs_the_same_queries_for_5_or_50_proposals(
    client, org, login, count_queries
):
    c = factories.consultation(org)
    authors = [participant(org, show_name=True) for _ in range(5)]
    lievin = next(x for x in org.communes if x.insee_code == LIEVIN)

    def add(n):
        for i in range(n):
            p = proposal(
                c,
                authors[i % 5],
                f"Proposition {i}",
                theme_id=c.themes[i % 3].id,
                commune_id=lievin.id,
                show_name=True,
            )
            comment(p, authors[(i + 1) % 5])

    def measure():
        with count_queries() as counter:
            assert client.get(page_of(c), query_string={"sort": "supported"}).status_code == 200
        return counter.count

    login(client, authors[0])
    add(5)
    few = measure()
    add(45)
    many = measure()
    assert few == many, (few, many)


# --- every page for every role ---------------------------------------------------------------

ROLES = ("anonymous", "no_terms", "unconfirmed", "citizen", "mayor", "admin", "other_admin")


def _person(kind, org, other_org):
    if kind == "anonymous":
        return None, "localhost"
    if kind == "other_admin":
        return participant(other_org, Role.ADMIN), "carcassonne.test"
    if kind == "no_terms":
        return participant(org, terms=False), "localhost"
    if kind == "unconfirmed":
        return participant(org, terms=False, confirmed=False), "localhost"
    role = {"citizen": Role.CITIZEN, "mayor": Role.MAYOR, "admin": Role.ADMIN}[kind]
    return participant(org, role), "localhost"


#: (page, what each kind of person gets: a status, or "login" / "terms" for a redirect there)
MATRIX = {
    "list": dict.fromkeys(ROLES, 200),
    "consultation": {**dict.fromkeys(ROLES, 200), "other_admin": 404},
    "proposal": {**dict.fromkeys(ROLES, 200), "other_admin": 404},
    "report": {**dict.fromkeys(ROLES, 200), "other_admin": 404},
    "terms": dict.fromkeys(ROLES, 200),
    "propose": {
        "anonymous": "login",
        "no_terms": "terms",
        "unconfirmed": 403,
        "citizen": 200,
        "mayor": 200,
        "admin": 200,
        "other_admin": 404,
    },
    "questionnaire": {
        "anonymous": "login",
        "no_terms": "terms",
        "unconfirmed": 403,
        "citizen": 200,
        "mayor": 200,
        "admin": 200,
        "other_admin": 404,
    },
    "profile": {**dict.fromkeys(ROLES, 200), "anonymous": "login"},
    "data": {**dict.fromkeys(ROLES, 200), "anonymous": "login"},
    "delete": {**dict.fromkeys(ROLES, 200), "anonymous": "login"},
    "queue": {
        **dict.fromkeys(ROLES, 403),
        "anonymous": "login",
        "admin": 200,
        "other_admin": 200,
    },
    "moderate": {
        **dict.fromkeys(ROLES, 403),
        "anonymous": "login",
        "admin": 200,
        "other_admin": 404,
    },
}


@pytest.mark.parametrize("kind", ROLES)
def test_every_page_for_every_kind_of_person(client, org, other_org, login, kind):
    two_orgs(org, other_org)
    c = factories.consultation(org)
    c.allow_questionnaire = True
    c.questions = [ConsultationQuestion(key="q", label="Votre avis", type=QuestionType.SHORT_TEXT)]
    db.session.commit()
    p = proposal(c, participant(org))
    person, host = _person(kind, org, other_org)
    if person is not None:
        login(client, person, host=host)
    urls = {
        "list": "/consultations/",
        "consultation": page_of(c),
        "proposal": proposal_url(c, p),
        "report": f"{proposal_url(c, p)}/signaler",
        "terms": "/consultations/conditions-de-participation",
        "propose": f"{page_of(c)}/proposer",
        "questionnaire": f"{page_of(c)}/questionnaire",
        "profile": "/consultations/mon-profil",
        "data": "/consultations/mon-profil/mes-donnees.json",
        "delete": "/consultations/mon-profil/suppression",
        "queue": "/consultations/moderation",
        "moderate": f"/consultations/moderation/proposal/{p.id}",
    }
    got = {}
    for name, url in urls.items():
        response = client.get(url, base_url=f"http://{host}")
        location = response.headers.get("Location", "")
        if response.status_code == 302 and "/login" in location:
            got[name] = "login"
        elif response.status_code == 302 and "conditions-de-participation" in location:
            got[name] = "terms"
        else:
            got[name] = response.status_code
    assert got == {name: MATRIX[name][kind] for name in urls}


@pytest.mark.parametrize(
    "role, moderate, contribute, delete_account",
    [
        (Role.CITIZEN, False, True, True),
        (Role.MAYOR, False, True, False),
        (Role.COMMUNE_STAFF, False, True, False),
        (Role.VICE_PRESIDENT, False, True, False),
        (Role.ADMIN, True, True, False),
        (None, False, True, True),
    ],
)
def test_permissions_per_role(org, other_org, role, moderate, contribute, delete_account):
    from app.access import can

    c = factories.consultation(org)
    theirs = factories.consultation(other_org)
    person = factories.user(org, role)
    assert can(person, "consultations.moderate", c) is moderate
    assert can(person, "consultations.moderate", theirs) is False
    assert can(person, "participation.contribute", c) is contribute
    assert can(person, "participation.contribute", theirs) is False
    assert can(person, "participation.delete_account") is delete_account
    unconfirmed = factories.user(org, role, confirmed=False)
    assert can(unconfirmed, "participation.contribute", c) is False
    mine = proposal(c, person)
    assert can(person, "participation.edit_own", mine)
    assert not can(unconfirmed, "participation.edit_own", mine)
    inactive = factories.user(org, Role.ADMIN, active=False)
    assert not can(inactive, "consultations.moderate", c)


def test_the_forms_carry_their_csrf_token(client, org, login, csrf_on):
    c = factories.consultation(org)
    p = proposal(c, participant(org))
    login(client, participant(org))
    page = client.get(proposal_url(c, p)).text
    tokens = re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert tokens
    assert client.post(f"{proposal_url(c, p)}/soutien").status_code == 400
    assert count(Support) == 0
    done = client.post(f"{proposal_url(c, p)}/soutien", data={"csrf_token": tokens[-1]})
    assert done.status_code == 302 and count(Support) == 1


# --- the services, without a request --------------------------------------------------------


def test_services_without_a_request(app, org):
    c = factories.consultation(org, moderation="pre")
    author, admin = participant(org), factories.user(org, Role.ADMIN)
    now = utcnow()
    data = services.ProposalData(title=" Un titre ", body="Texte\n\nsuite", theme_id=c.themes[0].id)
    created = services.submit_proposal(author, c, data, now, "203.0.113.4")
    db.session.commit()
    assert created.status is ContentStatus.PENDING and created.title == "Un titre"
    assert created.body == "<p>Texte</p><p>suite</p>" and created.body_text == "Texte suite"
    with pytest.raises(services.ParticipationError) as refused:
        services.support(participant(org), created, now)
    assert refused.value.code == "not_published"
    services.moderate(admin, c, services.PROPOSAL, created, "publish", "", now)
    db.session.commit()
    email = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert f"/consultations/{c.slug}/propositions/{created.id}" in email.body_text
    supporter = participant(org)
    services.support(supporter, created, now)
    with pytest.raises(services.ParticipationError) as twice:
        services.support(supporter, created, now)
    assert twice.value.code == "already_supported" and created.support_count == 1
    with pytest.raises(services.ParticipationError) as links:
        services.add_comment(author, created, "http://a http://b http://c", False, now, "")
    assert links.value.code == "too_many_links"
    with pytest.raises(services.ParticipationError) as reason:
        services.moderate(admin, c, services.PROPOSAL, created, "hide", " ", now)
    assert reason.value.code == "reason_required"
    other = factories.consultation(org)
    with pytest.raises(services.ParticipationError) as theme:
        services.submit_proposal(
            author, c, services.ProposalData("x", "y", theme_id=other.themes[0].id), now, ""
        )
    assert theme.value.code == "unknown_theme"
    later = c.contributions_end_at + timedelta(seconds=1)
    with pytest.raises(services.ParticipationError) as closed:
        services.withdraw_support(supporter, created, later)
    assert closed.value.code == "closed"
