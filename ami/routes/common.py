"""Loading helpers shared by the AMI's pages: 404 outside the organisation, 403 when the
person may not."""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from ami import queries
from ami.permissions import JuryCase
from app.access import can, require


def load_call(call_id: int, action: str | None = "ami.manage"):
    call = queries.call_in(g.organisation, call_id)
    if call is None:
        abort(404)
    if action:
        require(can(current_user, action, call))
    return call


def load_application(application_id: int, action: str = "ami.application.view"):
    application = queries.application_in(g.organisation, application_id)
    if application is None:
        abort(404)
    require(can(current_user, action, application))
    return application


def load_association(association_id: int, action: str = "ami.association.edit"):
    association = queries.association_in(g.organisation, association_id)
    if association is None:
        abort(404)
    require(can(current_user, action, association))
    return association


def jury_case(application) -> JuryCase:
    """The application seen by the signed-in person as a jury member of its call."""
    from ami.models import InterestDeclaration
    from app.db import db

    seat = queries.jury_seat(application.call, current_user)
    conflict = False
    if seat is not None:
        declaration = db.session.scalar(
            db.select(InterestDeclaration).where(
                InterestDeclaration.jury_member_id == seat.id,
                InterestDeclaration.application_id == application.id,
            )
        )
        conflict = bool(declaration and declaration.conflict_of_interest)
    return JuryCase(application, seat, conflict)
