"""The network's pure rules: the suggestion score and the speed-meeting plan."""

from __future__ import annotations

import pytest

from ami.network.rules import (
    WEIGHTS,
    Plan,
    PlanError,
    Profile,
    score,
    speed_meeting_plan,
    suggestions,
    table_sizes,
)

# --- suggestions ----------------------------------------------------------------------------

EDUCATION, HEALTH, DIGITAL = 1, 2, 3
CITE_9, REPUBLIQUE = 10, 11
LENS, LIEVIN, AVION = 100, 101, 102
PREMISES, VOLUNTEERS, EQUIPMENT = 20, 21, 22

ME = Profile(
    id=1,
    name="Jeunesse de Lens",
    theme_ids=frozenset({EDUCATION}),
    qpv_ids=frozenset({CITE_9}),
    commune_ids=frozenset({LENS}),
    postal_codes=frozenset({"62300"}),
    offer_tag_ids=frozenset({VOLUNTEERS}),
    need_tag_ids=frozenset({PREMISES}),
)
#: same theme and same QPV, offers the premises ME needs, in Liévin (another postal code)
PREMISES_IN_LIEVIN = Profile(
    id=2,
    name="Maison des associations de Liévin",
    theme_ids=frozenset({EDUCATION}),
    qpv_ids=frozenset({CITE_9}),
    commune_ids=frozenset({LIEVIN}),
    postal_codes=frozenset({"62800"}),
    offer_tag_ids=frozenset({PREMISES}),
)
#: same commune only
NEIGHBOUR_IN_LENS = Profile(
    id=3, name="Club de Lens", theme_ids=frozenset({HEALTH}), commune_ids=frozenset({LENS})
)
#: looks for volunteers (ME offers them), same postal code as ME (neighbouring commune)
NEEDS_VOLUNTEERS = Profile(
    id=4,
    name="Aide aux devoirs d'Avion",
    commune_ids=frozenset({AVION}),
    postal_codes=frozenset({"62300"}),
    need_tag_ids=frozenset({VOLUNTEERS, EQUIPMENT}),
)
#: nothing in common
STRANGER = Profile(id=5, name="Numérique pour tous", theme_ids=frozenset({DIGITAL}))
#: heard with ME in two hearing groups, nothing else in common
HEARD_TWICE = Profile(id=6, name="Santé partagée", theme_ids=frozenset({HEALTH}))

OTHERS = [STRANGER, NEEDS_VOLUNTEERS, NEIGHBOUR_IN_LENS, HEARD_TWICE, PREMISES_IN_LIEVIN, ME]


def test_a_shared_theme_qpv_and_needed_offer_add_their_points_with_their_reasons():
    result = score(ME, PREMISES_IN_LIEVIN)
    assert [r.code for r in result.reasons] == ["same_theme", "same_qpv", "they_offer"]
    assert result.reason("same_theme").items == (EDUCATION,)
    assert result.reason("they_offer").items == (PREMISES,)
    assert result.score == WEIGHTS["same_theme"] + WEIGHTS["same_qpv"] + WEIGHTS["they_offer"]


def test_what_the_association_offers_and_the_other_needs_counts_less_than_the_reverse():
    result = score(ME, NEEDS_VOLUNTEERS)
    assert result.reason("you_offer").items == (VOLUNTEERS,)
    assert WEIGHTS["you_offer"] < WEIGHTS["they_offer"]


def test_same_commune_and_neighbouring_commune_by_postal_code_or_sector():
    assert score(ME, NEIGHBOUR_IN_LENS).reason("same_commune").items == (LENS,)
    assert score(ME, NEEDS_VOLUNTEERS).reason("neighbour") is not None
    same_sector = Profile(id=7, name="Secteur", commune_ids=frozenset({AVION}), sector_ids={9})
    me_in_sector = Profile(id=8, name="Moi", commune_ids=frozenset({LENS}), sector_ids={9})
    assert score(me_in_sector, same_sector).reason("neighbour") is not None
    # a shared commune is not counted again as a neighbour
    assert score(ME, NEIGHBOUR_IN_LENS).reason("neighbour") is None


def test_hearings_together_count_per_hearing():
    result = score(ME, HEARD_TWICE, heard_together=[41, 40])
    assert result.reason("heard_together").items == (40, 41)
    assert result.score == 2 * WEIGHTS["heard_together"]


def test_suggestions_rank_by_score_then_name_and_leave_out_self_and_strangers():
    ranked = suggestions(ME, OTHERS, heard_together={HEARD_TWICE.id: [40, 41]})
    assert [(s.association_id, s.score) for s in ranked] == [
        (PREMISES_IN_LIEVIN.id, 10),  # theme 3 + QPV 3 + premises needed 4
        (HEARD_TWICE.id, 4),  # two hearings together
        (NEEDS_VOLUNTEERS.id, 3),  # volunteers offered 2 + neighbour 1; "Aide..." first
        (NEIGHBOUR_IN_LENS.id, 3),  # same commune 3; "Club..." second
    ]
    assert all(s.association_id not in (ME.id, STRANGER.id) for s in ranked)


def test_equal_scores_are_ordered_by_name_whatever_the_input_order():
    first = suggestions(ME, OTHERS)
    second = suggestions(ME, list(reversed(OTHERS)))
    assert first == second
    tied = [s for s in first if s.score == 3]
    assert [s.name for s in tied] == ["Aide aux devoirs d'Avion", "Club de Lens"]


def test_the_limit_keeps_the_best():
    assert [s.association_id for s in suggestions(ME, OTHERS, limit=1)] == [2]


# --- the speed-meeting plan -----------------------------------------------------------------


def _check_plan(plan: Plan, people: list[int], rounds: int, table_size: int) -> None:
    assert len(plan.tables) == rounds == len(plan.resting)
    pairs = plan.pairs()
    assert len(pairs) == len(set(pairs)), "a pair meets twice"
    for tables, resting in zip(plan.tables, plan.resting, strict=True):
        seated = [who for table in tables for who in table]
        assert sorted(seated + list(resting)) == people, "everyone is seated or resting, once"
        assert all(2 <= len(table) <= table_size + 1 for table in tables)
    assert all(n <= 1 for n in plan.rests().values()), "nobody rests twice"


@pytest.mark.parametrize("count", [9, 12])
@pytest.mark.parametrize("table_size", [2, 3, 4])
def test_nine_or_twelve_over_four_rounds_never_meet_twice_and_rest_at_most_once(count, table_size):
    people = list(range(1, count + 1))
    plan = speed_meeting_plan(people, rounds=4, table_size=table_size, seed=7)
    _check_plan(plan, people, 4, table_size)


def test_an_even_number_in_pairs_seats_everyone_every_round():
    plan = speed_meeting_plan(range(1, 13), rounds=4)
    assert plan.resting == [(), (), (), ()]
    assert len(plan.pairs()) == 24


def test_an_odd_number_in_pairs_rests_one_person_a_round_never_the_same():
    plan = speed_meeting_plan(range(1, 10), rounds=4)
    assert [len(r) for r in plan.resting] == [1, 1, 1, 1]
    assert len({who for r in plan.resting for who in r}) == 4


def test_preferred_pairs_meet():
    preferences = {frozenset((1, 2)): 3, frozenset((3, 9)): 3, frozenset((4, 7)): 1}
    plan = speed_meeting_plan(range(1, 10), rounds=4, preferences=preferences, seed=1)
    met = set(plan.pairs())
    assert set(preferences) <= met


def test_the_plan_is_deterministic_for_a_seed():
    one = speed_meeting_plan(range(1, 16), rounds=5, table_size=3, seed=3)
    two = speed_meeting_plan(range(1, 16), rounds=5, table_size=3, seed=3)
    assert one == two


def test_schedule_of_one_association():
    plan = speed_meeting_plan(range(1, 4), rounds=3)
    schedule = plan.schedule_of(1)
    assert [row[0] for row in schedule] == [1, 2, 3]
    resting = [row for row in schedule if row[1] is None]
    assert len(resting) == 1 and resting[0][2] == ()
    met = {who for row in schedule for who in row[2]}
    assert met == {2, 3}


def test_table_sizes_are_even_and_a_lone_seat_is_a_rest():
    assert table_sizes(9, 2) == [2, 2, 2, 2, 1]
    assert table_sizes(9, 4) == [3, 3, 3]
    assert table_sizes(10, 3) == [3, 3, 2, 2]
    assert table_sizes(12, 4) == [4, 4, 4]
    assert table_sizes(0, 2) == []


@pytest.mark.parametrize(
    ("people", "rounds", "table_size", "code"),
    [
        ([1], 2, 2, "too_few"),
        ([1, 2, 3], 2, 1, "table_size"),
        ([1, 2, 3], 2, 7, "table_size"),
        ([1, 2, 3], 0, 2, "rounds"),
        ([1, 2, 3, 4], 4, 2, "too_many_rounds"),
        ([1, 2, 3], 4, 2, "too_many_rounds"),
    ],
)
def test_impossible_plans_are_refused_with_a_reason(people, rounds, table_size, code):
    with pytest.raises(PlanError) as error:
        speed_meeting_plan(people, rounds, table_size)
    assert error.value.code == code


def test_as_many_rounds_as_possible_in_pairs_is_a_full_round_robin():
    plan = speed_meeting_plan(range(1, 9), rounds=7)
    assert len(set(plan.pairs())) == 28  # everyone meets everyone once
    plan = speed_meeting_plan(range(1, 8), rounds=7)
    assert len(set(plan.pairs())) == 21 and all(n == 1 for n in plan.rests().values())
