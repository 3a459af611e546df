"""Votes of members, one voice each (or a weight), whatever the body: the conférence des
maires, the conseil de développement adopting a contribution."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class VoteChoice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"
    NOT_VOTING = "not_voting"


@dataclass
class VoteResult:
    counts: dict[VoteChoice, int] = field(default_factory=dict)
    #: members with a voice who have not voted at all
    missing: int = 0

    @property
    def cast(self) -> int:
        """Votes expressed: for and against (abstentions and non-participation are not)."""
        return self.counts.get(VoteChoice.FOR, 0) + self.counts.get(VoteChoice.AGAINST, 0)

    @property
    def adopted(self) -> bool:
        """Adopted by the majority of the votes expressed; a tie rejects."""
        return self.counts.get(VoteChoice.FOR, 0) > self.counts.get(VoteChoice.AGAINST, 0)


def count_votes(votes: Iterable[tuple[int, VoteChoice]], weights: Mapping[int, int]) -> VoteResult:
    """Count (member id, choice) votes, each member with their weight (one voice by default).

    Never by population: the conférence des maires gives one voice to each mayor.
    """
    result = VoteResult(counts={choice: 0 for choice in VoteChoice})
    voted = set()
    for member_id, choice in votes:
        if member_id in voted or member_id not in weights:
            continue
        voted.add(member_id)
        result.counts[VoteChoice(choice)] += weights[member_id]
    result.missing = sum(w for m, w in weights.items() if m not in voted)
    return result
