"""Pure rules of the conseil de développement: Paris time, follow-up due dates, overdue answers,
the comparison of two versions of a text, members' participation in votes."""

from __future__ import annotations

import calendar
import difflib
import html
import re
from collections.abc import Iterable
from datetime import date, datetime, time

from app import paris
from app.paris import PARIS, to_paris  # noqa: F401  (used by the council's callers)

END_OF_DAY = time(23, 59)
DEFAULT_FOLLOW_UP_MONTHS = 2


def paris_to_utc(day: date, at: time | None = None) -> datetime:
    """A wall-clock time in Paris (23:59 by default) as a UTC datetime."""
    return paris.paris_to_utc(day, at or END_OF_DAY)


def paris_date(moment: datetime) -> date:
    return to_paris(moment).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month (31 January + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_due_on(transmitted_at: datetime, months: int = DEFAULT_FOLLOW_UP_MONTHS) -> date:
    """The day by which the EPCI answers a contribution transmitted at `transmitted_at`."""
    return add_months(paris_date(transmitted_at), months)


def is_overdue(pending: bool, due_on: date | None, now: datetime) -> bool:
    """An answer still pending once its due day has passed in Paris."""
    return pending and due_on is not None and paris_date(now) > due_on


def delay_days(start: datetime | None, end: datetime | None) -> int | None:
    """Calendar days in Paris from `start` to `end`."""
    if start is None or end is None:
        return None
    return (paris_date(end) - paris_date(start)).days


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in Paris as a UTC interval [start, end)."""
    return paris_to_utc(date(year, 1, 1), time(0, 0)), paris_to_utc(
        date(year + 1, 1, 1), time(0, 0)
    )


def in_year(moment: datetime | None, year: int) -> bool:
    return moment is not None and paris_date(moment).year == year


# --- comparing versions ---------------------------------------------------------------------

_BREAKS = re.compile(r"<\s*(br|/p|/li|/h[2-4]|/tr|/blockquote|/pre)\s*/?\s*>", re.IGNORECASE)
_ITEMS = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def html_lines(text: str) -> list[str]:
    """The readable lines of sanitised HTML: one per paragraph, line break or list item."""
    text = _ITEMS.sub("\n• ", text or "")
    text = _TAGS.sub("", _BREAKS.sub("\n", text))
    lines = (html.unescape(line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Line-by-line changes from `old` to `new` HTML: ("same" | "removed" | "added", line)."""
    changes = []
    for line in difflib.ndiff(html_lines(old), html_lines(new)):
        code, content = line[:2], line[2:]
        if code == "  ":
            changes.append(("same", content))
        elif code == "- ":
            changes.append(("removed", content))
        elif code == "+ ":
            changes.append(("added", content))
    return changes


# --- participation in votes -----------------------------------------------------------------


def attendance(
    member_ids: Iterable[int], votes_by_contribution: dict[int, set[int]]
) -> dict[int, int]:
    """For each member, in how many of these votes they took part (any choice counts)."""
    counts = {member_id: 0 for member_id in member_ids}
    for voters in votes_by_contribution.values():
        for member_id in voters:
            counts[member_id] = counts.get(member_id, 0) + 1
    return counts
