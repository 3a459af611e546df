"""What the network's pages share: loading an association of the current organisation, the one
the signed-in person acts for, and running a business action (commit, or roll back and say
why it was refused)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, g
from flask_login import current_user

from ami import queries as ami_queries
from ami.messages import error_message
from ami.network.services.common import NetworkError
from app.access import can, require
from app.web.actions import attempt as run_action


def association_or_404(association_id: int):
    """An association of the current organisation (404 elsewhere)."""
    association = ami_queries.association_in(g.organisation, association_id)
    if association is None:
        abort(404)
    return association


def load_acting(association_id: int):
    """The association the signed-in person acts for (404 outside the organisation, 403 when
    they do not act for it)."""
    association = association_or_404(association_id)
    require(can(current_user, "network.act", association))
    return association


def attempt(action: Callable[[], object], done: Callable[[object], None]) -> bool:
    """Run the service call `action()` and commit, then `done(result)` (which says it
    worked); when the action is refused (NetworkError), roll back and flash why instead.
    Returns whether it worked."""
    return run_action(
        action,
        refused=NetworkError,
        explain=lambda exc: flash(error_message(exc), "error"),
        done=done,
    )
