"""Pure rules of bodies: quorum, proxies, vote counts, meeting requests, rotating hosts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.voting import VoteResult, count_votes  # noqa: F401  (one voice per member)


@dataclass(frozen=True)
class Fraction:
    numerator: int
    denominator: int

    @property
    def none(self) -> bool:
        return self.numerator <= 0 or self.denominator <= 0


def quorum_required(members: int, fraction: Fraction, strict: bool) -> int:
    """The number of members that must be counted for the quorum (0 when there is none).

    `strict` means "more than the fraction" (the majority of members: 19 of 36), otherwise
    "at least the fraction" (a third of 92: 31).
    """
    if fraction.none or members <= 0:
        return 0
    exact = members * fraction.numerator / fraction.denominator
    if strict:
        return math.floor(exact) + 1
    return math.ceil(exact)


def quorum_count(present: int, represented: int, counts_proxies: bool) -> int:
    return present + (represented if counts_proxies else 0)


def quorum_met(
    members: int,
    present: int,
    represented: int,
    fraction: Fraction,
    strict: bool,
    counts_proxies: bool,
) -> bool:
    return quorum_count(present, represented, counts_proxies) >= quorum_required(
        members, fraction, strict
    )


def request_threshold(members: int, fraction: Fraction) -> int:
    """Co-signatures needed for a meeting request: the ceiling of the share of members.

    A third of 36, 83 and 92 mayors: 12, 28 and 31.
    """
    if fraction.none or members <= 0:
        return 0
    return math.ceil(members * fraction.numerator / fraction.denominator)


def request_allowed(admissible_this_year: int, yearly_cap: int) -> bool:
    """A new admissible request is refused once the yearly cap is reached."""
    return admissible_this_year < yearly_cap


class ProxyRefused(ValueError):
    """Why a proxy cannot be given: `code` names the rule."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_proxy(
    giver: int,
    holder: int,
    members: set[int],
    proxies: Mapping[int, int],
    max_held: int,
) -> None:
    """Raise ProxyRefused unless `giver` may give a proxy to `holder`.

    `proxies` maps each giver to the holder of their proxy, for the same meeting (not
    counting a proxy `giver` may already have given, which this one replaces).
    """
    current = {g: h for g, h in proxies.items() if g != giver}
    if giver not in members or holder not in members:
        raise ProxyRefused("not_member")
    if giver == holder:
        raise ProxyRefused("self")
    if holder in current:
        raise ProxyRefused("holder_gave_proxy")  # no chain: the holder is absent
    if giver in current.values():
        raise ProxyRefused("giver_holds_proxy")  # no chain: the giver votes for someone
    held = sum(1 for h in current.values() if h == holder)
    if held >= max_held:
        raise ProxyRefused("holder_full")


def suggest_host(
    communes: Sequence[tuple[int, str]], last_hosted: Mapping[int, datetime]
) -> int | None:
    """The member commune that hosted least recently: never first, then the oldest.

    `communes` are (id, name) of the member communes; ties go by name.
    """
    if not communes:
        return None
    never = [c for c in communes if c[0] not in last_hosted]
    if never:
        return sorted(never, key=lambda c: c[1])[0][0]
    return sorted(communes, key=lambda c: (last_hosted[c[0]], c[1]))[0][0]
