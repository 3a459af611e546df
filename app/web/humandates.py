"""Dates as people say them: "le 12 mars 2026 à 18 h", "dans 3 jours", "il y a 2 heures".

Pure functions of a UTC datetime, the current time and a locale (tested without a request);
the Jinja filters `human_datetime` and `from_now` call them with the request's locale.
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_datetime, format_timedelta

from app.paris import PARIS, to_paris


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
    return format_datetime(local, pattern, tzinfo=PARIS, locale=locale)


def from_now(value: datetime | None, now: datetime, locale: str = "fr") -> str:
    """How far a moment is from now: "dans 3 jours", "il y a 2 heures", "dans 1 minute".

    Rounded the way people count (babel's threshold: 2 days and 23 hours is "3 days"); under a
    minute it is "dans moins d'une minute" / "il y a moins d'une minute" rather than seconds.
    """
    if value is None:
        return ""
    delta = _aware(value) - _aware(now)
    if abs(delta.total_seconds()) < 60:
        future = delta.total_seconds() >= 0
        if locale.startswith("fr"):
            return "dans moins d'une minute" if future else "il y a moins d'une minute"
        return "in less than a minute" if future else "less than a minute ago"
    return format_timedelta(delta, add_direction=True, threshold=0.9, locale=locale)
