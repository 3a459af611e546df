"""Home-page panels: the sender's open questions, the questions waiting for the EPCI."""

from __future__ import annotations

from flask import url_for

from app.access import can
from app.i18n import _, ngettext
from app.web.home import HomePanel, home_panel, menu_badge
from consultations.mailbox import queries
from consultations.mailbox.models import MessageStatus
from consultations.mailbox.routes import status_label


@home_panel
def sender_questions(user, organisation) -> list[HomePanel]:
    if not can(user, "mailbox.write"):
        return []
    items = [
        (
            _("%(subject)s — %(status)s", subject=m.subject, status=status_label(m.status)),
            url_for("mailbox.question", message_id=m.id),
        )
        for m in queries.open_sent_by(organisation, user)
    ]
    return [
        HomePanel(
            title=_("Mes questions à l'EPCI"),
            items=items,
            empty=_("Aucune question en cours."),
            action=(_("Poser une question"), url_for("mailbox.new")),
            order=7,
        )
    ]


@menu_badge("mailbox.manage")
def questions_awaiting_answer(user, organisation, now) -> int:
    if organisation is None or user.organisation_id != organisation.id:
        return 0
    if not can(user, "mailbox.manage"):
        return 0
    return queries.awaiting_answer_count(organisation, user)


@home_panel
def epci_questions(user, organisation) -> list[HomePanel]:
    if not can(user, "mailbox.manage"):
        return []
    waiting = queries.count_waiting(organisation)
    new = waiting.get(MessageStatus.NEW, 0)
    assigned = waiting.get(MessageStatus.ASSIGNED, 0)
    return [
        HomePanel(
            title=_("Boîte aux lettres des maires"),
            items=[
                (
                    ngettext(
                        "%(num)d nouvelle question non attribuée",
                        "%(num)d nouvelles questions non attribuées",
                        new,
                    ),
                    url_for("mailbox.manage", status=MessageStatus.NEW.value),
                ),
                (
                    ngettext(
                        "%(num)d question attribuée en attente de réponse",
                        "%(num)d questions attribuées en attente de réponse",
                        assigned,
                    ),
                    url_for("mailbox.manage", status=MessageStatus.ASSIGNED.value),
                ),
            ],
            action=(_("Délais de réponse"), url_for("mailbox.statistics")),
            order=12,
        )
    ]
