"""Dates as people say them: "le 12 mars 2026 à 18 h", "dans 3 jours", "il y a 2 heures".

Pure functions of a UTC datetime, the current time and a locale (tested without a request);
the Jinja filters `human_datetime` and `from_now` call them with the request's locale.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel.dates import format_datetime, format_timedelta

from app.paris import PARIS, to_paris
from app.web import datefmt

DAYS_UP_TO = 45  # below this, a distance is said in days; beyond it, in months or years


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def human_datetime(value: datetime | None, locale: str = "fr") -> str:
    """A moment in Paris time, in a sentence: "le 12 mars 2026 à 18 h", "à 18 h 30"."""
    if value is None:
        return ""
    local = to_paris(value)
    if locale.startswith("fr"):
        time = "H 'h'" if local.minute == 0 else "H 'h' mm"
        pattern = f"'le' d MMMM y 'à' {time}"
    else:
        time = "h a" if local.minute == 0 else "h:mm a"
        pattern = f"'on' d MMMM y 'at' {time}"
    fast = datefmt.format_datetime(local, pattern, locale)
    if fast is not None:
        return fast
    return format_datetime(local, pattern, tzinfo=PARIS, locale=locale)


def from_now(value: datetime | None, now: datetime, locale: str = "fr") -> str:
    """How far a moment is from now: "dans 3 jours", "il y a 2 heures", "dans 1 minute".

    Rounded the way people count (2 days and 20 hours is "3 days"); in days up to 45 days
    ("dans 10 jours", not "dans 2 semaines"), then in months or years; under a minute it is
    "dans moins d'une minute" / "il y a moins d'une minute" rather than seconds.
    """
    if value is None:
        return ""
    delta = _aware(value) - _aware(now)
    if abs(delta.total_seconds()) < 60:
        future = delta.total_seconds() >= 0
        if locale.startswith("fr"):
            return "dans moins d'une minute" if future else "il y a moins d'une minute"
        return "in less than a minute" if future else "less than a minute ago"
    seconds = abs(delta.total_seconds())
    days = round(seconds / 86400)
    if seconds >= 0.9 * 86400 and days < DAYS_UP_TO:
        # "dans 10 jours" rather than babel's "dans 2 semaines": deadlines are counted in days
        whole_days = timedelta(days=days if delta.total_seconds() > 0 else -days)
        return format_timedelta(whole_days, add_direction=True, threshold=days, locale=locale)
    return format_timedelta(delta, add_direction=True, threshold=0.9, locale=locale)
