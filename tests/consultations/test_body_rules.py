"""Pure rules of bodies: quorum, proxies, vote counts, meeting requests, rotating hosts."""

from datetime import UTC, datetime

import pytest

from consultations.bodies import rules
from consultations.bodies.models import VoteChoice
from consultations.bodies.rules import Fraction, ProxyRefused

THIRD = Fraction(1, 3)
HALF = Fraction(1, 2)


@pytest.mark.parametrize(("members", "threshold"), [(36, 12), (83, 28), (92, 31), (3, 1), (1, 1)])
def test_a_third_of_the_mayors_request_a_meeting(members, threshold):
    assert rules.request_threshold(members, THIRD) == threshold


def test_no_request_threshold_when_members_cannot_request():
    assert rules.request_threshold(36, Fraction(0, 3)) == 0


def test_the_fifth_admissible_request_of_a_year_is_refused():
    assert rules.request_allowed(3, 4)
    assert not rules.request_allowed(4, 4)


@pytest.mark.parametrize(
    ("members", "fraction", "strict", "required"),
    [
        (36, HALF, True, 19),  # the majority of 36: more than half
        (83, HALF, True, 42),
        (92, HALF, True, 47),
        (92, THIRD, False, 31),  # at least a third
        (36, Fraction(0, 2), True, 0),  # no quorum
    ],
)
def test_quorum_required(members, fraction, strict, required):
    assert rules.quorum_required(members, fraction, strict) == required


def test_quorum_counts_proxies_only_when_the_rules_say_so():
    assert not rules.quorum_met(36, 17, 5, HALF, True, counts_proxies=False)
    assert rules.quorum_met(36, 17, 5, HALF, True, counts_proxies=True)
    assert rules.quorum_met(36, 19, 0, HALF, True, counts_proxies=False)
    assert rules.quorum_met(36, 0, 0, Fraction(0, 2), True, counts_proxies=False)


MEMBERS = {1, 2, 3, 4}


def test_a_proxy_between_two_members_is_accepted():
    rules.check_proxy(1, 2, MEMBERS, {}, max_held=1)


@pytest.mark.parametrize(
    ("giver", "holder", "proxies", "code"),
    [
        (1, 9, {}, "not_member"),  # to a non-member
        (9, 1, {}, "not_member"),
        (1, 1, {}, "self"),
        (1, 2, {2: 3}, "holder_gave_proxy"),  # chain: 1 -> 2 -> 3
        (1, 2, {3: 1}, "giver_holds_proxy"),  # chain: 3 -> 1 -> 2
        (1, 2, {3: 2}, "holder_full"),  # 2 already holds one
    ],
)
def test_refused_proxies(giver, holder, proxies, code):
    with pytest.raises(ProxyRefused) as refused:
        rules.check_proxy(giver, holder, MEMBERS, proxies, max_held=1)
    assert refused.value.code == code


def test_a_member_may_hold_more_proxies_when_configured():
    rules.check_proxy(1, 2, MEMBERS, {3: 2}, max_held=2)


def test_giving_a_new_proxy_replaces_ones_own_previous_proxy():
    rules.check_proxy(1, 3, MEMBERS, {1: 2}, max_held=1)


def test_votes_count_one_voice_per_member_never_population():
    weights = {m: 1 for m in range(1, 37)}
    votes = [(m, VoteChoice.FOR) for m in range(1, 16)]
    votes += [(m, VoteChoice.AGAINST) for m in range(16, 26)]
    votes += [(m, VoteChoice.ABSTAIN) for m in range(26, 30)]
    votes += [(30, VoteChoice.NOT_VOTING)]
    result = rules.count_votes(votes, weights)
    assert result.counts[VoteChoice.FOR] == 15 and result.counts[VoteChoice.AGAINST] == 10
    assert result.counts[VoteChoice.ABSTAIN] == 4 and result.counts[VoteChoice.NOT_VOTING] == 1
    assert result.cast == 25 and result.missing == 6
    assert result.adopted


def test_a_tie_rejects_and_abstentions_do_not_count():
    weights = {1: 1, 2: 1, 3: 1}
    result = rules.count_votes(
        [(1, VoteChoice.FOR), (2, VoteChoice.AGAINST), (3, VoteChoice.ABSTAIN)], weights
    )
    assert not result.adopted


def test_weights_and_duplicates_and_strangers():
    result = rules.count_votes(
        [(1, VoteChoice.FOR), (1, VoteChoice.AGAINST), (2, VoteChoice.AGAINST), (9, "for")],
        {1: 3, 2: 2},
    )
    assert result.counts[VoteChoice.FOR] == 3 and result.counts[VoteChoice.AGAINST] == 2
    assert result.adopted


def test_next_host_is_the_commune_that_hosted_least_recently():
    communes = [(1, "Lens"), (2, "Liévin"), (3, "Avion")]
    past = {1: datetime(2026, 3, 1, tzinfo=UTC), 2: datetime(2026, 1, 1, tzinfo=UTC)}
    assert rules.suggest_host(communes, past) == 3  # never hosted
    past[3] = datetime(2026, 5, 1, tzinfo=UTC)
    assert rules.suggest_host(communes, past) == 2
    assert rules.suggest_host([], {}) is None
