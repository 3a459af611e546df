"""Home-page panels: the consultations open to contributions, the moderators' queue."""

from __future__ import annotations

from flask import url_for

from app.access import can
from app.db import utcnow
from app.i18n import _, ngettext
from app.web import local_date
from app.web.home import HomePanel, home_panel, menu_badge
from participation.citizen import queries, rules, services


@home_panel
def open_consultations(user, organisation) -> list[HomePanel]:
    now = utcnow()
    items = [
        (
            _(
                "%(title)s — jusqu'au %(date)s",
                title=c.title,
                date=local_date(c.contributions_end_at),
            ),
            url_for("citizen.consultation", slug=c.slug),
        )
        for c in queries.consultations_of(organisation, published_only=True)
        if rules.open_for_contributions(c, now)
    ]
    return [
        HomePanel(
            title=_("Consultations ouvertes aux contributions"),
            items=items,
            empty=_("Aucune consultation n'est ouverte aux contributions en ce moment."),
            action=(_("Mon profil de participant"), url_for("citizen.profile")),
            order=40,
        )
    ]


@menu_badge("citizen.moderation")
def contributions_to_moderate(user, organisation, now) -> int:
    if organisation is None or user.organisation_id != organisation.id:
        return 0
    if not can(user, "consultations.moderate"):
        return 0
    return services.pending_count(organisation)


@home_panel
def moderation_queue(user, organisation) -> list[HomePanel]:
    if not can(user, "consultations.moderate"):
        return []
    counts = services.queue_counts(organisation)
    return [
        HomePanel(
            title=_("Modération des consultations"),
            items=[
                (
                    ngettext(
                        "%(num)d contribution en attente",
                        "%(num)d contributions en attente",
                        counts["pending"],
                    ),
                    url_for("citizen.moderation", tab="pending"),
                ),
                (
                    ngettext(
                        "%(num)d contenu signalé", "%(num)d contenus signalés", counts["reported"]
                    ),
                    url_for("citizen.moderation", tab="reported"),
                ),
            ],
            order=12,
        )
    ]
