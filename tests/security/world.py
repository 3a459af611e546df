"""One world for the security suite: the demo organisation (every domain's demo content), the
files and rows the demo does not make, and a second organisation with its own people.

The demo is the richest fixture the project has and it grows with each domain (new routes
find their objects in it). `build_world()` returns the people by role, the host each one
uses and, by URL argument name, the identifier of an object of the demo organisation.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.db import db
from app.users.models import Membership, Role, User

HOST = "localhost"
OTHER_HOST = "carcassonne.test"
COMMUNE = "62510"  # Liévin: the demo's mayor and DGS act for it
OTHER_COMMUNE = "62498"  # Lens
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

#: the roles of the matrix, in the order of its columns
ROLES = (
    "anonymous",
    "citizen",
    "association_b",  # member of an association of the other organisation (on its host)
    "other_mayor",  # mayor of another commune (Lens)
    "staff",  # commune staff of the world's commune (Liévin)
    "jury",
    "admin_b",  # admin of the other organisation (on its host)
    "admin",
    "mayor",  # mayor of the world's commune (Liévin)
    "association",  # member of the world's association
    "other_association",  # member of another association of the same organisation
    "codev",  # member of the conseil de développement
)


@dataclass
class World:
    org: object
    other_org: object
    users: dict[str, User | None] = field(default_factory=dict)
    ids: dict[str, object] = field(default_factory=dict)

    def host(self, role: str) -> str:
        return OTHER_HOST if role.endswith("_b") else HOST


def _demo_user(org, local: str) -> User:
    from app.demo import DOMAIN

    return db.session.scalar(
        sa.select(User).where(User.organisation_id == org.id, User.email == f"{local}@{DOMAIN}")
    )


def _first(model, *where, order=None):
    query = sa.select(model).where(*where).order_by(order if order is not None else model.id)
    return db.session.scalars(query.limit(1)).first()


def _file(org, name: str = "document.pdf"):
    from app.uploads.models import StoredFile

    key = f"{org.id}/{secrets.token_hex(16)}.pdf"
    path = Path(current_app.config["UPLOAD_DIR"]) / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    stored = StoredFile(
        organisation_id=org.id,
        original_name=name,
        storage_key=key,
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def build_world() -> World:
    from app.demo import load_demo
    from tests import factories

    load_demo()
    db.session.commit()
    from app.organisations.queries import by_slug

    org = by_slug("lens-lievin")
    other = factories.organisation("200035715", slug="carcassonne", host=OTHER_HOST)
    world = World(org=org, other_org=other)
    _people(world)
    _consultations_ids(world)
    _participation_ids(world)
    _ami_ids(world)
    _app_ids(world)
    _newer_ids(world)
    db.session.commit()
    return world


def _people(world: World) -> None:
    from ami.models import Association
    from tests import factories

    org, other = world.org, world.other_org
    users = world.users
    users["anonymous"] = None
    users["citizen"] = _demo_user(org, "habitant")
    users["other_mayor"] = _demo_user(org, "maire.lens")
    users["staff"] = _demo_user(org, "dgs.lievin")
    users["jury"] = _demo_user(org, "jury")
    users["admin"] = _demo_user(org, "admin")
    users["mayor"] = _demo_user(org, "maire.lievin")
    users["association"] = _demo_user(org, "association")
    users["codev"] = _demo_user(org, "codev")
    mine = db.session.scalar(
        sa.select(Membership.association_id).where(
            Membership.user_id == users["association"].id, Membership.association_id.is_not(None)
        )
    )
    another = _first(Association, Association.organisation_id == org.id, Association.id != mine)
    users["other_association"] = factories.user(
        org, Role.ASSOCIATION_MEMBER, association=another, name="Autre association"
    )
    foreign = factories.association(other, "Association de Carcassonne")
    users["association_b"] = factories.user(other, Role.ASSOCIATION_MEMBER, association=foreign)
    users["admin_b"] = factories.user(other, Role.ADMIN, name="Admin de Carcassonne")
    world.ids["association_id"] = mine
    world.ids["other_id"] = another.id


def _consultations_ids(world: World) -> None:
    from app.organisations.queries import commune_by_insee
    from consultations.bodies.models import (
        AgendaDocument,
        AgendaItem,
        Body,
        BodyMember,
        Meeting,
        MeetingRequest,
    )
    from consultations.mailbox.models import MailboxService, Message
    from consultations.saisines.models import (
        Question,
        ResponseAttachment,
        Saisine,
        SaisineDocument,
        SaisineResponse,
        SignatureDelegation,
    )

    org, ids = world.org, world.ids
    commune = commune_by_insee(org, COMMUNE)
    response = _first(
        SaisineResponse,
        SaisineResponse.commune_id == commune.id,
        SaisineResponse.saisine_id.in_(
            sa.select(Saisine.id).where(Saisine.organisation_id == org.id)
        ),
    )
    saisine = db.session.get(Saisine, response.saisine_id)
    ids["insee"] = COMMUNE
    ids["saisine_id"] = saisine.id
    ids["saisines.question_id"] = _first(Question, Question.saisine_id == saisine.id).id
    document = SaisineDocument(saisine_id=saisine.id, file_id=_file(org).id)
    attachment = ResponseAttachment(response_id=response.id, file_id=_file(org).id)
    delegation = SignatureDelegation(
        commune_id=commune.id, user_id=world.users["staff"].id, granted_by_id=None
    )
    db.session.add_all([document, attachment, delegation])
    body = _first(Body, Body.organisation_id == org.id)
    meeting = _first(Meeting, Meeting.body_id == body.id)
    item = _first(AgendaItem, AgendaItem.meeting_id == meeting.id)
    agenda_document = AgendaDocument(item_id=item.id, file_id=_file(org).id)
    service = MailboxService(organisation_id=org.id, name="Direction des mobilités")
    db.session.add_all([agenda_document, service])
    db.session.flush()
    message = Message(
        organisation_id=org.id,
        sender_id=world.users["mayor"].id,
        commune_id=commune.id,
        subject="Une question",
        body="Quand passe le bus ?",
        service_id=service.id,
    )
    db.session.add(message)
    db.session.flush()
    ids["saisines.document_id"] = ids["saisines_commune.document_id"] = document.id
    ids["attachment_id"] = attachment.id
    ids["delegation_id"] = delegation.id
    ids["body_id"] = body.id
    ids["meeting_id"] = meeting.id
    ids["item_id"] = item.id
    ids["bodies.document_id"] = ids["bodies_member.document_id"] = agenda_document.id
    ids["member_id"] = _first(BodyMember, BodyMember.body_id == body.id).id
    request = _first(
        MeetingRequest,
        MeetingRequest.body_id.in_(sa.select(Body.id).where(Body.organisation_id == org.id)),
    )
    ids["request_id"] = request.id
    ids["message_id"] = message.id
    ids["service_id"] = service.id


def _participation_ids(world: World) -> None:
    from participation.citizen.models import (
        Comment,
        ConsultationDocument,
        ConsultationQuestion,
        Proposal,
        PublicConsultation,
    )
    from participation.council.models import Contribution, Referral, ReferralDocument

    org, ids = world.org, world.ids
    consultation = _first(
        PublicConsultation,
        PublicConsultation.organisation_id == org.id,
        PublicConsultation.published.is_(True),
    )
    proposal = _first(Proposal, Proposal.consultation_id == consultation.id)
    document = ConsultationDocument(consultation_id=consultation.id, file_id=_file(org).id)
    referral = _first(Referral, Referral.organisation_id == org.id)
    referral_document = ReferralDocument(referral_id=referral.id, file_id=_file(org).id)
    db.session.add_all([document, referral_document])
    db.session.flush()
    ids["consultation_id"] = consultation.id
    ids["slug"] = consultation.slug
    ids["proposal_id"] = proposal.id
    ids["comment_id"] = _first(Comment, Comment.proposal_id == proposal.id).id
    ids["citizen.document_id"] = ids["citizen_manage.document_id"] = document.id
    ids["citizen_manage.question_id"] = _first(
        ConsultationQuestion, ConsultationQuestion.consultation_id == consultation.id
    ).id
    ids["target_type"] = "proposal"
    ids["target_id"] = proposal.id
    ids["contribution_id"] = _first(Contribution, Contribution.organisation_id == org.id).id
    ids["referral_id"] = referral.id
    ids["council.document_id"] = referral_document.id


def _ami_ids(world: World) -> None:
    from ami.models import AmiCall, Application, Hearing, HearingSlot, JuryMember
    from ami.network.models import (
        Cooperation,
        EssaimageDay,
        EssaimageInvitation,
        Match,
        NetworkTag,
    )

    org, ids = world.org, world.ids
    mine = ids["association_id"]
    jury = world.users["jury"]
    seat = _first(JuryMember, JuryMember.user_id == jury.id)
    application = _first(
        Application, Application.association_id == mine, Application.call_id == seat.call_id
    ) or _first(Application, Application.association_id == mine)
    call = db.session.get(AmiCall, application.call_id)
    call.specification_file_id = _file(org, "cahier-des-charges.pdf").id
    ids["call_id"] = call.id
    ids["application_id"] = application.id
    hearing = _first(Hearing, Hearing.call_id == call.id)
    ids["hearing_id"] = hearing.id if hearing else 1
    slot = _first(HearingSlot, HearingSlot.call_id == call.id)
    ids["slot_id"] = slot.id if slot else 1
    day = _first(EssaimageDay, EssaimageDay.organisation_id == org.id)
    ids["day_id"] = day.id
    invitation = _first(EssaimageInvitation, EssaimageInvitation.day_id == day.id)
    ids["invitation_id"] = invitation.id
    match = _first(
        Match,
        Match.organisation_id == org.id,
        sa.or_(Match.first_association_id == mine, Match.second_association_id == mine),
    )
    ids["match_id"] = match.id
    ids["tag_id"] = _first(NetworkTag, NetworkTag.organisation_id == org.id).id
    cooperation = _first(
        Cooperation,
        Cooperation.organisation_id == org.id,
        sa.or_(Cooperation.first_association_id == mine, Cooperation.second_association_id == mine),
    ) or _first(Cooperation, Cooperation.organisation_id == org.id)
    ids["cooperation_id"] = cooperation.id
    ids["fmt"] = "csv"


def _app_ids(world: World) -> None:
    ids = world.ids
    citizen = world.users["citizen"]
    ids["user_id"] = citizen.id
    ids["membership_id"] = _first(Membership, Membership.user_id == citizen.id).id
    ids["token"] = "jeton-inconnu"
    ids["filename"] = "css/concerto.css"
    ids["kind"] = "csv"
    # the organisation's visual identity, so that its logo is served (organisations.logo)
    from app.organisations.models import Branding

    logo = _file(world.org, "logo.png")
    db.session.add(Branding(organisation_id=world.org.id, accent_colour="#1f4e79", logo=logo))


def _newer_ids(world: World) -> None:
    """Decision path and open data: their first rows, else an identifier that finds nothing."""
    from decisions.models import Dossier, DossierDocument, DossierLink
    from opendata.models import ApiToken

    org, ids = world.org, world.ids
    dossier = _first(Dossier, Dossier.organisation_id == org.id)
    ids["dossier_id"] = dossier.id if dossier else 1
    link = dossier and _first(DossierLink, DossierLink.dossier_id == dossier.id)
    ids["link_id"] = link.id if link else 1
    if dossier is not None:
        document = DossierDocument(dossier_id=dossier.id, file_id=_file(org).id)
        db.session.add(document)
        db.session.flush()
        ids["decisions.document_id"] = ids["decisions_public.document_id"] = document.id
    token = ApiToken(
        user_id=world.users["citizen"].id,
        name="Tableau de bord",
        prefix="cct_abcd",
        token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
    )
    db.session.add(token)
    db.session.flush()
    ids["token_id"] = token.id
    ids["rest"] = "inconnu"
