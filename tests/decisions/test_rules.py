"""The decision path's pure rules: stage order, when a dossier may decide, feed text."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

from decisions import rules
from decisions.models import DecisionStage as S


def test_a_dossier_goes_forward_one_stage_or_back_to_any_earlier_one():
    assert rules.allowed_targets(S.IMPULSE, closed=False) == [S.WORK]
    assert rules.allowed_targets(S.CONSULTATION, closed=False) == [
        S.PRE_VALIDATION,
        S.IMPULSE,
        S.WORK,
    ]
    assert rules.allowed_targets(S.DECISION, closed=False) == [
        S.IMPULSE,
        S.WORK,
        S.CONSULTATION,
        S.PRE_VALIDATION,
    ]


def test_a_closed_dossier_moves_no_more():
    assert rules.allowed_targets(S.DECISION, closed=True) == []
    assert rules.allowed_targets(S.PRE_VALIDATION, closed=True) == []


def test_going_back_needs_a_reason_going_forward_does_not():
    assert rules.reason_required(S.CONSULTATION, S.WORK)
    assert not rules.reason_required(S.CONSULTATION, S.PRE_VALIDATION)


@pytest.mark.parametrize(
    ("open_items", "override", "allowed"),
    [
        ([], "", True),
        (["saisine"], "", False),
        (["saisine"], "   ", False),
        (["saisine"], "Urgence : délai légal", True),
    ],
)
def test_the_decision_waits_for_open_consultations_unless_a_reason_is_given(
    open_items, override, allowed
):
    assert rules.may_reach_decision(open_items, override) is allowed


def test_the_deliberation_comes_after_the_pre_validation_on_an_open_dossier():
    assert not rules.may_record_deliberation(S.CONSULTATION, closed=False)
    assert rules.may_record_deliberation(S.PRE_VALIDATION, closed=False)
    assert rules.may_record_deliberation(S.DECISION, closed=False)
    assert not rules.may_record_deliberation(S.DECISION, closed=True)


def test_a_year_is_cut_at_midnight_in_paris():
    start, end = rules.year_bounds(2026)
    assert start == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


def test_characters_xml_cannot_hold_are_dropped_and_the_rest_kept():
    text = "Délibération\x00\x0b n° 12\ufffe — «ok» <&>\U0001f600\ttab"
    cleaned = rules.xml_safe(text)
    assert cleaned == "Délibération n° 12 — «ok» <&>\U0001f600\ttab"
    element = ET.Element("t")
    element.text = cleaned
    assert ET.fromstring(ET.tostring(element)).text == cleaned


def test_atom_dates_are_utc_with_a_z():
    moment = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert rules.atom_date(moment) == "2026-03-01T10:30:00Z"
