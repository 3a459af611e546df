"""Dates as people say them, in French and in English (pure functions, no request)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.web.humandates import from_now, human_datetime

NOW = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)


def test_a_moment_on_the_hour_reads_le_12_mars_2026_a_18_h_in_paris_time():
    # 17:00 UTC is 18:00 in Paris in winter
    assert human_datetime(datetime(2026, 3, 12, 17, 0, tzinfo=UTC)) == "le 12 mars 2026 à 18 h"


def test_minutes_are_said_after_the_hour_and_summer_time_is_applied():
    assert human_datetime(datetime(2026, 7, 1, 16, 30, tzinfo=UTC)) == "le 1 juillet 2026 à 18 h 30"


def test_a_naive_datetime_is_taken_as_utc():
    assert human_datetime(datetime(2026, 3, 12, 17, 0)) == "le 12 mars 2026 à 18 h"


def test_english_says_on_and_at_with_a_twelve_hour_clock():
    assert human_datetime(datetime(2026, 3, 12, 17, 30, tzinfo=UTC), "en") == (
        "on 12 March 2026 at 6:30 PM"
    )


def test_no_moment_shows_nothing():
    assert human_datetime(None) == "" and from_now(None, NOW) == ""


@pytest.mark.parametrize(
    ("delta", "french", "english"),
    [
        (timedelta(days=3), "dans 3 jours", "in 3 days"),
        (timedelta(days=2, hours=20), "dans 3 jours", "in 3 days"),
        (timedelta(hours=-2), "il y a 2 heures", "2 hours ago"),
        (timedelta(minutes=5), "dans 5 minutes", "in 5 minutes"),
        (timedelta(days=-1), "il y a 1 jour", "1 day ago"),
        (timedelta(days=10), "dans 10 jours", "in 10 days"),
        (timedelta(days=-30), "il y a 30 jours", "30 days ago"),
        (timedelta(hours=22), "dans 1 jour", "in 1 day"),
        (timedelta(days=90), "dans 3 mois", "in 3 months"),
        (timedelta(seconds=20), "dans moins d'une minute", "in less than a minute"),
        (timedelta(seconds=-20), "il y a moins d'une minute", "less than a minute ago"),
    ],
)
def test_the_distance_from_now_is_said_with_its_direction(delta, french, english):
    assert from_now(NOW + delta, NOW) == french
    assert from_now(NOW + delta, NOW, "en") == english


def test_saisine_deadlines_are_shown_as_a_sentence_with_the_time_left(client, org, login):
    from app.users.models import Role
    from tests import factories
    from tests.consultations.test_saisine_commune import make_saisine

    admin = factories.user(org, Role.ADMIN, name="Agent EPCI")
    saisine = make_saisine(org, admin, "Programme local de l'habitat", deadline_in=3)
    login(client, admin)
    page = client.get("/concertation/saisines/").get_data(as_text=True)
    assert human_datetime(saisine.deadline) in page
    assert "dans 3 jours" in page or "dans 2 jours" in page
