"""Home-page panel for the EPCI's agents: the dossiers at each stage of the decision path."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.db import db
from app.i18n import _, ngettext
from app.users.models import Role
from app.web.home import HomePanel, home_panel
from decisions import messages, rules
from decisions.models import Dossier


@home_panel
def admin_dossiers(user, organisation) -> list[HomePanel]:
    if not user.has_role(Role.ADMIN):
        return []
    counts = dict(
        db.session.execute(
            select(Dossier.stage, func.count(Dossier.id))
            .where(Dossier.organisation_id == organisation.id, Dossier.closed_at.is_(None))
            .group_by(Dossier.stage)
        ).all()
    )
    items = [
        (
            ngettext(
                "%(stage)s : %(num)d dossier",
                "%(stage)s : %(num)d dossiers",
                counts[stage],
                stage=messages.stage_label(stage),
            ),
            url_for("decisions.index", etape=stage.value),
        )
        for stage in rules.STAGES
        if counts.get(stage)
    ]
    return [
        HomePanel(
            title=_("Dossiers en cours du schéma décisionnel"),
            items=items,
            empty=_("Aucun dossier en cours."),
            action=(_("Nouveau dossier"), url_for("decisions.create")),
            order=12,
        )
    ]
