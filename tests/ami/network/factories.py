"""Factories for the network: tags, directory entries, interests, matches."""

from __future__ import annotations

from ami.network.models import DirectoryProfile, Interest, Match, NetworkTag
from app.db import db, utcnow

TAGS = ("Locaux", "Bénévoles", "Matériel", "Compétences juridiques", "Communication", "Transport")


def tags(org) -> list[NetworkTag]:
    existing = db.session.scalars(
        db.select(NetworkTag).where(NetworkTag.organisation_id == org.id)
    ).all()
    if existing:
        return sorted(existing, key=lambda t: t.position)
    rows = [NetworkTag(organisation_id=org.id, name=n, position=i) for i, n in enumerate(TAGS)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def profile(
    association,
    *,
    listed: bool = True,
    offers=(),
    needs=(),
    communes=(),
    offers_text: str = "",
    needs_text: str = "",
) -> DirectoryProfile:
    row = DirectoryProfile(
        association_id=association.id,
        association=association,
        listed=listed,
        listed_at=utcnow() if listed else None,
        offers_text=offers_text,
        needs_text=needs_text,
    )
    row.offers = list(offers)
    row.needs = list(needs)
    row.communes = list(communes)
    db.session.add(row)
    db.session.commit()
    return row


def interest(org, from_association, to_association, call=None) -> Interest:
    row = Interest(
        organisation_id=org.id,
        from_association_id=from_association.id,
        to_association_id=to_association.id,
        call_id=getattr(call, "id", None),
    )
    db.session.add(row)
    db.session.commit()
    return row


def match(org, a, b) -> Match:
    """Two interests facing each other and their match."""
    interest(org, a, b)
    interest(org, b, a)
    first, second = sorted((a.id, b.id))
    row = Match(organisation_id=org.id, first_association_id=first, second_association_id=second)
    db.session.add(row)
    db.session.commit()
    return row
