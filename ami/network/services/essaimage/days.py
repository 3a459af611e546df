"""The essaimage day itself: its times and settings, checked, created and changed by the EPCI,
and the organisation's days."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ami.network import rules
from ami.network.models import EssaimageDay, EssaimageInvitation, EssaimageSeat
from ami.network.services.common import NetworkError
from app.audit.services import record
from app.db import db


@dataclass
class DayData:
    year: int
    title: str
    starts_at: datetime
    ends_at: datetime
    meetings_start_at: datetime
    rounds: int = 4
    round_minutes: int = 10
    table_size: int = 2
    description: str = ""
    location: str = ""
    registration_closes_at: datetime | None = None


def meetings_end(data) -> datetime:
    return data.meetings_start_at + timedelta(minutes=data.rounds * data.round_minutes)


def schedule_problems(data: DayData) -> list[NetworkError]:
    """What is wrong with the day's times (none: it holds together)."""
    problems = []
    if not (1 <= data.rounds <= rules.MAX_ROUNDS and 5 <= data.round_minutes <= 60) or not (
        rules.MIN_TABLE <= data.table_size <= rules.MAX_TABLE
    ):
        problems.append(NetworkError("essaimage_settings"))
    if data.ends_at <= data.starts_at:
        problems.append(NetworkError("essaimage_end_before_start"))
    elif not data.starts_at <= data.meetings_start_at < data.ends_at:
        problems.append(NetworkError("essaimage_meetings_outside"))
    elif meetings_end(data) > data.ends_at:
        problems.append(
            NetworkError(
                "essaimage_rounds_too_long",
                rounds=data.rounds,
                minutes=data.round_minutes,
                end=meetings_end(data),
            )
        )
    closes = data.registration_closes_at
    if closes is not None and closes > data.starts_at:
        problems.append(NetworkError("essaimage_closing_after_start"))
    return problems


def _check(data: DayData) -> None:
    problems = schedule_problems(data)
    if problems:
        raise problems[0]


def _apply(day: EssaimageDay, data: DayData) -> dict:
    changed = {}
    for name in (item.name for item in fields(DayData)):
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        before = getattr(day, name)
        if before != value:
            changed[name] = [_plain(before), _plain(value)]
            setattr(day, name, value)
    return changed


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def create_day(actor, org, data: DayData) -> EssaimageDay:
    _check(data)
    day = EssaimageDay(organisation_id=org.id, created_by_id=actor.id)
    _apply(day, data)
    db.session.add(day)
    db.session.flush()
    record(actor, org, "network.essaimage.create", day, {"year": day.year, "title": day.title})
    return day


def update_day(actor, org, day: EssaimageDay, data: DayData) -> bool:
    """Change the day. A plan built for other rounds or tables is removed (to be built again):
    returns True then."""
    _check(data)
    changed = _apply(day, data)
    cleared = day.plan_built_at is not None and bool({"rounds", "table_size"} & set(changed))
    if cleared:
        db.session.execute(delete(EssaimageSeat).where(EssaimageSeat.day_id == day.id))
        day.plan_built_at = None
        changed["plan"] = "removed"
    db.session.flush()
    record(actor, org, "network.essaimage.update", day, changed)
    return cleared


def registration_closes(day: EssaimageDay) -> datetime:
    return day.registration_closes_at or day.starts_at


def round_starts(day: EssaimageDay, number: int) -> datetime:
    start = day.meetings_start_at or day.starts_at
    return start + timedelta(minutes=(number - 1) * day.round_minutes)


# --- reads ----------------------------------------------------------------------------------


def day_in(org, day_id: int) -> EssaimageDay | None:
    return db.session.scalar(
        select(EssaimageDay).where(
            EssaimageDay.id == day_id, EssaimageDay.organisation_id == org.id
        )
    )


@dataclass(frozen=True)
class DayCounts:
    invited: int = 0
    registered: int = 0
    declined: int = 0


def days_of(org) -> list[tuple[EssaimageDay, DayCounts]]:
    """The organisation's days, newest first, with their answers counted (two queries)."""
    days = list(
        db.session.scalars(
            select(EssaimageDay)
            .where(EssaimageDay.organisation_id == org.id)
            .order_by(EssaimageDay.starts_at.desc(), EssaimageDay.id.desc())
        )
    )
    counts = {}
    if days:
        rows = db.session.execute(
            select(
                EssaimageInvitation.day_id,
                func.count(),
                func.count(EssaimageInvitation.registered_at),
                func.count(EssaimageInvitation.declined_at),
            )
            .where(EssaimageInvitation.day_id.in_([d.id for d in days]))
            .group_by(EssaimageInvitation.day_id)
        )
        counts = {day_id: DayCounts(*numbers) for day_id, *numbers in rows}
    return [(d, counts.get(d.id, DayCounts())) for d in days]
