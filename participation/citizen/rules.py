"""Pure rules of citizen consultations: phases, what may be done when, spam checks."""

from __future__ import annotations

import re
from datetime import datetime

from participation.citizen.models import Phase

LINK_RE = re.compile(r"(https?://|www\.)", re.IGNORECASE)
MAX_LINKS = 2


def phase(consultation, now: datetime) -> Phase:
    """The phase a consultation is in at `now`, from its dates."""
    if now < consultation.information_starts_at:
        return Phase.UPCOMING
    if now < consultation.contributions_start_at:
        return Phase.INFORMATION
    if now < consultation.contributions_end_at:
        return Phase.CONTRIBUTIONS
    if now < consultation.feedback_starts_at:
        return Phase.SYNTHESIS
    return Phase.FEEDBACK


def dates_in_order(consultation) -> bool:
    dates = [
        consultation.information_starts_at,
        consultation.contributions_start_at,
        consultation.contributions_end_at,
        consultation.synthesis_starts_at,
        consultation.feedback_starts_at,
    ]
    return all(a <= b for a, b in zip(dates, dates[1:], strict=False)) and (
        consultation.contributions_start_at < consultation.contributions_end_at
    )


def open_for_contributions(consultation, now: datetime) -> bool:
    return consultation.published and phase(consultation, now) is Phase.CONTRIBUTIONS


def too_many_links(text: str, limit: int = MAX_LINKS) -> bool:
    """Spam control: more than `limit` links in one contribution is refused."""
    return len(LINK_RE.findall(text or "")) > limit
