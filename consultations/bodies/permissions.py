"""Who may do what with bodies and meetings."""

from __future__ import annotations

from app.access import rule
from app.users.models import Role
from consultations.bodies.models import Body, Meeting


def _admin_of(user, organisation_id: int) -> bool:
    return user.has_role(Role.ADMIN) and user.organisation_id == organisation_id


def _seat(user, body: Body):
    return next((m for m in body.members if m.current and m.user_id == user.id), None)


@rule("bodies.manage")
def can_manage(user, body: Body | None = None) -> bool:
    if body is None:
        return user.has_role(Role.ADMIN)
    return _admin_of(user, body.organisation_id)


@rule("bodies.my_bodies")
def can_see_my_bodies(user, _obj=None) -> bool:
    return True


@rule("body.view")
def can_view_body(user, body: Body) -> bool:
    return _admin_of(user, body.organisation_id) or _seat(user, body) is not None


@rule("meeting.view")
def can_view_meeting(user, meeting: Meeting) -> bool:
    return can_view_body(user, meeting.body)


@rule("meeting.secretary")
def can_keep_the_record(user, meeting: Meeting) -> bool:
    """Record attendance and paper votes, open and close votes: admins and secretaries."""
    if _admin_of(user, meeting.body.organisation_id):
        return True
    seat = _seat(user, meeting.body)
    return seat is not None and seat.is_secretary


@rule("body.request_meeting")
def can_request_meeting(user, body: Body) -> bool:
    return body.request_numerator > 0 and _seat(user, body) is not None


@rule("meeting.minutes_public")
def can_read_public_minutes(user, meeting: Meeting) -> bool:
    return meeting.minutes_public or can_view_meeting(user, meeting)
