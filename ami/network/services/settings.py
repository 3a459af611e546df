"""The network's settings (EPCI): who may read the directory, what an association learns of an
interest marked in it per call, and the organisation's shared list of tags (the offers and
needs of the directory's entries).

Actions take the acting user and plain arguments, flush but never commit, and write their
audit entry in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from ami import queries as ami_queries
from ami.messages import error_messages
from ami.models import InterestDisclosure
from ami.network import queries
from ami.network.models import (
    DirectoryProfile,
    DirectoryVisibility,
    NetworkSettings,
    NetworkTag,
    directory_need,
    directory_offer,
)
from ami.network.services.common import NetworkError
from ami.network.tags import DEFAULT_TAGS
from app.audit.services import record
from app.db import db
from app.i18n import _

TAG_MAX = 80


@error_messages
def _messages(params: dict) -> dict[str, str]:
    return {
        "tag_exists": _("Une étiquette porte déjà ce nom : choisissez-en un autre."),
        "tag_name_required": _("Indiquez le nom de l'étiquette."),
        "tags_not_empty": _(
            "La liste d'étiquettes n'est pas vide : la liste par défaut ne peut être ajoutée "
            "qu'à une liste vide."
        ),
    }


# --- the organisation's settings -------------------------------------------------------------


def save_settings(
    actor,
    org,
    visibility: DirectoryVisibility,
    disclosures: dict[int, InterestDisclosure] | None = None,
) -> NetworkSettings:
    """Set who may read the directory and, per call of the organisation ({call id: rule}),
    what an association learns of an interest marked in it. Calls of another organisation are
    ignored."""
    settings = queries.settings_of(org)
    changed: dict = {}
    if settings.id is None:
        db.session.add(settings)
        changed["created"] = True
    visibility = DirectoryVisibility(visibility)
    if settings.directory_visibility != visibility:
        changed["directory_visibility"] = [str(settings.directory_visibility), str(visibility)]
    settings.directory_visibility = visibility
    wanted = {int(k): InterestDisclosure(v) for k, v in (disclosures or {}).items()}
    for call in ami_queries.calls_of(org):
        rule = wanted.get(call.id)
        if rule is not None and call.interest_disclosure != rule:
            changed[f"call_{call.id}"] = [str(call.interest_disclosure), str(rule)]
            call.interest_disclosure = rule
    db.session.flush()
    record(actor, org, "network.settings", settings, changed)
    return settings


# --- tags ------------------------------------------------------------------------------------


def tag_in(org, tag_id: int) -> NetworkTag | None:
    return db.session.scalar(
        select(NetworkTag).where(NetworkTag.id == tag_id, NetworkTag.organisation_id == org.id)
    )


def _tag_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise NetworkError("tag_name_required")
    return name[:TAG_MAX]


def _tag_taken(org, name: str, exclude_id: int | None = None) -> bool:
    query = select(NetworkTag.id).where(
        NetworkTag.organisation_id == org.id, func.lower(NetworkTag.name) == name.lower()
    )
    if exclude_id is not None:
        query = query.where(NetworkTag.id != exclude_id)
    return db.session.scalar(query) is not None


def _next_position(org) -> int:
    last = db.session.scalar(
        select(func.max(NetworkTag.position)).where(NetworkTag.organisation_id == org.id)
    )
    return 0 if last is None else last + 1


def add_tag(actor, org, name: str, position: int | None = None) -> NetworkTag:
    name = _tag_name(name)
    if _tag_taken(org, name):
        raise NetworkError("tag_exists")
    tag = NetworkTag(
        organisation_id=org.id,
        name=name,
        position=_next_position(org) if position is None else position,
    )
    db.session.add(tag)
    db.session.flush()
    record(actor, org, "network.tag.add", tag, {"name": name, "position": tag.position})
    return tag


def rename_tag(actor, org, tag: NetworkTag, name: str, position: int | None = None) -> None:
    """Rename and/or move a tag."""
    name = _tag_name(name)
    if _tag_taken(org, name, tag.id):
        raise NetworkError("tag_exists")
    position = tag.position if position is None else position
    details = {"name": [tag.name, name], "position": [tag.position, position]}
    tag.name, tag.position = name, position
    db.session.flush()
    record(actor, org, "network.tag.update", tag, details)


def delete_tag(actor, org, tag: NetworkTag) -> None:
    """Delete a tag, after taking it out of every entry's offers and needs."""
    for table in (directory_offer, directory_need):
        db.session.execute(delete(table).where(table.c.tag_id == tag.id))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, DirectoryProfile):
            db.session.expire(obj, ["offers", "needs"])
    record(actor, org, "network.tag.delete", tag, {"name": tag.name})
    db.session.delete(tag)
    db.session.flush()


def add_default_tags(actor, org) -> list[NetworkTag]:
    """Start an empty list with DEFAULT_TAGS."""
    if queries.tags_of(org):
        raise NetworkError("tags_not_empty")
    tags = [
        NetworkTag(organisation_id=org.id, name=name, position=i)
        for i, name in enumerate(DEFAULT_TAGS)
    ]
    db.session.add_all(tags)
    db.session.flush()
    record(actor, org, "network.tag.defaults", None, {"names": list(DEFAULT_TAGS)})
    return tags
