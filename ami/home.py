"""The AMI's panels on the home page: what an association, a jury member or an agent of the EPCI
has to do next. Each panel runs a few bounded queries."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import func, or_, select

from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    Criterion,
    Decision,
    InterestDeclaration,
    JuryMember,
    Score,
)
from ami.permissions import association_ids
from app.db import db, utcnow
from app.i18n import _, ngettext
from app.users.models import Role
from app.web.home import HomePanel, home_panel, menu_badge

#: at most this many lines of each kind
SHOWN = 8
#: decisions notified in the last days are shown to the association
RECENT_DECISIONS = timedelta(days=60)


def _action(label: str, endpoint: str, **values) -> tuple[str, str] | None:
    url = url_for(endpoint, **values)
    return (label, url) if url else None


# --- associations -------------------------------------------------------------------------


def _applications(organisation, ids, *conditions, order_by):
    return db.session.scalars(
        select(Application)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .where(
            AmiCall.organisation_id == organisation.id,
            Application.association_id.in_(ids),
            *conditions,
        )
        .order_by(*order_by)
        .limit(SHOWN)
    ).all()


def association_items(user, organisation, now) -> list[tuple[str, str | None]]:
    ids = association_ids(user)
    if not ids:
        return []
    items: list[tuple[str, str | None]] = []
    drafts = _applications(
        organisation,
        ids,
        Application.status == ApplicationStatus.DRAFT,
        AmiCall.opens_at <= now,
        AmiCall.closes_at > now,
        order_by=(AmiCall.closes_at, Application.id),
    )
    for application in drafts:
        days = max((application.call.closes_at - now).days, 0)
        items.append(
            (
                _(
                    "Brouillon à déposer : %(title)s — %(left)s",
                    title=application.title or application.call.title,
                    left=ngettext("clôture dans %(num)d jour", "clôture dans %(num)d jours", days),
                ),
                url_for("ami.application_view", application_id=application.id),
            )
        )
    open_calls = db.session.scalars(
        select(AmiCall)
        .where(
            AmiCall.organisation_id == organisation.id,
            AmiCall.published_at.is_not(None),
            AmiCall.opens_at <= now,
            AmiCall.closes_at > now,
            ~select(Application.id)
            .where(Application.call_id == AmiCall.id, Application.association_id.in_(ids))
            .exists(),
        )
        .order_by(AmiCall.closes_at)
        .limit(SHOWN)
    ).all()
    for call in open_calls:
        days = max((call.closes_at - now).days, 0)
        items.append(
            (
                _(
                    "Appel ouvert : %(title)s — %(left)s",
                    title=call.title,
                    left=ngettext("clôture dans %(num)d jour", "clôture dans %(num)d jours", days),
                ),
                url_for("ami.call_public", call_id=call.id),
            )
        )
    hearings = _applications(
        organisation,
        ids,
        Application.hearing_invited_at.is_not(None),
        Application.hearing_confirmed_at.is_(None),
        order_by=(Application.hearing_invited_at, Application.id),
    )
    for application in hearings:
        items.append(
            (
                _("Audition à confirmer : %(title)s", title=application.title),
                url_for("ami.application_view", application_id=application.id),
            )
        )
    decided = _applications(
        organisation,
        ids,
        Application.decision.has(Decision.notified_at >= now - RECENT_DECISIONS),
        order_by=(Application.id.desc(),),
    )
    for application in decided:
        items.append(
            (
                _("Décision notifiée : %(title)s", title=application.title),
                url_for("ami.application_decision", application_id=application.id)
                or url_for("ami.application_view", application_id=application.id),
            )
        )
    return items


@home_panel
def association_panel(user, organisation) -> list[HomePanel]:
    if organisation is None or not association_ids(user):
        return []
    return [
        HomePanel(
            title=_("AMI cohésion sociale : mes candidatures"),
            items=association_items(user, organisation, utcnow()),
            empty=_("Aucune candidature en attente de votre part."),
            action=_action(_("Mes candidatures"), "ami.my_applications")
            or _action(_("Les appels en cours"), "ami.calls_public"),
            order=20,
        )
    ]


# --- jury members -------------------------------------------------------------------------


def jury_items(user, organisation) -> list[tuple[str, str | None]]:
    """Per call whose deliberation is not open: the eligible applications the member has not
    fully scored, conflicts of interest aside."""
    seats = db.session.execute(
        select(JuryMember.id, AmiCall.id, AmiCall.title)
        .join(AmiCall, AmiCall.id == JuryMember.call_id)
        .where(
            JuryMember.user_id == user.id,
            AmiCall.organisation_id == organisation.id,
            AmiCall.deliberation_opened_at.is_(None),
        )
        .order_by(AmiCall.closes_at.desc())
        .limit(SHOWN)
    ).all()
    if not seats:
        return []
    seat_ids = [s[0] for s in seats]
    call_ids = [s[1] for s in seats]
    eligible = dict(
        db.session.execute(
            select(Application.call_id, func.count(Application.id))
            .where(
                Application.call_id.in_(call_ids),
                Application.status == ApplicationStatus.ELIGIBLE,
            )
            .group_by(Application.call_id)
        ).all()
    )
    criteria = dict(
        db.session.execute(
            select(Criterion.call_id, func.count(Criterion.id))
            .where(Criterion.call_id.in_(call_ids))
            .group_by(Criterion.call_id)
        ).all()
    )
    # (call, application) -> criteria scored by the member
    scored = db.session.execute(
        select(Application.call_id, Score.application_id, func.count(Score.id))
        .join(Application, Application.id == Score.application_id)
        .where(
            Score.jury_member_id.in_(seat_ids),
            Application.status == ApplicationStatus.ELIGIBLE,
        )
        .group_by(Application.call_id, Score.application_id)
    ).all()
    done: dict[int, int] = {}
    for call_id, _application_id, count in scored:
        if count >= max(criteria.get(call_id, 0), 1):
            done[call_id] = done.get(call_id, 0) + 1
    conflicts = dict(
        db.session.execute(
            select(Application.call_id, func.count(InterestDeclaration.id))
            .join(Application, Application.id == InterestDeclaration.application_id)
            .where(
                InterestDeclaration.jury_member_id.in_(seat_ids),
                InterestDeclaration.conflict_of_interest.is_(True),
                Application.status == ApplicationStatus.ELIGIBLE,
            )
            .group_by(Application.call_id)
        ).all()
    )
    items = []
    for _seat, call_id, title in seats:
        left = max(eligible.get(call_id, 0) - done.get(call_id, 0) - conflicts.get(call_id, 0), 0)
        label = _(
            "%(title)s : %(left)s",
            title=title,
            left=ngettext("%(num)d candidature à noter", "%(num)d candidatures à noter", left),
        )
        items.append((label, url_for("ami.jury_call", call_id=call_id)))
    return items


def to_score_count(user, organisation) -> int:
    """The eligible applications of the calls whose deliberation is not open that the member
    has not fully scored, conflicts of interest aside (the rules of `jury_items`): one query,
    for the menu's badge."""
    scored = (
        select(func.count(Score.id))
        .where(Score.jury_member_id == JuryMember.id, Score.application_id == Application.id)
        .scalar_subquery()
    )
    criteria = (
        select(func.count(Criterion.id)).where(Criterion.call_id == AmiCall.id).scalar_subquery()
    )
    conflict = (
        select(InterestDeclaration.id)
        .where(
            InterestDeclaration.jury_member_id == JuryMember.id,
            InterestDeclaration.application_id == Application.id,
            InterestDeclaration.conflict_of_interest.is_(True),
        )
        .exists()
    )
    return (
        db.session.scalar(
            select(func.count(Application.id))
            .select_from(JuryMember)
            .join(AmiCall, AmiCall.id == JuryMember.call_id)
            .join(Application, Application.call_id == AmiCall.id)
            .where(
                JuryMember.user_id == user.id,
                AmiCall.organisation_id == organisation.id,
                AmiCall.deliberation_opened_at.is_(None),
                Application.status == ApplicationStatus.ELIGIBLE,
                ~conflict,
                or_(scored == 0, scored < criteria),
            )
        )
        or 0
    )


@menu_badge("ami.jury_index")
def applications_to_score(user, organisation, now) -> int:
    if organisation is None or not user.has_role(Role.JURY_MEMBER):
        return 0
    return to_score_count(user, organisation)


@home_panel
def jury_panel(user, organisation) -> list[HomePanel]:
    if organisation is None or not user.has_role(Role.JURY_MEMBER):
        return []
    return [
        HomePanel(
            title=_("AMI cohésion sociale : jury"),
            items=jury_items(user, organisation),
            empty=_("Aucune candidature à noter pour le moment."),
            action=_action(_("Espace du jury"), "ami.jury_index"),
            order=21,
        )
    ]


# --- the EPCI -----------------------------------------------------------------------------


def admin_items(organisation) -> list[tuple[str, str | None]]:
    """Per call: submitted applications awaiting the eligibility check."""
    rows = db.session.execute(
        select(AmiCall.id, AmiCall.title, func.count(Application.id))
        .join(Application, Application.call_id == AmiCall.id)
        .where(
            AmiCall.organisation_id == organisation.id,
            Application.status == ApplicationStatus.SUBMITTED,
        )
        .group_by(AmiCall.id, AmiCall.title, AmiCall.closes_at)
        .order_by(AmiCall.closes_at.desc())
        .limit(SHOWN)
    ).all()
    return [
        (
            _(
                "%(title)s : %(count)s",
                title=title,
                count=ngettext(
                    "%(num)d candidature déposée à vérifier (recevabilité)",
                    "%(num)d candidatures déposées à vérifier (recevabilité)",
                    count,
                ),
            ),
            url_for("ami.review_list", call_id=call_id),
        )
        for call_id, title, count in rows
    ]


@home_panel
def admin_panel(user, organisation) -> list[HomePanel]:
    if organisation is None or not user.has_role(Role.ADMIN):
        return []
    if user.organisation_id != organisation.id:
        return []
    return [
        HomePanel(
            title=_("AMI cohésion sociale"),
            items=admin_items(organisation),
            empty=_("Aucune candidature en attente de vérification."),
            action=_action(_("Gérer les appels"), "ami.manage_calls")
            or _action(_("Statistiques"), "ami.stats"),
            order=22,
        )
    ]
