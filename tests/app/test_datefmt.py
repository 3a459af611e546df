"""The fast date formatting gives exactly Babel's text (through Flask-Babel, in Paris time) for
every format the templates use, in French and in English, around the clock changes and the turn
of the year."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_datetime as babel_datetime
from flask_babel import force_locale
from flask_babel import format_date as flask_date
from flask_babel import format_datetime as flask_datetime

from app.paris import PARIS
from app.web import datefmt, local_date, local_datetime
from app.web.humandates import human_datetime

FULL = {"fr": "EEEE d MMMM y, HH:mm", "en": "EEEE d MMMM y, h:mm a"}
DATETIME_FORMATS = ("short", "medium", "long", "full", "HH:mm", "dd/MM/y HH:mm", "d MMM")
DATE_FORMATS = ("short", "medium", "long", "full", "d MMMM y", "EEEE d MMMM")
HUMAN = ("'le' d MMMM y 'à' H 'h'", "'le' d MMMM y 'à' H 'h' mm", "'on' d MMMM y 'at' h:mm a")


def _moments() -> list[datetime]:
    rng = random.Random(10)
    moments = [
        # around the spring and autumn clock changes in Paris, midnight, noon, the new year
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
        datetime(2026, 6, 30, 22, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 11, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 12, 0),  # naive: UTC
    ]
    start = datetime(2019, 1, 1, tzinfo=UTC)
    moments += [start + timedelta(seconds=rng.randrange(0, 10 * 365 * 86400)) for _ in range(400)]
    return moments


MOMENTS = _moments()


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_local_datetime_gives_babels_text(app, locale):
    with app.test_request_context("/"), force_locale(locale):
        for fmt in DATETIME_FORMATS:
            pattern = FULL[locale] if fmt == "full" else fmt
            for moment in MOMENTS:
                assert local_datetime(moment, fmt) == flask_datetime(moment, pattern), (fmt, moment)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_local_date_gives_babels_text(app, locale):
    with app.test_request_context("/"), force_locale(locale):
        for fmt in DATE_FORMATS:
            for moment in MOMENTS:
                day = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(PARIS).date()
                assert local_date(moment, fmt) == flask_date(day, fmt), (fmt, moment)
                assert local_date(day, fmt) == flask_date(day, fmt), (fmt, day)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_human_datetime_gives_babels_text(locale):
    for pattern in HUMAN:
        for moment in MOMENTS:
            local = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(PARIS)
            expected = babel_datetime(local, pattern, tzinfo=PARIS, locale=locale)
            assert datefmt.format_datetime(moment, pattern, locale) == expected
    for moment in MOMENTS[:50]:
        assert human_datetime(moment, locale)


def test_patterns_with_a_time_zone_or_a_week_are_left_to_babel():
    moment = datetime(2026, 3, 12, 17, 0, tzinfo=UTC)
    assert datefmt.format_datetime(moment, "HH:mm z", "fr") is None
    assert datefmt.format_datetime(moment, "long", "fr") is None  # "HH:mm:ss z"
    assert datefmt.format_date(date(2026, 3, 12), "w", "fr") is None
    assert datefmt.format_date(date(2026, 3, 12), "HH:mm", "fr") is None


def test_the_examples_read_as_expected(app):
    with app.test_request_context("/"), force_locale("fr"):
        moment = datetime(2026, 3, 12, 17, 5, tzinfo=UTC)
        assert local_datetime(moment, "short") == "12/03/2026 18:05"
        assert local_datetime(moment, "full") == "jeudi 12 mars 2026, 18:05"
        assert local_date(moment) == "12 mars 2026"
        assert local_datetime(None) == "" and local_date(None) == ""
