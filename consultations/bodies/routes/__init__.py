"""Bodies: the EPCI's pages (manage) and the members' pages (member)."""

from flask import Blueprint

manage_bp = Blueprint("bodies", __name__, url_prefix="/instances")
member_bp = Blueprint("bodies_member", __name__, url_prefix="/mes-instances")

from consultations.bodies.routes import (  # noqa: E402,F401
    manage,
    manage_meetings,
    member,
    member_calendar,
    member_requests,
)
