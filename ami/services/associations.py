"""Associations: sign-up, profile, the people acting for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ami.messages import error_messages
from ami.models import Application, Association
from ami.rules import normalise_identifier
from ami.services.common import AmiError
from app.audit.services import record
from app.db import db
from app.i18n import _
from app.mail.services import queue_email
from app.users import services as users
from app.users.models import Membership, Role, User
from app.web.urls import external_url


@error_messages
def _messages(params: dict) -> dict[str, str]:
    return {
        "association_name_taken": _(
            "Une association porte déjà ce nom sur la plateforme. Si vous en faites partie, "
            "demandez à l'une des personnes qui la représentent de vous inviter depuis la page "
            "« Personnes » de l'association."
        ),
        "last_person": _(
            "Vous êtes la dernière personne à représenter l'association : invitez quelqu'un "
            "d'autre avant de vous retirer."
        ),
        "not_a_member": _("Cette personne ne représente pas l'association."),
        "other_organisation": _("Cette adresse appartient à un compte d'une autre organisation."),
    }


@dataclass
class AssociationData:
    name: str
    rna_number: str = ""
    siret: str = ""
    address: str = ""
    postal_code: str = ""
    commune: object | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    presentation: str = ""
    themes: list = field(default_factory=list)
    qpvs: list = field(default_factory=list)


def name_taken(org, name: str, exclude_id: int | None = None) -> bool:
    query = select(Association.id).where(
        Association.organisation_id == org.id,
        func.lower(Association.name) == name.strip().lower(),
    )
    if exclude_id is not None:
        query = query.where(Association.id != exclude_id)
    return db.session.scalar(query) is not None


def _apply(association: Association, data: AssociationData) -> None:
    association.name = data.name.strip()
    association.rna_number = normalise_identifier(data.rna_number) or None
    association.siret = normalise_identifier(data.siret) or None
    association.address = (data.address or "").strip()
    association.postal_code = (data.postal_code or "").strip()
    association.commune = data.commune
    association.commune_id = getattr(data.commune, "id", None)
    association.contact_name = (data.contact_name or "").strip()
    association.contact_email = (data.contact_email or "").strip().lower()
    association.contact_phone = (data.contact_phone or "").strip()
    association.presentation = (data.presentation or "").strip()
    association.themes = list(data.themes)
    association.qpvs = list(data.qpvs)


def _details(association: Association) -> dict:
    return {
        "name": association.name,
        "rna_number": association.rna_number,
        "siret": association.siret,
        "commune_id": association.commune_id,
    }


def register_association(actor: User, org, data: AssociationData) -> Association:
    """A signed-in person of the organisation registers an association and acts for it."""
    if name_taken(org, data.name):
        raise AmiError("association_name_taken")
    association = Association(organisation_id=org.id)
    _apply(association, data)
    db.session.add(association)
    db.session.flush()
    users.add_role(actor, actor, Role.ASSOCIATION_MEMBER, association=association)
    record(actor, org, "ami.association.create", association, _details(association))
    return association


def sign_up_association(
    org, email: str, display_name: str, password: str, data: AssociationData
) -> tuple[User, Association | None]:
    """A new person creates their account and their association's; the account works once the
    e-mail address is confirmed. An existing address is not revealed: its owner is told by
    e-mail and nothing is created."""
    if name_taken(org, data.name):
        raise AmiError("association_name_taken")
    existing = users.find_user(org, email)
    if existing is not None:
        queue_email(
            existing.email,
            "users/signup_existing",
            organisation=org,
            locale=existing.locale,
            user=existing,
            link=url_for("auth.forgot_password", _external=True),
        )
        return existing, None
    user = users.create_user(org, email, display_name, password=password, confirmed=False)
    association = Association(organisation_id=org.id)
    _apply(association, data)
    db.session.add(association)
    db.session.flush()
    users.add_role(None, user, Role.ASSOCIATION_MEMBER, association=association)
    users.send_confirmation(user)
    record(user, org, "auth.signup", user)
    record(user, org, "ami.association.create", association, _details(association))
    return user, association


def update_association(actor: User, org, association: Association, data: AssociationData) -> None:
    if name_taken(org, data.name, association.id):
        raise AmiError("association_name_taken")
    before = _details(association)
    _apply(association, data)
    db.session.flush()
    after = _details(association)
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record(actor, org, "ami.association.update", association, changed)


def people_of(association: Association) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .join(User, Membership.user_id == User.id)
            .where(
                Membership.role == Role.ASSOCIATION_MEMBER,
                Membership.association_id == association.id,
            )
            .order_by(User.display_name, User.id)
        )
    )


def invite_person(actor: User, org, association: Association, email: str, name: str) -> User:
    """Give a person the association's role; a new person gets an invitation link, someone
    who already has an account is told by e-mail."""
    existing = users.find_user(org, email)
    had_password = existing is not None and existing.password_hash is not None
    person = users.invite(actor, org, email, name, Role.ASSOCIATION_MEMBER, association=association)
    if had_password:
        queue_email(
            person.email,
            "ami/association_added",
            organisation=org,
            locale=person.locale,
            user=person,
            inviter=actor,
            association=association,
            link=external_url(org, "ami.association_profile", association_id=association.id),
        )
    record(actor, org, "ami.association.invite", association, {"user_id": person.id})
    return person


def remove_person(actor: User, org, association: Association, membership: Membership) -> None:
    if membership.role != Role.ASSOCIATION_MEMBER or membership.association_id != association.id:
        raise AmiError("not_a_member")
    if membership.user_id == actor.id and len(people_of(association)) <= 1:
        raise AmiError("last_person")
    person = membership.user
    users.remove_role(actor, membership)
    record(actor, org, "ami.association.remove_person", association, {"user_id": person.id})


def admin_rows(org, search: str = "") -> list[tuple[Association, int, int]]:
    """(association, people, applications) for the admin's list, in three queries."""
    query = select(Association).where(Association.organisation_id == org.id)
    if search.strip():
        query = query.where(Association.name.ilike(f"%{search.strip()}%"))
    associations = list(db.session.scalars(query.order_by(Association.name)))
    ids = [a.id for a in associations]
    people: dict[int, int] = {}
    applications: dict[int, int] = {}
    if ids:
        people = dict(
            db.session.execute(
                select(Membership.association_id, func.count())
                .where(
                    Membership.association_id.in_(ids),
                    Membership.role == Role.ASSOCIATION_MEMBER,
                )
                .group_by(Membership.association_id)
            ).all()
        )
        applications = dict(
            db.session.execute(
                select(Application.association_id, func.count())
                .where(Application.association_id.in_(ids))
                .group_by(Application.association_id)
            ).all()
        )
    return [(a, people.get(a.id, 0), applications.get(a.id, 0)) for a in associations]
