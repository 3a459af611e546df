"""Paris wall-clock time: deadlines are stored in UTC and typed and shown in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in Paris as a UTC datetime.

    A time that does not exist (the hour skipped in spring) moves forward by the gap; a time
    that happens twice (the hour repeated in autumn) is taken at its first occurrence.
    """
    # fold=0 takes the offset in force before a transition: in spring 02:30 (which does
    # not exist) becomes 03:30, in autumn the first 02:30 is chosen.
    return datetime.combine(day, at).replace(tzinfo=PARIS, fold=0).astimezone(UTC)


def to_paris(moment: datetime) -> datetime:
    """A UTC datetime (naive ones are taken as UTC) in Paris time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)
