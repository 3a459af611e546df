"""The audit log page, for admins."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, g, render_template, request
from sqlalchemy import or_, select

from app.access import permission_required
from app.audit.models import AuditEntry
from app.db import db
from app.users.models import User
from app.web import PARIS
from app.web.converters import db_int
from app.web.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/admin/journal")


def _day(value: str | None, end: bool = False):
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    start = datetime.combine(day, time.min, tzinfo=PARIS)
    return start + timedelta(days=1) if end else start


@bp.get("/")
@permission_required("audit.view")
def index():
    org = g.organisation
    query = select(AuditEntry).where(AuditEntry.organisation_id == org.id)
    action = request.args.get("action") or None
    actor_id = request.args.get("actor", type=db_int)
    object_type = request.args.get("object_type") or None
    since, until = _day(request.args.get("since")), _day(request.args.get("until"), end=True)
    if action:
        # the action itself or the actions under it ("member" -> "member.invite"), without
        # LIKE wildcards: "auth.password_reset" must not show "auth.password_reset_request"
        query = query.where(
            or_(
                AuditEntry.action == action,
                AuditEntry.action.startswith(f"{action}.", autoescape=True),
            )
        )
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at < until)
    page = paginate(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), 100)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.organisation_id == org.id)
        .distinct()
        .order_by(AuditEntry.action)
    ).all()
    object_types = db.session.scalars(
        select(AuditEntry.object_type)
        .where(AuditEntry.organisation_id == org.id, AuditEntry.object_type.is_not(None))
        .distinct()
        .order_by(AuditEntry.object_type)
    ).all()
    actors = db.session.execute(
        select(User.id, User.display_name)
        .where(
            User.organisation_id == org.id,
            User.id.in_(select(AuditEntry.actor_id).where(AuditEntry.organisation_id == org.id)),
        )
        .order_by(User.display_name)
    ).all()
    return render_template(
        "audit/entry_list.html",
        page=page,
        actions=actions,
        object_types=object_types,
        actors=actors,
        filters=request.args,
    )
