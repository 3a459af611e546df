"""The AMI's domain rules, pure functions: identifiers, field limits, the funding computation,
hearing groups and the jury's ranking."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ami.models import BonusKind, Track

# --- identifiers ----------------------------------------------------------------------------

RNA_PATTERN = re.compile(r"^W\d{9}$")
#: La Poste's establishments use another check on their SIRET (sum of digits divisible by 5),
#: except its head office, whose SIRET follows the Luhn rule
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"


def normalise_identifier(value: str | None) -> str:
    """Upper-case, without spaces, dots or dashes."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def valid_rna(value: str) -> bool:
    """An RNA number (répertoire national des associations): W followed by nine digits."""
    return bool(RNA_PATTERN.match(normalise_identifier(value)))


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def valid_siret(value: str) -> bool:
    """A SIRET: fourteen digits whose Luhn check holds (La Poste's own rule for its sites)."""
    siret = normalise_identifier(value)
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_HEAD_OFFICE:
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret)


# --- the one-sheet application --------------------------------------------------------------

#: Most characters each text field may hold: chosen so that the longest allowed application
#: prints on one A4 sheet, both sides (tests/ami/test_application_pdf.py checks it).
FIELD_LIMITS: dict[str, int] = {
    "title": 120,
    "public": 400,
    "objectives": 1100,
    "actions": 1600,
    "partners_text": 400,
    "calendar": 400,
    "other_funding_details": 300,
}
#: The lighter "page blanche" form: the idea in a few words.
BLANK_PAGE_FIELDS = ("title", "public", "objectives")
#: At most this many QPVs, communes and partner associations on one application.
MAX_QPVS = 8
MAX_COMMUNES = 12
MAX_PARTNERS = 5


def fields_for(track: Track) -> tuple[str, ...]:
    if track is Track.BLANK_PAGE:
        return BLANK_PAGE_FIELDS
    return tuple(FIELD_LIMITS)


def missing_fields(application) -> list[str]:
    """The fields a submitted application must fill, still empty (codes, in form order)."""
    missing = [
        name
        for name in fields_for(application.track)
        if name not in ("partners_text", "other_funding_details", "calendar")
        and not (getattr(application, name) or "").strip()
    ]
    if application.theme_id is None:
        missing.append("theme")
    if not application.qpvs and not application.communes:
        missing.append("territory")
    if not application.budget_total_cents:
        missing.append("budget_total")
    if not application.requested_cents:
        missing.append("requested")
    if application.track is Track.STANDARD and application.women_share is None:
        missing.append("women_share")
    return missing


def budget_problems(application) -> list[str]:
    """Budget inconsistencies (codes): asking more than the whole budget, or the other funding
    and the request exceeding it."""
    total = application.budget_total_cents or 0
    requested = application.requested_cents or 0
    other = application.other_funding_cents or 0
    problems = []
    if total and requested > total:
        problems.append("requested_above_total")
    if total and requested + other > total:
        problems.append("funding_above_total")
    return problems


# --- funding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funding:
    """What the rules allow for one application."""

    #: the rate that applies (percent)
    rate: int
    #: the bonus rule that raised it, None when the base rate applies
    rule: object | None
    #: the most the platform proposes (cents)
    max_cents: int
    #: which bound decided the maximum: "requested", "ceiling" or "rate"
    limited_by: str
    #: every bonus rule the application meets (the highest rate wins)
    met_rules: tuple = field(default_factory=tuple)


def rule_applies(
    rule, application, partner_count: int | None = None, qpv_count: int | None = None
) -> bool:
    """Whether one bonus rule's condition holds for the application (`partner_count` and
    `qpv_count`, when given, stand for its partners and QPVs, e.g. counted in SQL)."""
    if rule.kind is BonusKind.WOMEN_SHARE:
        return application.women_share is not None and application.women_share >= rule.threshold
    if rule.kind is BonusKind.COOPERATION:
        partners = len(application.partners) if partner_count is None else partner_count
        # the applicant plus its partner associations
        return 1 + partners >= max(rule.threshold, 2)
    if rule.kind is BonusKind.QPV_COUNT:
        qpvs = len(application.qpvs) if qpv_count is None else qpv_count
        return qpvs >= max(rule.threshold, 1)
    if rule.kind is BonusKind.THEME:
        return rule.theme_id is not None and application.theme_id == rule.theme_id
    return False


def funding(
    call, application, *, partner_count: int | None = None, qpv_count: int | None = None
) -> Funding:
    """The rate (base, or the highest bonus met) and the maximum fundable amount: never more
    than requested, than the call's ceiling for the track, or than the rate of the budget.
    `partner_count` and `qpv_count` spare loading the application's partners and QPVs."""
    met = tuple(
        r
        for r in call.bonus_rules
        if rule_applies(r, application, partner_count=partner_count, qpv_count=qpv_count)
    )
    best = max(met, key=lambda r: r.rate, default=None)
    rate = call.base_rate
    chosen = None
    if best is not None and best.rate > call.base_rate:
        rate, chosen = best.rate, best
    ceiling = (
        call.blank_page_ceiling_cents
        if application.track is Track.BLANK_PAGE
        else call.ceiling_cents
    )
    by_rate = (application.budget_total_cents or 0) * rate // 100
    bounds = [
        ("requested", application.requested_cents or 0),
        ("rate", by_rate),
    ]
    if ceiling:
        bounds.append(("ceiling", ceiling))
    limited_by, max_cents = min(bounds, key=lambda b: b[1])
    return Funding(rate, chosen, max(max_cents, 0), limited_by, met)


# --- hearings -------------------------------------------------------------------------------


def group_sizes(count: int) -> list[int]:
    """Split one theme's applications into hearing groups of three; when the count is not a
    multiple of three the last group has two (remainder 2) or four (remainder 1). A lone
    application (count 1) is returned as [1]: see `plan_groups` for where it goes."""
    if count <= 0:
        return []
    if count in (1, 2, 4):
        return [count]
    threes, remainder = divmod(count, 3)
    if remainder == 0:
        return [3] * threes
    if remainder == 2:
        return [3] * threes + [2]
    return [3] * (threes - 1) + [4]


def plan_groups(by_theme: Sequence[tuple[object, Sequence[object]]]) -> list[tuple[object, list]]:
    """Hearing groups for each theme, in the given order: [(theme, [application, ...]), ...].

    A theme with a single eligible application has no one to be heard with: it joins the
    smallest group of another theme (so that nobody is heard alone), or, when every group
    already has four, it makes a pair with one of them; if it is the only application of the
    whole call, it stays alone.
    """
    groups: list[tuple[object, list]] = []
    lonely: list[object] = []
    for theme, applications in by_theme:
        applications = list(applications)
        if len(applications) == 1:
            lonely.append(applications[0])
            continue
        start = 0
        for size in group_sizes(len(applications)):
            groups.append((theme, applications[start : start + size]))
            start += size
    for application in lonely:
        if groups:
            smallest = min(groups, key=lambda g: len(g[1]))
            if len(smallest[1]) >= 4:
                # no group of five: the lone application and one of the four make a pair
                groups.append((smallest[0], [smallest[1].pop(), application]))
            else:
                smallest[1].append(application)
        else:
            groups.append((getattr(application, "theme", None), [application]))
    return groups


# --- ranking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    application: object
    #: weighted mean of the members' scores, on 5 (None when nobody scored)
    mean: float | None
    #: gap between the most and the least favourable member (on 5)
    spread: float | None
    #: how many members gave it at least one score
    scorers: int


def member_total(values: dict[int, int], weights: dict[int, int]) -> float | None:
    """One member's weighted mean (on 5) over the criteria they scored."""
    weight_sum = sum(weights[c] for c in values if c in weights)
    if not weight_sum:
        return None
    return sum(v * weights[c] for c, v in values.items() if c in weights) / weight_sum


def rank(
    applications: Iterable[object],
    scores: Iterable[tuple[int, int, int, int]],
    weights: dict[int, int],
) -> list[Ranked]:
    """Rank applications by the mean of their members' weighted scores, best first.

    `scores` are (application_id, member_id, criterion_id, value); `weights` maps criterion id
    to its weight. Ties keep the applications' order; unscored applications come last.
    """
    per_app: dict[int, dict[int, dict[int, int]]] = {}
    for application_id, member_id, criterion_id, value in scores:
        per_app.setdefault(application_id, {}).setdefault(member_id, {})[criterion_id] = value
    member_totals = {
        application_id: [member_total(v, weights) for v in members.values()]
        for application_id, members in per_app.items()
    }
    return rank_member_totals(applications, member_totals)


def weighted_mean(weighted_sum: int, weight_sum: int) -> float | None:
    """One member's weighted mean from the sums over the criteria they scored (as
    `member_total`, from sums computed elsewhere, e.g. in SQL)."""
    if not weight_sum:
        return None
    return weighted_sum / weight_sum


def rank_member_totals(
    applications: Iterable[object], member_totals: dict[int, list[float | None]]
) -> list[Ranked]:
    """Rank applications from each member's weighted mean (application id -> the members'
    means, None for a member with nothing weighted), best first: the same order as `rank`."""
    ranked = []
    for application in applications:
        totals = [t for t in member_totals.get(application.id, ()) if t is not None]
        mean = sum(totals) / len(totals) if totals else None
        spread = max(totals) - min(totals) if totals else None
        ranked.append(Ranked(application, mean, spread, len(totals)))
    order = sorted(
        range(len(ranked)),
        key=lambda i: (ranked[i].mean is None, -(ranked[i].mean or 0), i),
    )
    return [ranked[i] for i in order]


def envelope_state(envelope_cents: int, committed_cents: int, proposed_cents: int = 0) -> str:
    """ "ok", "full" (exactly reached) or "exceeded" once a proposed grant is added."""
    total = committed_cents + proposed_cents
    if total > envelope_cents:
        return "exceeded"
    if total == envelope_cents:
        return "full"
    return "ok"


# --- money ----------------------------------------------------------------------------------


def euros_to_cents(value) -> int | None:
    """A Decimal or number of euros to integer cents (None stays None)."""
    if value is None:
        return None
    return int(round(value * 100))


def cents_to_euros(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return Decimal(cents) / 100
