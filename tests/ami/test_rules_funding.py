"""Unit tests of the AMI's pure rules: the funding rate and maximum, the jury's ranking, the
envelope and the associations' identifiers (RNA, SIRET)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ami import rules
from ami.models import BonusKind, Track


def _call(**kw):
    values = {
        "base_rate": 50,
        "ceiling_cents": 1_500_000,
        "blank_page_ceiling_cents": 300_000,
        "bonus_rules": [
            SimpleNamespace(
                kind=BonusKind.WOMEN_SHARE, label="Public de femmes", rate=80, threshold=50
            ),
            SimpleNamespace(
                kind=BonusKind.COOPERATION, label="Associations ensemble", rate=80, threshold=2
            ),
        ],
    }
    values.update(kw)
    return SimpleNamespace(**values)


def _application(**kw):
    values = {
        "id": 1,
        "track": Track.STANDARD,
        "women_share": 30,
        "partners": [],
        "qpvs": [],
        "theme_id": 1,
        "budget_total_cents": 2_000_000,
        "requested_cents": 1_800_000,
    }
    values.update(kw)
    return SimpleNamespace(**values)


# --- funding --------------------------------------------------------------------------------


def test_the_base_rate_applies_without_bonus():
    result = rules.funding(_call(), _application())
    assert result.rate == 50 and result.rule is None and result.met_rules == ()
    assert result.max_cents == 1_000_000 and result.limited_by == "rate"


def test_a_public_of_women_at_the_threshold_is_funded_at_80_percent():
    call = _call()
    result = rules.funding(call, _application(women_share=50))
    assert result.rate == 80 and result.rule is call.bonus_rules[0]
    # 80 % of 20 000 € is 16 000 €, above the 15 000 € ceiling
    assert result.max_cents == 1_500_000 and result.limited_by == "ceiling"
    assert rules.funding(call, _application(women_share=49)).rate == 50


def test_two_associations_working_together_are_funded_at_80_percent():
    call = _call()
    result = rules.funding(call, _application(partners=[object()], budget_total_cents=1_000_000))
    assert result.rate == 80 and result.rule is call.bonus_rules[1]
    assert result.max_cents == 800_000 and result.limited_by == "rate"
    assert rules.funding(call, _application(partners=[])).rate == 50


def test_every_rule_met_is_listed_and_the_highest_rate_wins():
    call = _call(
        bonus_rules=[
            SimpleNamespace(kind=BonusKind.WOMEN_SHARE, label="Femmes", rate=70, threshold=50),
            SimpleNamespace(kind=BonusKind.COOPERATION, label="Ensemble", rate=80, threshold=2),
            SimpleNamespace(kind=BonusKind.QPV_COUNT, label="Plusieurs QPV", rate=60, threshold=2),
            SimpleNamespace(kind=BonusKind.THEME, label="Santé", rate=90, threshold=0, theme_id=7),
        ]
    )
    app = _application(women_share=60, partners=[1], qpvs=[1, 2], theme_id=3)
    result = rules.funding(call, app)
    assert result.rate == 80 and result.rule.label == "Ensemble"
    assert [r.label for r in result.met_rules] == ["Femmes", "Ensemble", "Plusieurs QPV"]
    assert rules.funding(call, _application(theme_id=7)).rate == 90


def test_a_bonus_below_the_base_rate_does_not_lower_it():
    call = _call(base_rate=60)
    call.bonus_rules[0].rate = 55
    result = rules.funding(call, _application(women_share=90))
    assert result.rate == 60 and result.rule is None


@pytest.mark.parametrize(
    ("budget", "requested", "women", "expected", "bound"),
    [
        (2_000_000, 500_000, 30, 500_000, "requested"),  # asks less than allowed
        (2_000_000, 1_800_000, 30, 1_000_000, "rate"),  # 50 % of the budget
        (4_000_000, 3_000_000, 30, 1_500_000, "ceiling"),  # the call's ceiling
        (2_000_000, 1_800_000, 80, 1_500_000, "ceiling"),  # 80 % = 16 000 € > ceiling
        (1_000_000, 1_000_000, 80, 800_000, "rate"),
    ],
)
def test_never_more_than_requested_the_ceiling_or_the_rate(
    budget, requested, women, expected, bound
):
    app = _application(budget_total_cents=budget, requested_cents=requested, women_share=women)
    call = _call()
    result = rules.funding(call, app)
    assert result.max_cents == expected and result.limited_by == bound
    assert result.max_cents <= requested
    assert result.max_cents <= call.ceiling_cents
    assert result.max_cents <= budget * result.rate // 100


def test_the_blank_page_track_has_its_own_ceiling():
    app = _application(track=Track.BLANK_PAGE, budget_total_cents=1_000_000)
    result = rules.funding(_call(), app)
    assert result.max_cents == 300_000 and result.limited_by == "ceiling"


def test_no_ceiling_when_the_call_sets_none():
    app = _application(budget_total_cents=10_000_000, requested_cents=9_000_000)
    result = rules.funding(_call(ceiling_cents=0), app)
    assert result.max_cents == 5_000_000 and result.limited_by == "rate"


def test_an_incomplete_budget_allows_nothing():
    result = rules.funding(_call(), _application(budget_total_cents=None, requested_cents=None))
    assert result.max_cents == 0


# --- ranking --------------------------------------------------------------------------------


def test_ranking_by_weighted_mean_with_the_spread_and_the_scorers():
    a, b, c = (SimpleNamespace(id=i) for i in (1, 2, 3))
    weights = {10: 3, 11: 1}
    scores = [
        # a: member 1 -> (5*3 + 1*1) / 4 = 4 ; member 2 -> (3*3 + 3*1) / 4 = 3
        (1, 1, 10, 5),
        (1, 1, 11, 1),
        (1, 2, 10, 3),
        (1, 2, 11, 3),
        # b: member 1 -> (5*3 + 5*1) / 4 = 5
        (2, 1, 10, 5),
        (2, 1, 11, 5),
    ]
    ranked = rules.rank([a, b, c], scores, weights)
    assert [r.application for r in ranked] == [b, a, c]
    assert ranked[0].mean == 5 and ranked[0].spread == 0 and ranked[0].scorers == 1
    assert ranked[1].mean == pytest.approx(3.5) and ranked[1].spread == pytest.approx(1)
    assert ranked[1].scorers == 2
    assert ranked[2].mean is None and ranked[2].spread is None and ranked[2].scorers == 0


def test_ties_keep_the_given_order():
    a, b = SimpleNamespace(id=1), SimpleNamespace(id=2)
    scores = [(1, 1, 10, 3), (2, 1, 10, 3)]
    assert [r.application for r in rules.rank([a, b], scores, {10: 1})] == [a, b]
    assert [r.application for r in rules.rank([b, a], scores, {10: 1})] == [b, a]


# --- envelope -------------------------------------------------------------------------------


def test_the_envelope_state():
    assert rules.envelope_state(10_000, 6_000) == "ok"
    assert rules.envelope_state(10_000, 6_000, 4_000) == "full"
    assert rules.envelope_state(10_000, 6_000, 4_001) == "exceeded"


def test_euros_and_cents():
    from decimal import Decimal

    assert rules.euros_to_cents(Decimal("106491.50")) == 10_649_150
    assert rules.cents_to_euros(10_649_150) == Decimal("106491.5")
    assert rules.euros_to_cents(None) is None and rules.cents_to_euros(None) is None


# --- identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["W623000123", "w623000123", " W 623 000 123 "])
def test_valid_rna_numbers(value):
    assert rules.valid_rna(value)


@pytest.mark.parametrize("value", ["", "623000123", "W62300012", "W6230001234", "X623000123"])
def test_invalid_rna_numbers(value):
    assert not rules.valid_rna(value)


@pytest.mark.parametrize(
    "value",
    [
        "24620036400015",  # SIREN of the CA de Lens-Liévin, Luhn key computed
        "21620510500010",  # SIREN of a commune (Lens), Luhn key computed
        "732 829 320 00074",  # a well-known company, with spaces
        "35600000000001",  # a La Poste site: the sum of its digits is a multiple of 5
    ],
)
def test_valid_sirets(value):
    assert rules.valid_siret(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2462003640001",  # 13 digits
        "246200364000150",  # 15 digits
        "24620036400016",  # wrong check digit
        "21620510500012",  # wrong check digit
        "2462003640001A",
        "35600000000014",  # La Poste site: Luhn-valid but its digit sum is not a multiple of 5
    ],
)
def test_invalid_sirets(value):
    assert not rules.valid_siret(value)


def test_la_postes_head_office_keeps_the_luhn_key():
    assert rules.valid_siret("35600000000048")
