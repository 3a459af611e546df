"""The conseil de développement's pages: public contributions and follow-ups; the council's
workspace (referrals, co-writing, votes, transmission); the EPCI's answers; the annual report."""

from __future__ import annotations

from flask import Blueprint

from participation.council import rules
from participation.council.forms import vote_choice_labels
from participation.council.messages import kind_labels, status_labels

bp = Blueprint("council", __name__, url_prefix="/conseil-de-developpement")


@bp.app_template_global("council_status_label")
def status_label(status) -> str:
    return str(status_labels().get(status, status))


@bp.app_template_global("council_kind_label")
def kind_label(kind) -> str:
    return str(kind_labels().get(kind, kind))


@bp.app_template_global("council_choice_label")
def choice_label(choice) -> str:
    return str(vote_choice_labels().get(choice, choice))


@bp.app_template_global("council_overdue")
def overdue(follow_up, now) -> bool:
    """A follow-up still pending after its due day (Paris)."""
    return follow_up is not None and rules.is_overdue(
        follow_up.status == "pending", follow_up.due_on, now
    )


from participation.council.routes import contributions, public, workspace  # noqa: E402,F401
