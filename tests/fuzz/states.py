"""Putting the demo world into the states that show the forms a quiet demo hides.

`prepare_states(world)` changes the world through the domain services (a live vote, a closed
mailbox question, a draft saisine with its questionnaire...) and returns the variants: sets of
URL arguments naming the demo's other objects (each meeting, saisine, contribution...), so that
the pages of each object, in its own state, are opened and their forms found.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.db import db, utcnow

#: at most this many objects of each kind are opened
PER_KIND = 8


def _ids(model, *where, order=None):
    query = sa.select(model).where(*where).order_by(order if order is not None else model.id)
    return db.session.scalars(query.limit(PER_KIND)).all()


def prepare_states(world) -> list[dict]:
    for step in (
        _live_vote,
        _council_vote,
        _closed_message,
        _draft_saisine,
        _draft_application,
        _tokens,
        _participant,
        _draft_consultation,
        _two_factor,
        _draft_call,
        _dossier_to_deliberate,
        _own_proposal,
        _essaimage_day,
        _hearing_phase,
        _convocation,
    ):
        step(world)
    db.session.flush()
    return _variants(world)


def _variants(world) -> list[dict]:
    from ami.models import AmiCall, Application
    from consultations.bodies.models import AgendaItem, Body, Meeting
    from consultations.mailbox.models import Message
    from consultations.saisines.models import Question, Saisine
    from decisions.models import Dossier
    from participation.citizen.models import ConsultationQuestion, PublicConsultation
    from participation.council.models import Contribution

    org_id = world.org.id
    variants: list[dict] = []
    for body in _ids(Body, Body.organisation_id == org_id):
        variants.append({"body_id": body.id})
    bodies = sa.select(Body.id).where(Body.organisation_id == org_id)
    for meeting in _ids(Meeting, Meeting.body_id.in_(bodies), order=Meeting.id.desc()):
        items = _ids(AgendaItem, AgendaItem.meeting_id == meeting.id)
        for item in items or [None]:
            variants.append(
                {"meeting_id": meeting.id, "body_id": meeting.body_id}
                | ({"item_id": item.id} if item is not None else {})
            )
    for saisine in _ids(Saisine, Saisine.organisation_id == org_id, order=Saisine.id.desc()):
        question = db.session.scalars(
            sa.select(Question).where(Question.saisine_id == saisine.id).limit(1)
        ).first()
        variants.append(
            {"saisine_id": saisine.id} | ({"question_id": question.id} if question else {})
        )
    for message in _ids(Message, Message.organisation_id == org_id, order=Message.id.desc()):
        variants.append({"message_id": message.id})
    for contribution in _ids(Contribution, Contribution.organisation_id == org_id):
        variants.append({"contribution_id": contribution.id})
    for call in _ids(AmiCall, AmiCall.organisation_id == org_id, order=AmiCall.id.desc()):
        variants.append({"call_id": call.id})
    for application in _ids(Application, Application.association_id == world.ids["association_id"]):
        variants.append({"application_id": application.id, "call_id": application.call_id})
    consultations = PublicConsultation.organisation_id == org_id
    for consultation in _ids(PublicConsultation, consultations, order=PublicConsultation.id.desc()):
        question = db.session.scalars(
            sa.select(ConsultationQuestion)
            .where(ConsultationQuestion.consultation_id == consultation.id)
            .limit(1)
        ).first()
        variants.append(
            {"consultation_id": consultation.id, "slug": consultation.slug}
            | ({"question_id": question.id} if question else {})
        )
    for dossier in _ids(Dossier, Dossier.organisation_id == org_id):
        variants.append({"dossier_id": dossier.id})
    if "deliberate" in world.ids:
        variants.append(world.ids["deliberate"])
    if "essaimage" in world.ids:
        variants.append(world.ids["essaimage"])
    variants.extend(world.ids.get("hearing_phase", []))
    if "invited_id" in world.ids:
        variants.append({"user_id": world.ids["invited_id"]})
    return variants


def _live_vote(world) -> None:
    """The demo's upcoming conférence des maires, convened: everyone present, its vote open;
    a planned meeting of the working group, with an agenda, ready to be convened, and a
    convened one whose vote may be opened."""
    from consultations.bodies import services
    from consultations.bodies.models import AgendaItem, Body, Meeting, MeetingStatus, VoteStatus
    from consultations.bodies.services.common import current_members

    admin, now = world.users["admin"], utcnow()
    item = db.session.scalars(
        sa.select(AgendaItem)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .join(Body, Meeting.body_id == Body.id)
        .where(
            Body.organisation_id == world.org.id,
            Meeting.status == MeetingStatus.CONVENED,
            AgendaItem.vote_status == VoteStatus.PENDING,
        )
        .limit(1)
    ).first()
    if item is not None:
        for member in current_members(item.meeting.body):
            services.record_attendance(admin, item.meeting, member, True, now)
        services.open_vote(admin, item)
    group = db.session.scalars(
        sa.select(Body).where(Body.organisation_id == world.org.id, Body.auto_mayors.is_(False))
    ).first()
    if group is not None:
        def meeting_with_an_item(title: str, days: int, item: str):
            data = services.MeetingData(
                title=title,
                starts_at=now + timedelta(days=days),
                ends_at=None,
                host_commune=None,
                venue="Salle du conseil",
                online_url="",
            )
            meeting = services.create_meeting(admin, group, data)
            services.add_item(admin, meeting, item, "", True, "Un avis.")
            return meeting

        meeting_with_an_item("Réunion à convoquer", 20, "Point à l'ordre du jour")
        # and one convened, its vote not open yet
        later = meeting_with_an_item("Réunion convoquée", 25, "Point soumis au vote")
        services.convene(admin, later, now)


def _council_vote(world) -> None:
    """Three contributions of the conseil de développement: a draft, one put to the vote and
    one adopted, ready to be transmitted."""
    from app.voting import VoteChoice
    from participation.council import services

    codev, now = world.users["codev"], utcnow()
    text = "<p>Le conseil propose un texte.</p>"
    drafts = [
        services.start_contribution(codev, world.org, title, text, None, "Première version")
        for title in ("Avis en projet", "Avis soumis au vote", "Avis adopté")
    ]
    for contribution in drafts[1:]:
        services.open_vote(codev, contribution, now - timedelta(days=2))
    services.cast_vote(codev, drafts[2], VoteChoice.FOR, now - timedelta(days=1))
    services.close_vote(codev, drafts[2], now)


def _closed_message(world) -> None:
    """A mailbox question answered and closed (it may be reopened), and a mailbox service that
    no question uses (it may be deleted)."""
    from consultations.mailbox import services

    mayor, admin, now = world.users["mayor"], world.users["admin"], utcnow()
    commune = next(m.commune for m in mayor.memberships if m.commune is not None)
    message = services.send_question(mayor, world.org, commune, "Question close", "Merci.", now)
    services.reply(admin, message, "Voici la réponse.", now)
    services.close(admin, message, now)
    services.create_service(admin, world.org, "Service sans question", "")


def _draft_saisine(world) -> None:
    """A saisine in draft asking for data, with two questions and a document: its
    questionnaire may be edited, reordered, and the saisine opened."""
    from app.organisations.queries import commune_by_insee
    from app.questionnaires import QuestionType
    from consultations.saisines import services
    from consultations.saisines.models import SaisineKind, SilenceRule
    from tests.security.world import COMMUNE, _file

    admin, now = world.users["admin"], utcnow()
    data = services.SaisineData(
        reference="FUZZ-2026-01",
        title="Saisine en préparation",
        description="Une saisine à compléter.",
        kind=SaisineKind.BOTH,
        opens_at=now,
        deadline=now + timedelta(days=30),
        silence_rule=SilenceRule.FAVOURABLE,
        legal_basis="",
        target_mode="list",
        communes=[commune_by_insee(world.org, COMMUNE)],
    )
    saisine = services.create_saisine(admin, world.org, data)
    for label in ("Nombre de logements", "Observations"):
        services.add_question(
            admin, saisine, label=label, type=QuestionType.SHORT_TEXT, required=False
        )
    services.add_document(admin, saisine, _file(world.org))


def _draft_application(world) -> None:
    """A draft application of the world's association to an open call: it may be edited and
    submitted (the submission is refused with the list of what is missing, or accepted)."""
    from ami.models import AmiCall, Association, Track
    from ami.services.applications import start_application
    from ami.services.common import AmiError

    association = db.session.get(Association, world.ids["association_id"])
    calls = _ids(AmiCall, AmiCall.organisation_id == world.org.id, order=AmiCall.id.desc())
    for call in calls:
        try:
            start_application(
                world.users["association"], call, association, Track.STANDARD, utcnow()
            )
        except AmiError:
            continue
        return


def _tokens(world) -> None:
    """A pending invitation (its page and its resending) and an e-mail confirmation link: the
    token pages are opened with valid tokens."""
    from flask import current_app

    from app.users import services, tokens
    from app.users.models import Role, TokenPurpose

    with current_app.test_request_context(base_url="http://localhost"):
        invited = services.invite(
            world.users["admin"], world.org, "invitee@example.org", "Personne invitée", Role.CITIZEN
        )
    lifetime = timedelta(days=2)
    world.ids["auth.accept_invitation.token"] = tokens.issue(
        invited, TokenPurpose.INVITATION, lifetime
    )
    world.ids["auth.reset_password.token"] = tokens.issue(
        world.users["citizen"], TokenPurpose.PASSWORD_RESET, lifetime
    )
    world.ids["auth.confirm_email.token"] = tokens.issue(
        invited, TokenPurpose.EMAIL_CONFIRMATION, lifetime
    )
    world.ids["invited_id"] = invited.id


def _participant(world) -> None:
    """The inhabitant has accepted the terms of participation and supports a proposal: the
    proposal and questionnaire forms are shown, and the support may be withdrawn."""
    from participation.citizen import services
    from participation.citizen.models import Proposal

    citizen, now = world.users["citizen"], utcnow()
    services.save_participant(citizen, commune_id=None, show_name=True, accept_terms_at=now)
    proposal = db.session.get(Proposal, world.ids["proposal_id"])
    if not services.user_supports(citizen, proposal):
        services.support(citizen, proposal, now)


def _convocation(world) -> None:
    """The link of a convocation not yet acknowledged (bodies_member.acknowledge)."""
    from consultations.bodies.models import BodyMember, Convocation

    convocation = db.session.scalars(
        sa.select(Convocation)
        .join(BodyMember, Convocation.member_id == BodyMember.id)
        .where(BodyMember.user_id == world.users["mayor"].id, Convocation.acknowledged_at.is_(None))
        .limit(1)
    ).first()
    if convocation is not None:
        world.ids["bodies_member.acknowledge.token"] = convocation.token


def _draft_consultation(world) -> None:
    """A citizen consultation in preparation with a questionnaire of two questions: they may
    be edited, moved and deleted."""
    from app.questionnaires import QuestionType
    from participation.citizen import manage_services as services

    admin, now = world.users["admin"], utcnow()
    data = services.ConsultationData(
        title="Consultation en préparation",
        presentation="<p>À venir.</p>",
        information_starts_at=now + timedelta(days=10),
        contributions_start_at=now + timedelta(days=20),
        contributions_end_at=now + timedelta(days=40),
        synthesis_starts_at=now + timedelta(days=50),
        feedback_starts_at=now + timedelta(days=60),
        allow_questionnaire=True,
        communes=list(world.org.communes),
    )
    consultation = services.create_consultation(admin, world.org, data)
    for label in ("Votre quartier", "Vos idées"):
        services.add_question(
            admin, consultation, label=label, type=QuestionType.SHORT_TEXT, required=False
        )


def _two_factor(world) -> None:
    """The other association's member uses two-factor authentication: they may disable it and
    renew their recovery codes, and, half logged in, type a code (tests.fuzz: 'pending')."""
    import pyotp

    from app.auth import services, totp

    user = world.users["other_association"]
    secret = totp.new_secret()
    services.enable(user, secret, pyotp.TOTP(secret).now())
    world.ids["two_factor_user_id"] = user.id


def _draft_call(world) -> None:
    """An AMI call written but not published yet: it may be published."""
    from ami.services.calls import CallData, create_call

    now = utcnow()
    data = CallData(
        year=now.year + 4,
        title="Appel à manifestation d'intérêt en préparation",
        specification="<p>Cahier des charges à venir.</p>",
        opens_at=now + timedelta(days=300),
        closes_at=now + timedelta(days=360),
        budget_envelope_cents=10_000_000,
        base_rate=50,
        ceiling_cents=1_000_000,
        blank_page_enabled=False,
        blank_page_ceiling_cents=0,
    )
    create_call(world.users["admin"], world.org, data)


def _dossier_to_deliberate(world) -> None:
    """A dossier moved along the decision path to its pre-validation: its deliberation may be
    recorded."""
    from decisions import services
    from decisions.models import DecisionStage

    admin = world.users["admin"]
    data = services.DossierData(
        title="Projet de délibération à voter",
        summary="<p>Un projet.</p>",
        lead_user_id=None,
        lead_name="",
        commission="",
        public=False,
    )
    dossier = services.create_dossier(admin, world.org, data, [])
    for stage in (DecisionStage.WORK, DecisionStage.CONSULTATION, DecisionStage.PRE_VALIDATION):
        services.move_stage(admin, world.org, dossier, stage, override_reason="Pour les tests")
    world.ids["deliberate"] = {"dossier_id": dossier.id}


def _own_proposal(world) -> None:
    """The inhabitant's own proposal: their profile offers to show or hide their name on it."""
    from participation.citizen import services
    from participation.citizen.models import PublicConsultation

    consultation = db.session.get(PublicConsultation, world.ids["consultation_id"])
    data = services.ProposalData(title="Ma proposition", body="Plus de bancs.")
    services.submit_proposal(world.users["citizen"], consultation, data, utcnow(), "127.0.0.1")


def _essaimage_day(world) -> None:
    """An essaimage day with an association invited and no plan built yet: the invitation may
    be withdrawn."""
    from ami.models import Association
    from ami.network.services.essaimage.days import DayData, create_day
    from ami.network.services.essaimage.invitations import invite_chosen

    admin, now = world.users["admin"], utcnow()
    starts = now + timedelta(days=90)
    data = DayData(
        year=starts.year + 3,
        title="Journée d'essaimage à venir",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        meetings_start_at=starts + timedelta(hours=1),
    )
    day = create_day(admin, world.org, data)
    association = db.session.get(Association, world.ids["association_id"])
    invite_chosen(admin, world.org, day, [association])
    world.ids["essaimage"] = {"day_id": day.id}


def _hearing_phase(world) -> None:
    """The open call's applications submitted, some found eligible: a first hearing group
    invited, the next one scheduled but not invited, others still to review, and the call in
    deliberation with one decision written: applications may be reviewed, hearings confirmed,
    moved and invited, decisions written and notified."""
    from ami.models import AmiCall, Application, ApplicationStatus, Outcome
    from ami.services import hearings
    from ami.services.applications import submit_application
    from ami.services.common import AmiError
    from ami.services.decisions import DecisionData, open_deliberation, record_decision
    from ami.services.review import check_eligibility

    admin, now = world.users["admin"], utcnow()
    call = db.session.scalars(
        sa.select(AmiCall)
        .where(AmiCall.organisation_id == world.org.id, AmiCall.published_at.is_not(None))
        .where(AmiCall.opens_at <= now, AmiCall.closes_at > now)
        .limit(1)
    ).first()
    if call is None:
        return
    applications = db.session.scalars(
        sa.select(Application).where(Application.call_id == call.id).order_by(Application.id)
    ).all()
    submitted = []
    for application in applications:
        if application.status is ApplicationStatus.DRAFT:
            try:
                submit_application(admin, application, now)
            except AmiError:  # an empty draft (tests.fuzz.states._draft_application)
                continue
        submitted.append(application)
    # the other association's (tests.security.world), if it applied, among the invited
    submitted.sort(key=lambda a: a.association_id != world.ids["other_id"])
    # the first two found eligible and invited to their hearing; the third found eligible
    # afterwards, in a second group not invited yet; the last ones left to review
    for day, group in ((20, submitted[:2]), (21, submitted[2:3])):
        for application in group:
            check_eligibility(
                admin,
                application,
                complete=True,
                association_valid=True,
                theme_ok=True,
                eligible=True,
                reason="",
            )
        starts = now + timedelta(days=day)
        hearings.add_slot(admin, call, starts, starts + timedelta(hours=1), "Salle des fêtes")
        hearings.propose(admin, call)
        if day == 20:
            hearings.invite(admin, call)
    open_deliberation(admin, call, now)
    eligible = [a for a in applications if a.status is ApplicationStatus.ELIGIBLE]
    # one decision written, not notified yet: the decisions may be notified
    record_decision(
        admin, eligible[-1], DecisionData(outcome=Outcome.NOT_FUNDED, motivation="Non.")
    )
    world.ids["hearing_phase"] = [
        {"application_id": a.id, "call_id": call.id} for a in eligible[:PER_KIND]
    ]
