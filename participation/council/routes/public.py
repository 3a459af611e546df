"""The public pages: transmitted contributions and the EPCI's follow-ups (no login)."""

from __future__ import annotations

from flask import abort, g, render_template, request

from app.db import utcnow
from app.web.pagination import paginate
from participation.council import queries, rules
from participation.council.routes import bp

PER_PAGE = 20

# --- public pages ---------------------------------------------------------------------------


@bp.get("/")
def public():
    now = utcnow()
    overdue_only = request.args.get("en_retard") == "1"
    query = queries.public_query(g.organisation, rules.paris_date(now) if overdue_only else None)
    page = paginate(query, PER_PAGE)
    return render_template(
        "participation/council/public_list.html", page=page, now=now, overdue_only=overdue_only
    )


@bp.get("/contributions/<int:contribution_id>")
def public_contribution(contribution_id: int):
    contribution = queries.public_contribution(g.organisation, contribution_id)
    if contribution is None:
        abort(404)
    return render_template(
        "participation/council/public_contribution.html", contribution=contribution, now=utcnow()
    )
