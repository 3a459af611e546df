"""iCalendar (RFC 5545) for the essaimage day: the .ics an invited association receives, with
its own speed-meeting rounds once the plan is built."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

from app.db import utcnow
from app.i18n import _
from app.paris import to_paris

PRODID = "-//Concerto//AMI cohésion sociale - essaimage//FR"


@dataclass(frozen=True)
class Round:
    """One round of an association's schedule: when (UTC), at which table (None: a pause) and
    the names of the associations it meets there."""

    number: int
    starts_at: datetime
    table: int | None
    others: tuple[str, ...] = ()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def round_line(item: Round) -> str:
    """ "Tour 1, 10:00 : table 3, avec A, B" or "Tour 2, 10:10 : pause" (Paris time)."""
    time = to_paris(item.starts_at).strftime("%H:%M")
    if item.table is None:
        return _("Tour %(n)d, %(time)s : pause", n=item.number, time=time)
    return _(
        "Tour %(n)d, %(time)s : table %(table)d, avec %(others)s",
        n=item.number,
        time=time,
        table=item.table,
        others=", ".join(item.others),
    )


def event(day, association, rounds: list[Round], link: str, domain: str) -> Event:
    """The day as one event for `association`; its rounds in the description."""
    item = Event()
    item.add("uid", f"ami-essaimage-{day.id}-{association.id}@{domain}")
    item.add("summary", day.title)
    item.add("dtstart", _utc(day.starts_at))
    item.add("dtend", _utc(day.ends_at))
    item.add("dtstamp", utcnow())
    if day.location:
        item.add("location", day.location)
    lines = [day.description.strip()] if day.description.strip() else []
    if rounds:
        lines.append(_("Vos rencontres express (%(name)s) :", name=association.name))
        lines.extend(round_line(r) for r in rounds)
    if link:
        lines.append(link)
        item.add("url", link)
    if lines:
        item.add("description", "\n".join(lines))
    item.add("status", "CONFIRMED")
    return item


def calendar(day, association, rounds: list[Round], link: str, domain: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-timezone", "Europe/Paris")
    cal.add_component(event(day, association, rounds, link, domain))
    return cal.to_ical()
