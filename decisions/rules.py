"""The decision path's rules, with no database: stage order and when a dossier may close."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from app.paris import paris_to_utc
from decisions.models import DecisionStage

STAGES: tuple[DecisionStage, ...] = (
    DecisionStage.IMPULSE,
    DecisionStage.WORK,
    DecisionStage.CONSULTATION,
    DecisionStage.PRE_VALIDATION,
    DecisionStage.DECISION,
)


def position(stage: DecisionStage) -> int:
    return STAGES.index(stage)


def allowed_targets(current: DecisionStage, closed: bool) -> list[DecisionStage]:
    """Where a dossier may go next: the following stage, or back to any earlier one.

    A closed dossier (its deliberation recorded) moves no more.
    """
    if closed:
        return []
    here = position(current)
    following = list(STAGES[here + 1 : here + 2])
    return following + list(STAGES[:here])


def is_backwards(current: DecisionStage, target: DecisionStage) -> bool:
    return position(target) < position(current)


def reason_required(current: DecisionStage, target: DecisionStage) -> bool:
    """Going back (a project sent back to work) must be explained."""
    return is_backwards(current, target)


def may_reach_decision(open_consultations: Iterable[object], override_reason: str) -> bool:
    """The decision stage waits for every attached consultation to end, unless the admin
    gives a reason to go on (it is recorded and shown)."""
    return not list(open_consultations) or bool((override_reason or "").strip())


def may_record_deliberation(stage: DecisionStage, closed: bool) -> bool:
    """The deliberation comes after the pre-validation (or at the decision stage)."""
    return not closed and position(stage) >= position(DecisionStage.PRE_VALIDATION)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """A calendar year in Paris as a UTC interval [start, end)."""
    return (
        paris_to_utc(date(year, 1, 1), time(0, 0)),
        paris_to_utc(date(year + 1, 1, 1), time(0, 0)),
    )


def xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot hold (control characters, lone surrogates, FFFE)."""
    return "".join(
        ch
        for ch in text or ""
        if ch in "\t\n\r"
        or "\x20" <= ch <= "\ud7ff"
        or "\ue000" <= ch <= "\ufffd"
        or "\U00010000" <= ch <= "\U0010ffff"
    )


def atom_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
