"""The network's landing page: each association the person acts for, with what awaits it,
and the EPCI's tools for admins."""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from ami.network import queries
from ami.network.home import waiting_for
from ami.routes import bp
from app.access import can, login_required, require


@bp.get("/reseau")
@login_required
def network_home():
    manage = can(current_user, "network.manage")
    require(manage or can(current_user, "network.space"))
    associations = queries.acting_associations(current_user, g.organisation)
    return render_template(
        "ami/network/home.html",
        associations=associations,
        waiting=waiting_for(a.id for a in associations),
        profiles=queries.profiles_by_association(a.id for a in associations),
        manage=manage,
        settings=queries.settings_of(g.organisation),
    )
