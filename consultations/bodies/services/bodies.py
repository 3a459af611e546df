"""Bodies and their members; the conférence des maires follows the mayors of the communes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.audit.services import record
from app.db import db, utcnow
from app.organisations.models import Commune, Organisation
from app.users.models import Membership, Role, User
from app.users.signals import role_changed
from consultations.bodies.models import Body, BodyKind, BodyMember
from consultations.bodies.services.common import BodyError, body_org, current_members


@dataclass
class BodyRules:
    """The rules of a body, as the admin sets them."""

    quorum_numerator: int = 0
    quorum_denominator: int = 2
    quorum_strict: bool = True
    quorum_counts_proxies: bool = False
    request_numerator: int = 0
    request_denominator: int = 3
    request_yearly_cap: int = 4
    max_proxies_held: int = 1
    public_votes: bool = True
    rotating_host: bool = False


#: the rules each kind of body starts with
DEFAULT_RULES = {
    BodyKind.MAYORS_CONFERENCE: BodyRules(request_numerator=1, request_denominator=3),
    BodyKind.WORKING_GROUP: BodyRules(rotating_host=True),
    BodyKind.COUNCIL: BodyRules(quorum_numerator=1, quorum_denominator=2),
    BodyKind.BUREAU: BodyRules(quorum_numerator=1, quorum_denominator=2),
}


def _check_rules(rules: BodyRules) -> None:
    if rules.quorum_denominator <= 0 or rules.request_denominator <= 0:
        raise BodyError("bad_fraction")
    if rules.quorum_numerator > rules.quorum_denominator:
        raise BodyError("bad_fraction")
    if rules.request_numerator > rules.request_denominator:
        raise BodyError("bad_fraction")
    if rules.max_proxies_held < 0 or rules.request_yearly_cap < 0:
        raise BodyError("bad_number")


def _name_taken(org: Organisation, name: str, except_id: int | None = None) -> bool:
    query = select(Body.id).where(Body.organisation_id == org.id, Body.name == name)
    if except_id:
        query = query.where(Body.id != except_id)
    return db.session.scalar(query) is not None


def create_body(
    actor: User | None,
    org: Organisation,
    kind: BodyKind,
    name: str,
    description: str = "",
    rules: BodyRules | None = None,
) -> Body:
    name = name.strip()
    if _name_taken(org, name):
        raise BodyError("name_taken")
    rules = rules or DEFAULT_RULES.get(kind, BodyRules())
    _check_rules(rules)
    body = Body(
        organisation_id=org.id,
        kind=kind,
        name=name,
        description=description,
        auto_mayors=kind is BodyKind.MAYORS_CONFERENCE,
        **vars(rules),
    )
    db.session.add(body)
    db.session.flush()
    if body.auto_mayors:
        sync_mayors(body)
    record(actor, org, "body.create", body, {"kind": str(kind)})
    return body


def update_body(
    actor: User, body: Body, name: str, description: str, rules: BodyRules, president_id=None
) -> None:
    name = name.strip()
    if _name_taken(body_org(body), name, except_id=body.id):
        raise BodyError("name_taken")
    _check_rules(rules)
    body.name = name
    body.description = description
    for key, value in vars(rules).items():
        setattr(body, key, value)
    body.president_id = president_id
    record(actor, body_org(body), "body.update", body)


def add_member(
    actor: User | None,
    body: Body,
    user: User,
    *,
    commune: Commune | None = None,
    weight: int = 1,
    is_secretary: bool = False,
) -> BodyMember:
    if user.organisation_id != body.organisation_id:
        raise BodyError("other_organisation")
    if weight < 1:
        raise BodyError("bad_number")
    for member in current_members(body):
        if member.user_id == user.id:
            return member
    member = BodyMember(
        body=body,
        user=user,
        user_id=user.id,
        commune=commune,
        commune_id=getattr(commune, "id", None),
        weight=weight,
        is_secretary=is_secretary,
    )
    db.session.add(member)
    db.session.flush()
    record(actor, body_org(body), "body.member_add", body, {"user": user.display_name})
    return member


def update_member(actor: User, member: BodyMember, weight: int, is_secretary: bool) -> None:
    if weight < 1:
        raise BodyError("bad_number")
    member.weight = weight
    member.is_secretary = is_secretary
    record(
        actor,
        body_org(member.body),
        "body.member_update",
        member.body,
        {"user": member.user.display_name, "weight": weight, "secretary": is_secretary},
    )


def remove_member(actor: User | None, member: BodyMember) -> None:
    """The member leaves the body; their past convocations and votes stay."""
    if member.left_at is not None:
        return
    member.left_at = utcnow()
    record(
        actor,
        body_org(member.body),
        "body.member_remove",
        member.body,
        {"user": member.user.display_name},
    )


def sync_mayors(body: Body) -> tuple[int, int]:
    """Make the members the current mayors of the active communes. Returns (added, removed)."""
    mayors = {
        user.id: (user, commune)
        for user, commune in db.session.execute(
            select(User, Commune)
            .join(Membership, Membership.user_id == User.id)
            .join(Commune, Commune.id == Membership.commune_id)
            .where(
                Membership.role == Role.MAYOR,
                Commune.organisation_id == body.organisation_id,
                Commune.active.is_(True),
                User.active.is_(True),
            )
        )
    }
    added = removed = 0
    seated = {m.user_id: m for m in current_members(body)}
    for user_id, member in seated.items():
        if user_id not in mayors:
            remove_member(None, member)
            removed += 1
        else:
            member.commune_id = mayors[user_id][1].id
    for user_id, (user, commune) in mayors.items():
        if user_id not in seated:
            add_member(None, body, user, commune=commune)
            added += 1
    db.session.flush()
    if added or removed:
        record(None, body_org(body), "body.sync_mayors", body, {"added": added, "removed": removed})
    return added, removed


def auto_mayor_bodies(organisation_id: int) -> list[Body]:
    return list(
        db.session.scalars(
            select(Body).where(Body.organisation_id == organisation_id, Body.auto_mayors.is_(True))
        )
    )


@role_changed.connect
def _follow_mayors(user, role=None, commune=None, **_extra) -> None:
    """A new or former mayor joins or leaves the conférence des maires in the same transaction."""
    if role is not Role.MAYOR:
        return
    for body in auto_mayor_bodies(user.organisation_id):
        sync_mayors(body)


def ensure_mayors_conference(actor: User | None, org: Organisation) -> Body:
    existing = auto_mayor_bodies(org.id)
    if existing:
        sync_mayors(existing[0])
        return existing[0]
    return create_body(actor, org, BodyKind.MAYORS_CONFERENCE, "Conférence des maires")
