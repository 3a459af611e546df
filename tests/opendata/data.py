"""Demo-like data for the API's tests: public and non-public records of every resource, with
people whose e-mail, phone and name must never leak."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from ami.models import Decision, Outcome
from app.db import db, utcnow
from app.organisations import services as org_services
from app.users.models import Role
from consultations.bodies.models import Body, BodyKind, BodyMember, MeetingStatus, Vote
from consultations.saisines.models import (
    Opinion,
    ResponseStatus,
    SaisineResponse,
    SaisineStatus,
)
from participation.citizen.models import ContentStatus, Proposal
from tests import factories
from tests.ami import factories as ami_factories

HOST = "lens.test"
OTHER_HOST = "carcassonne.test"
SECRET_NAME = "Dominique Discrète"
SHOWN_NAME = "Camille Signataire"
PHONE = "06 12 34 56 78"
_bodies = itertools.count(1)


@dataclass
class World:
    org: object
    admin: object
    citizen: object
    mayor: object
    published_saisine: object
    unpublished_saisine: object
    draft_saisine: object
    public_meeting: object
    private_meeting: object
    consultation: object
    hidden_consultation: object
    shown_proposal: object
    secret_proposal: object
    hidden_proposal: object
    call: object
    hidden_call: object
    notified: object
    not_notified: object
    council: object = None
    council_draft: object = None
    dossier: object = None
    private_dossier: object = None
    emails: list[str] = field(default_factory=list)


def _saisines(org, admin, mayor):
    published = factories.saisine(
        org, admin, opens_in=-20, deadline_in=-1, reference="PLUI-2026-01"
    )
    published.status = SaisineStatus.CLOSED
    published.results_published = True
    commune = mayor.memberships[0].commune
    db.session.add(
        SaisineResponse(
            saisine_id=published.id,
            commune_id=commune.id,
            status=ResponseStatus.SUBMITTED,
            opinion=Opinion.FAVORABLE_WITH_RESERVATIONS,
            motivation="Réserve sur le secteur nord, appeler le " + PHONE,
            submitted_at=utcnow(),
            submitted_by_id=mayor.id,
            signed_as="mayor",
        )
    )
    unpublished = factories.saisine(org, admin, reference="PCAET-2026")
    draft = factories.saisine(org, admin, open_it=False, reference="BROUILLON")
    return published, unpublished, draft


def _meetings(org, admin, mayor):
    body = Body(
        organisation_id=org.id,
        kind=BodyKind.MAYORS_CONFERENCE,
        name=f"Conférence des maires {next(_bodies)}",
    )
    db.session.add(body)
    db.session.flush()
    member = BodyMember(
        body_id=body.id, user_id=mayor.id, commune_id=mayor.memberships[0].commune_id
    )
    db.session.add(member)
    db.session.commit()
    meetings = []
    for public in (True, False):
        meeting = factories.meeting(
            body, admin, days=-3, items=[{"title": "Avis sur le PLUi", "vote": True}]
        )
        meeting.status = MeetingStatus.MINUTES_PUBLISHED
        meeting.minutes_public = public
        meeting.minutes_published_at = utcnow()
        meeting.minutes = "<p>Le maire de X a dit...</p>"
        item = meeting.items[0]
        item.vote_status = "closed"
        item.adopted = True
        item.opinion_text = "Avis favorable de la conférence des maires."
        db.session.add(
            Vote(item_id=item.id, member_id=member.id, choice="for", cast_by_id=mayor.id)
        )
        meetings.append(meeting)
    db.session.commit()
    return meetings


def _consultations(org, citizen, signer):
    consultation = factories.consultation(org)
    hidden = factories.consultation(org, title="Brouillon", published=False)
    proposals = []
    for author, show, status, title in (
        (signer, True, ContentStatus.PUBLISHED, "Une piste cyclable le long de la Souchez"),
        (citizen, False, ContentStatus.PUBLISHED, "Des bancs à l'ombre"),
        (citizen, True, ContentStatus.HIDDEN, "Message masqué par la modération"),
    ):
        proposal = Proposal(
            consultation_id=consultation.id,
            author_id=author.id,
            show_name=show,
            title=title,
            body="<p>Texte</p>",
            body_text="Texte",
            status=status,
            ip_address="192.0.2.44",
        )
        db.session.add(proposal)
        proposals.append(proposal)
    db.session.commit()
    return consultation, hidden, proposals


def _ami(org):
    call = ami_factories.call(org, year=2025, open_=False)
    hidden_call = ami_factories.call(org, year=2027, published=False)
    association = factories.association(org, "Lens Solidarité")
    association.contact_email = "presidente@lens-solidarite.example"
    association.contact_phone = PHONE
    association.contact_name = "Claude Présidente"
    notified = ami_factories.application(call, association, title="Atelier numérique")
    not_notified = ami_factories.application(call, association, title="Jardin partagé")
    db.session.add_all(
        [
            Decision(
                application_id=notified.id,
                outcome=Outcome.FUNDED,
                granted_cents=1_234_500,
                motivation="Motivation interne du jury",
                notified_at=utcnow() - timedelta(days=2),
            ),
            Decision(
                application_id=not_notified.id,
                outcome=Outcome.FUNDED,
                granted_cents=500_000,
            ),
        ]
    )
    db.session.commit()
    return call, hidden_call, notified, not_notified


def _dossiers(org, admin, saisine):
    from datetime import date

    from decisions import services as decision_services
    from decisions.models import DecisionStage, DeliberationResult

    def data(title, public):
        return decision_services.DossierData(
            title=title,
            summary="<p>Projet de délibération</p>",
            lead_user_id=None,
            lead_name="Vice-président aménagement",
            commission="Aménagement",
            public=public,
        )

    dossier = decision_services.create_dossier(admin, org, data("PLUi", True), [])
    decision_services.attach(admin, org, dossier, "saisine", saisine.id)
    for stage in (DecisionStage.WORK, DecisionStage.CONSULTATION, DecisionStage.PRE_VALIDATION):
        decision_services.move_stage(admin, org, dossier, stage)
    decision_services.record_deliberation(
        admin,
        org,
        dossier,
        decision_services.DeliberationData(
            body_name="Conseil communautaire",
            decided_on=date(2026, 11, 30),
            number="DEL-2026-112",
            result=DeliberationResult.ADOPTED,
            text="<p>Le conseil adopte le PLUi.</p>",
        ),
        None,
    )
    private = decision_services.create_dossier(admin, org, data("Projet interne", False), [])
    db.session.commit()
    return dossier, private


def _council(org, author):
    from datetime import date

    from participation.council.models import (
        Contribution,
        ContributionAuthor,
        ContributionStatus,
        FollowUp,
    )

    now = utcnow()
    transmitted = Contribution(
        organisation_id=org.id,
        title="Mobilités du quotidien",
        body="<p>Le conseil propose des navettes.</p>",
        status=ContributionStatus.TRANSMITTED,
        created_by_id=author.id,
        vote_closed_at=now - timedelta(days=10),
        votes_for=12,
        votes_against=1,
        votes_abstain=2,
        transmitted_at=now - timedelta(days=9),
    )
    transmitted.authors = [ContributionAuthor(user_id=author.id)]
    transmitted.follow_up = FollowUp(due_on=date(2027, 3, 1))
    draft = Contribution(
        organisation_id=org.id, title="Brouillon du conseil", created_by_id=author.id
    )
    db.session.add_all([transmitted, draft])
    db.session.commit()
    return transmitted, draft


def _person(org, role: Role, email: str, name: str | None = None):
    """A person as factories.user makes one, without a password: the API's tokens do not need
    one, and hashing four passwords would cost most of the world's set-up."""
    from unittest import mock

    with mock.patch.object(factories, "password_hash", lambda: None):
        return factories.user(org, role, email=email, name=name)


def world(org) -> World:
    org_services.add_host(org, HOST)
    db.session.commit()
    admin = _person(org, Role.ADMIN, "agent@agglo.example")
    citizen = _person(org, Role.CITIZEN, "habitant@mail.example", SECRET_NAME)
    signer = _person(org, Role.CITIZEN, "camille@mail.example", SHOWN_NAME)
    mayor = _person(org, Role.MAYOR, "maire@mairie.example", "Maire Secret")
    published, unpublished, draft = _saisines(org, admin, mayor)
    public_meeting, private_meeting = _meetings(org, admin, mayor)
    consultation, hidden_consultation, proposals = _consultations(org, citizen, signer)
    call, hidden_call, notified, not_notified = _ami(org)
    council, council_draft = _council(org, citizen)
    from flask import current_app

    with current_app.test_request_context():
        dossier, private_dossier = _dossiers(org, admin, published)
    return World(
        org=org,
        admin=admin,
        citizen=citizen,
        mayor=mayor,
        published_saisine=published,
        unpublished_saisine=unpublished,
        draft_saisine=draft,
        public_meeting=public_meeting,
        private_meeting=private_meeting,
        consultation=consultation,
        hidden_consultation=hidden_consultation,
        shown_proposal=proposals[0],
        secret_proposal=proposals[1],
        hidden_proposal=proposals[2],
        call=call,
        hidden_call=hidden_call,
        notified=notified,
        not_notified=not_notified,
        council=council,
        council_draft=council_draft,
        dossier=dossier,
        private_dossier=private_dossier,
        emails=[admin.email, citizen.email, signer.email, mayor.email],
    )


def token_for(user) -> str:
    from opendata import services

    _token, secret = services.create_token(user, "test", utcnow())
    db.session.commit()
    return secret


def more_rows(w: World) -> None:
    """More of the public rows: meetings with votes, notified grants, published proposals."""
    for _n in range(3):
        _meetings(w.org, w.admin, w.mayor)
    association = factories.association(w.org, "Liévin Ensemble")
    for n in range(3):
        application = ami_factories.application(w.call, association, title=f"Action {n}")
        db.session.add(
            Decision(
                application_id=application.id,
                outcome=Outcome.FUNDED,
                granted_cents=100_000,
                notified_at=utcnow(),
            )
        )
    for n in range(4):
        db.session.add(
            Proposal(
                consultation_id=w.consultation.id,
                author_id=w.citizen.id,
                show_name=bool(n % 2),
                title=f"Proposition {n}",
                body="<p>Texte</p>",
                body_text="Texte",
            )
        )
    db.session.commit()
