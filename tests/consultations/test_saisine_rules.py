"""Pure rules of saisines: Paris time, daylight saving, reminders, tacit opinions, tallies."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from consultations.saisines import rules
from consultations.saisines.models import Opinion, ResponseStatus, SaisineStatus, SilenceRule
from consultations.saisines.rules import Phase, TargetStatus


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_paris_deadline_is_stored_in_utc_in_winter_and_summer():
    assert rules.paris_to_utc(date(2026, 1, 15), time(23, 59)) == utc(2026, 1, 15, 22, 59)
    assert rules.paris_to_utc(date(2026, 7, 15), time(23, 59)) == utc(2026, 7, 15, 21, 59)


def test_a_time_skipped_by_the_spring_change_moves_forward():
    # 29 March 2026: clocks go from 02:00 to 03:00 in Paris
    stored = rules.paris_to_utc(date(2026, 3, 29), time(2, 30))
    assert rules.to_paris(stored).strftime("%H:%M") == "03:30"


def test_a_time_repeated_by_the_autumn_change_takes_the_first_one():
    # 25 October 2026: 02:30 happens twice in Paris; the first is at 00:30 UTC
    assert rules.paris_to_utc(date(2026, 10, 25), time(2, 30)) == utc(2026, 10, 25, 0, 30)


def test_days_left_counts_paris_calendar_days_around_midnight():
    deadline = rules.paris_to_utc(date(2026, 6, 10), time(23, 59))
    # 23:30 Paris on 9 June is 21:30 UTC: one day left
    assert rules.days_left(deadline, utc(2026, 6, 9, 21, 30)) == 1
    # 00:30 Paris on 10 June is 22:30 UTC on 9 June: due today
    assert rules.days_left(deadline, utc(2026, 6, 9, 22, 30)) == 0


def test_deadline_is_reached_at_the_exact_instant():
    deadline = rules.paris_to_utc(date(2026, 6, 10), time(12, 0))
    assert not rules.is_past(deadline, deadline - timedelta(seconds=1))
    assert rules.is_past(deadline, deadline)


@pytest.mark.parametrize(
    ("now", "last_sent", "expected"),
    [
        (utc(2026, 6, 1, 10), None, None),  # J-9: too early
        (utc(2026, 6, 2, 21, 59), None, None),  # 23:59 Paris on 2 June is still J-8
        (utc(2026, 6, 2, 22, 0), None, 7),  # midnight Paris on 3 June: J-7
        (utc(2026, 6, 5, 10), 7, None),  # J-7 already sent
        (utc(2026, 6, 9, 8), 7, 1),  # J-1
        (utc(2026, 6, 9, 8), 1, None),  # J-1 already sent: never twice
        (utc(2026, 6, 9, 8), None, 1),  # missed J-7: only the latest step is sent
        (utc(2026, 6, 10, 20, 0), 7, 1),  # the day itself, before the deadline: J-1 still due
        (utc(2026, 6, 10, 21, 59), None, None),  # 23:59 Paris: deadline reached
    ],
)
def test_reminder_steps_in_paris_days(now, last_sent, expected):
    deadline = rules.paris_to_utc(date(2026, 6, 10), time(23, 59))
    assert rules.reminder_step_due(deadline, now, last_sent, (7, 1)) == expected


def test_reminders_across_the_autumn_clock_change():
    # deadline Wednesday 28 October 2026 23:59 Paris (winter time); J-7 starts at midnight
    # Paris on 21 October, which is still summer time (22:00 UTC on the 20th)
    deadline = rules.paris_to_utc(date(2026, 10, 28), time(23, 59))
    assert rules.reminder_step_due(deadline, utc(2026, 10, 20, 21, 59), None) is None
    assert rules.reminder_step_due(deadline, utc(2026, 10, 20, 22, 0), None) == 7
    # J-1 starts at midnight Paris on 27 October, winter time: 23:00 UTC on the 26th
    assert rules.reminder_step_due(deadline, utc(2026, 10, 26, 22, 59), 7) is None
    assert rules.reminder_step_due(deadline, utc(2026, 10, 26, 23, 0), 7) == 1


def test_custom_reminder_steps():
    deadline = rules.paris_to_utc(date(2026, 6, 10), time(23, 59))
    assert rules.reminder_step_due(deadline, utc(2026, 5, 27, 10), None, (14, 3)) == 14
    assert rules.reminder_step_due(deadline, utc(2026, 6, 8, 10), 14, (14, 3)) == 3


def test_silence_means_favourable_or_no_opinion():
    assert rules.tacit_opinion(SilenceRule.FAVOURABLE) is Opinion.FAVORABLE
    assert rules.tacit_opinion(SilenceRule.NO_OPINION) is None


@pytest.mark.parametrize(
    ("opinion", "required"),
    [
        (Opinion.FAVORABLE, False),
        (Opinion.FAVORABLE_WITH_RESERVATIONS, True),
        (Opinion.UNFAVORABLE, True),
        (Opinion.ABSTENTION, True),
    ],
)
def test_motivation_is_required_for_anything_but_favourable(opinion, required):
    assert rules.motivation_required(opinion) is required


def test_phase_of_a_saisine():
    opens, deadline = utc(2026, 6, 1, 7), utc(2026, 6, 10, 21, 59)
    assert rules.phase(SaisineStatus.DRAFT, opens, deadline, utc(2026, 6, 5)) is Phase.DRAFT
    assert rules.phase(SaisineStatus.OPEN, opens, deadline, utc(2026, 5, 30)) is Phase.SCHEDULED
    assert rules.phase(SaisineStatus.OPEN, opens, deadline, utc(2026, 6, 5)) is Phase.OPEN
    assert rules.phase(SaisineStatus.OPEN, opens, deadline, deadline) is Phase.CLOSED
    assert rules.phase(SaisineStatus.CLOSED, opens, deadline, utc(2026, 6, 5)) is Phase.CLOSED


@pytest.mark.parametrize(
    ("opened", "response", "passed", "tacit", "expected"),
    [
        (False, None, False, False, TargetStatus.NOT_OPENED),
        (True, None, False, False, TargetStatus.OPENED),
        (True, ResponseStatus.DRAFT, False, False, TargetStatus.DRAFT),
        (True, ResponseStatus.SUBMITTED, False, False, TargetStatus.SUBMITTED),
        (True, ResponseStatus.SUBMITTED, True, False, TargetStatus.SUBMITTED),
        (True, ResponseStatus.DRAFT, True, False, TargetStatus.LATE),
        (False, None, True, True, TargetStatus.TACIT),
    ],
)
def test_status_of_a_target_commune(opened, response, passed, tacit, expected):
    status = rules.target_status(
        opened=opened, response_status=response, deadline_passed=passed, tacit=tacit
    )
    assert status is expected


def test_tally_counts_communes_and_weights_by_population():
    tally = rules.tally(
        [
            (TargetStatus.SUBMITTED, "favorable", 30_000),
            (TargetStatus.SUBMITTED, "unfavorable", 1_000),
            (TargetStatus.SUBMITTED, "unfavorable", 1_000),
            (TargetStatus.TACIT, "favorable", 500),
            (TargetStatus.LATE, None, 7_500),
        ]
    )
    assert tally.targets == 5 and tally.population == 40_000
    assert tally.answered == 3 and tally.answer_rate == pytest.approx(0.6)
    assert tally.share("unfavorable") == pytest.approx(0.4)
    assert tally.share("unfavorable", weighted=True) == pytest.approx(0.05)
    assert tally.share("favorable", weighted=True) == pytest.approx(30_500 / 40_000)
    assert tally.by_opinion["none"].communes == 1


def test_stacked_shares_put_opinions_side_by_side_in_a_fixed_order_and_fill_the_bar():
    from consultations.saisines.rules import stacked_shares, tally

    counted = tally(
        [
            ("submitted", "unfavorable", 1000),
            ("submitted", "favorable", 3000),
            ("not_opened", None, 0),
            ("submitted", "favorable", 0),
        ]
    )
    by_communes = stacked_shares(counted, 400)
    assert [s.opinion for s in by_communes] == ["favorable", "unfavorable", "none"]
    assert [(s.x, s.width) for s in by_communes] == [(0.0, 200.0), (200.0, 100.0), (300.0, 100.0)]
    by_population = stacked_shares(counted, 400, weighted=True)
    # a commune of no population weighs nothing: "no opinion" disappears
    assert [(s.opinion, s.width) for s in by_population] == [
        ("favorable", 300.0),
        ("unfavorable", 100.0),
    ]


def test_stacked_shares_of_a_saisine_without_targets_are_empty():
    from consultations.saisines.rules import Tally, stacked_shares

    assert stacked_shares(Tally(), 400) == []
