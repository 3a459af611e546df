"""Home-page panel of the conseil de développement: votes to cast and drafts for members, the
contributions awaiting the EPCI's answer for its agents."""

from __future__ import annotations

from flask import url_for

from app.access import can
from app.db import utcnow
from app.i18n import _
from app.web.home import HomePanel, home_panel
from participation.council import queries, rules

SHOWN = 5


def _link(contribution) -> str:
    return url_for("council.contribution", contribution_id=contribution.id)


@home_panel
def council_panel(user, organisation) -> list[HomePanel]:
    if not can(user, "council.view"):
        return []
    items = []
    if can(user, "council.contribute"):
        items += [
            (_("Vote en cours : %(title)s", title=c.title), _link(c))
            for c in queries.open_votes_for(organisation, user)[:SHOWN]
        ]
        items += [
            (_("Contribution en rédaction : %(title)s", title=c.title), _link(c))
            for c in queries.drafts_of(organisation, user)[:SHOWN]
        ]
    if can(user, "council.manage"):
        now = utcnow()
        for c in queries.follow_ups_to_answer(organisation)[:SHOWN]:
            overdue = rules.is_overdue(True, c.follow_up.due_on, now)
            label = (
                _("Réponse en retard : %(title)s", title=c.title)
                if overdue
                else _("Réponse à apporter : %(title)s", title=c.title)
            )
            items.append((label, url_for("council.follow_up", contribution_id=c.id)))
    return [
        HomePanel(
            title=_("Conseil de développement"),
            items=items,
            empty=_("Rien à faire pour le moment."),
            action=(_("Espace du conseil"), url_for("council.index")),
            order=30,
        )
    ]
