"""The network's demo: a directory of at least 30 associations, matches with messages, a
planned essaimage day, cooperations; running it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from ami.demo import demo_ami
from ami.models import Association
from ami.network.demo import DEMO_ASSOCIATION, demo_network
from ami.network.models import (
    Cooperation,
    DirectoryProfile,
    EssaimageDay,
    EssaimageSeat,
    Match,
    NetworkMessage,
)
from app.db import db, utcnow
from app.users.models import User


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _load(org):
    db.session.add(Association(organisation_id=org.id, name=DEMO_ASSOCIATION))
    db.session.flush()
    demo_ami(org)
    demo_network(org)
    db.session.commit()


def test_the_demo_directory_lists_at_least_thirty_associations_with_offers_and_needs(org):
    _load(org)
    listed = db.session.scalars(select(DirectoryProfile).where(DirectoryProfile.listed)).all()
    assert len(listed) >= 29 and _count(Association) >= 31
    assert all(p.offers and p.needs and p.communes for p in listed)


def test_the_demo_has_matches_with_messages_and_a_second_association_account(org):
    _load(org)
    assert _count(Match, Match.ended_at.is_(None)) >= 3
    assert _count(NetworkMessage) >= 3
    second = db.session.scalar(select(User).where(User.email == "association2@demo.concerto.fr"))
    assert second is not None and second.has_role("association_member")


def test_the_demo_plans_a_coming_essaimage_day_and_keeps_last_years(org):
    _load(org)
    days = db.session.scalars(select(EssaimageDay).order_by(EssaimageDay.starts_at)).all()
    assert len(days) == 2
    coming = days[-1]
    assert coming.starts_at > utcnow() and coming.plan_built_at is not None
    seats = db.session.scalars(select(EssaimageSeat).where(EssaimageSeat.day_id == coming.id))
    tables: dict = {}
    for seat in seats:
        tables.setdefault((seat.round, seat.table_number), set()).add(seat.association_id)
    pairs = [frozenset((a, b)) for table in tables.values() for a in table for b in table if a < b]
    assert pairs and len(pairs) == len(set(pairs))
    assert _count(Cooperation) >= 2


def test_running_the_network_demo_again_adds_nothing(org):
    _load(org)
    before = (_count(DirectoryProfile), _count(Match), _count(EssaimageSeat))
    demo_network(org)
    db.session.commit()
    assert (_count(DirectoryProfile), _count(Match), _count(EssaimageSeat)) == before
