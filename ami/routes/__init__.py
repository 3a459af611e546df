"""The AMI's pages: public calls, associations' space, the EPCI's management, the jury."""

from __future__ import annotations

from flask import Blueprint

from ami.messages import college_labels, outcome_labels, status_labels, track_labels
from ami.rules import cents_to_euros

bp = Blueprint("ami", __name__, url_prefix="/ami")


@bp.app_template_global("ami_status_label")
def status_label(status) -> str:
    return str(status_labels().get(status, status))


@bp.app_template_global("ami_track_label")
def track_label(track) -> str:
    return str(track_labels().get(track, track))


@bp.app_template_global("ami_outcome_label")
def outcome_label(outcome) -> str:
    return str(outcome_labels().get(outcome, outcome))


@bp.app_template_global("ami_college_label")
def college_label(college) -> str:
    return str(college_labels().get(college, college))


@bp.app_template_filter("euros")
def euros(cents: int | None) -> str:
    """12345678 cents -> "123 456,78 €" (French grouping; no decimals when whole)."""
    if cents is None:
        return "—"
    value = cents_to_euros(cents)
    whole = cents % 100 == 0
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


from ami.network import routes as _network_routes  # noqa: E402,F401
from ami.routes import (  # noqa: E402,F401
    applications,
    associations,
    calls,
    decisions,
    hearings,
    jury,
    review,
    stats,
)
