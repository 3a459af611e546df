"""Home-page panels: the commune's saisines to answer, the EPCI's saisines to follow."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.db import db, utcnow
from app.i18n import _, ngettext
from app.users.models import Role
from app.web.home import HomePanel, home_panel, menu_badge
from consultations.saisines import queries
from consultations.saisines.models import ResponseStatus, Saisine, SaisineStatus


@menu_badge("saisines_commune.inbox")
def saisines_to_answer(user, organisation, now) -> int:
    if not (user.has_role(Role.MAYOR) or user.has_role(Role.COMMUNE_STAFF)):
        return 0
    return queries.to_answer_count(user, now)


@home_panel
def commune_saisines(user, organisation) -> list[HomePanel]:
    if not (user.has_role(Role.MAYOR) or user.has_role(Role.COMMUNE_STAFF)):
        return []
    now = utcnow()
    current, _past = queries.inbox(user, now)
    items = []
    for row in current:
        days = (row.saisine.deadline - now).days
        state = (
            _("transmise")
            if row.response_status is ResponseStatus.SUBMITTED
            else (_("brouillon") if row.response_status is ResponseStatus.DRAFT else _("à faire"))
        )
        label = _(
            "%(title)s (%(commune)s) — %(state)s, %(left)s",
            title=row.saisine.title,
            commune=row.commune.name,
            state=state,
            left=ngettext("%(num)d jour restant", "%(num)d jours restants", max(days, 0)),
        )
        link = url_for(
            "saisines_commune.respond", insee=row.commune.insee_code, saisine_id=row.saisine.id
        )
        items.append((label, link))
    return [
        HomePanel(
            title=_("Saisines de l'EPCI à traiter"),
            items=items,
            empty=_("Aucune saisine en cours pour votre commune."),
            action=(_("Toutes les saisines de ma commune"), url_for("saisines_commune.inbox")),
            order=5,
        )
    ]


@home_panel
def admin_saisines(user, organisation) -> list[HomePanel]:
    if not user.has_role(Role.ADMIN):
        return []
    now = utcnow()
    counts = dict(
        db.session.execute(
            select(Saisine.status, func.count(Saisine.id))
            .where(Saisine.organisation_id == organisation.id)
            .group_by(Saisine.status)
        ).all()
    )
    due_soon = db.session.scalar(
        select(func.count(Saisine.id)).where(
            Saisine.organisation_id == organisation.id,
            Saisine.status == SaisineStatus.OPEN,
            Saisine.deadline > now,
        )
    )
    return [
        HomePanel(
            title=_("Saisines des communes"),
            items=[
                (
                    ngettext("%(num)d ouverte", "%(num)d ouvertes", due_soon or 0),
                    url_for("saisines.index", status="open"),
                ),
                (
                    ngettext(
                        "%(num)d en préparation",
                        "%(num)d en préparation",
                        counts.get(SaisineStatus.DRAFT, 0),
                    ),
                    url_for("saisines.index", status="draft"),
                ),
                (
                    ngettext(
                        "%(num)d close", "%(num)d closes", counts.get(SaisineStatus.CLOSED, 0)
                    ),
                    url_for("saisines.index", status="closed"),
                ),
            ],
            action=(_("Nouvelle saisine"), url_for("saisines.create")),
            order=11,
        )
    ]
