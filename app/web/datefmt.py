"""Fast date formatting in Paris time, with exactly Babel's output.

A page of saisines or of a meeting shows a few hundred dates. Babel formats each field of each
date again (month and weekday names looked up in the locale data, the pattern applied through
a formatter object): about 50 to 200 µs a date. Here each (locale, pattern) is compiled once
into Babel's own `%(field)s` format string, and each field's text is kept once computed by
Babel for the part of the date it depends on (the day, the month, the year, the weekday, the
hour, the minute or the second): "mars" is formatted once for every date of March.

Only the fields that depend on that one part are cached (`_PART`); a pattern with any other
field (a time-zone name, a week number, a day period…) returns None, and the caller formats it
with Babel as before. `tests/app/test_datefmt.py` checks the output against Babel's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import (
    DateTimeFormat,
    get_date_format,
    get_datetime_format,
    get_time_format,
    parse_pattern,
    tokenize_pattern,
)

from app.paris import to_paris

NAMED = ("short", "medium", "long", "full")

#: field letter -> the one part of the date its text depends on (lower-case y: the calendar
#: year, not the week-based year Y; `a`: am/pm from the hour alone, not the day periods b/B)
_PART: dict[str, Callable[[date], int]] = {
    "y": lambda v: v.year,
    "M": lambda v: v.month,
    "L": lambda v: v.month,
    "d": lambda v: v.day,
    "E": lambda v: v.weekday(),
    "a": lambda v: v.hour,
    "h": lambda v: v.hour,
    "H": lambda v: v.hour,
    "K": lambda v: v.hour,
    "k": lambda v: v.hour,
    "m": lambda v: v.minute,
    "s": lambda v: v.second,
}
_TIME_FIELDS = frozenset("ahHKkms")

#: (locale, field, part) -> the field's text; a few hundred entries in practice
_texts: dict[tuple[str, str, int], str] = {}
_MAX_TEXTS = 20_000


@lru_cache(maxsize=32)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@lru_cache(maxsize=512)
def _compile(pattern: str) -> tuple[str, tuple[str, ...]] | None:
    """Babel's format string for the pattern and its fields, or None when a field is not
    cacheable."""
    fields = []
    for kind, value in tokenize_pattern(pattern):
        if kind != "field":
            continue
        char, count = value
        if char not in _PART:
            return None
        fields.append(char * count)
    return parse_pattern(pattern).format, tuple(fields)


def _apply(compiled: tuple[str, tuple[str, ...]], value, code: str) -> str:
    template, fields = compiled
    texts = {}
    for field in fields:
        key = (code, field, _PART[field[0]](value))
        text = _texts.get(key)
        if text is None:
            if len(_texts) >= _MAX_TEXTS:
                _texts.clear()
            text = _texts[key] = DateTimeFormat(value, _locale(code))[field]
        texts[field] = text
    return template % texts


@lru_cache(maxsize=256)
def _named(code: str, kind: str, name: str) -> tuple | None:
    """The compiled pattern(s) of a named format ("short"…) of the locale: for a datetime,
    Babel's "{1}, {0}" with the date's and the time's patterns."""
    locale = _locale(code)
    if kind == "date":
        return _compile(get_date_format(name, locale=locale).pattern)
    date_part = _compile(get_date_format(name, locale=locale).pattern)
    time_part = _compile(get_time_format(name, locale=locale).pattern)
    if date_part is None or time_part is None:
        return None
    return get_datetime_format(name, locale=locale).replace("'", ""), date_part, time_part


def format_datetime(value: datetime, pattern: str, code: str) -> str | None:
    """`value` in Paris time with a named format or a pattern, in the locale `code`, as
    `babel.dates.format_datetime(value, pattern, tzinfo=Paris, locale=code)` gives it; None
    when the pattern needs Babel itself."""
    try:
        local = to_paris(value)
        if pattern in NAMED:
            named = _named(code, "datetime", pattern)
            if named is None:
                return None
            wrapper, date_part, time_part = named
            # as Babel: the time replaces {0} first, then the date replaces {1}
            return wrapper.replace("{0}", _apply(time_part, local, code)).replace(
                "{1}", _apply(date_part, local, code)
            )
        compiled = _compile(pattern)
        if compiled is None:
            return None
        return _apply(compiled, local, code)
    except (ValueError, KeyError, LookupError, UnknownLocaleError):
        return None


def format_date(value: date, pattern: str, code: str) -> str | None:
    """A date with a named format or a pattern, as `babel.dates.format_date`; None when the
    pattern needs Babel itself (or has a time field)."""
    if isinstance(value, datetime):
        value = value.date()  # as Babel
    try:
        compiled = _named(code, "date", pattern) if pattern in NAMED else _compile(pattern)
        if compiled is None or any(f[0] in _TIME_FIELDS for f in compiled[1]):
            return None
        return _apply(compiled, value, code)
    except (ValueError, KeyError, LookupError, UnknownLocaleError):
        return None
