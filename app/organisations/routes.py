"""The organisation's communes, for admins and vice-presidents."""

from flask import Blueprint, g, render_template

from app.access import permission_required
from app.organisations.queries import communes_of

bp = Blueprint("organisations", __name__, url_prefix="/territoire")


@bp.get("/communes")
@permission_required("organisation.view_communes")
def communes():
    communes = communes_of(g.organisation)
    total = sum(c.population for c in communes)
    return render_template("organisations/commune_list.html", communes=communes, total=total)
