"""The ranking counts each association's points without building its reasons, then explains
only the ones it keeps: the same suggestions, in the same order, as scoring everyone."""

from __future__ import annotations

import random

import pytest

from ami.network import rules


def _profile(rng: random.Random, i: int) -> rules.Profile:
    def some(n, k):
        return frozenset(rng.sample(range(n), rng.randrange(0, k)))

    return rules.Profile(
        id=i,
        name=rng.choice(["Alpha", "alpha", "Béta", "Gamma", "delta"]) + str(rng.randrange(3)),
        theme_ids=some(5, 3),
        qpv_ids=some(8, 3),
        commune_ids=some(12, 3),
        postal_codes=frozenset(str(13000 + c) for c in some(6, 2)),
        sector_ids=some(4, 2),
        offer_tag_ids=some(10, 4),
        need_tag_ids=some(10, 4),
    )


def _scored_everyone(me, others, heard, limit):
    ranked = [rules.score(me, o, heard.get(o.id, ())) for o in others if o.id != me.id]
    ranked = [s for s in ranked if s.score > 0]
    ranked.sort(key=lambda s: (-s.score, s.name.casefold(), s.association_id))
    return ranked if limit is None else ranked[:limit]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("limit", [20, None, 3])
def test_the_ranking_equals_scoring_everyone(seed, limit):
    rng = random.Random(seed)
    profiles = [_profile(rng, i) for i in range(150)]
    me, others = profiles[0], profiles
    heard = {o.id: rng.sample(range(30), rng.randrange(0, 3)) for o in others if rng.random() < 0.2}
    assert rules.suggestions(me, others, heard, limit=limit) == _scored_everyone(
        me, others, heard, limit
    )
    for other in others:
        assert rules.points(me, other, heard.get(other.id, ())) == (
            rules.score(me, other, heard.get(other.id, ())).score
        )
