"""Reads for the open data API: each resource scoped to the organisation and to what the
viewer may see (anonymous: what the platform publishes; a token: its holder's rights).

The API gathers the domains' published data read-only; no domain imports it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import contains_eager, defaultload, selectinload

from ami.models import AmiCall, Application, Decision, Outcome
from app.access import can
from app.db import db
from app.organisations.models import Commune, Organisation
from app.users.models import User
from app.web.pagination import count_rows
from consultations.bodies.models import AgendaItem, Body, BodyMember, Meeting, MeetingStatus, Vote
from consultations.saisines import rules as saisine_rules
from consultations.saisines.models import (
    ResponseStatus,
    Saisine,
    SaisineResponse,
    SaisineStatus,
    SaisineTarget,
)
from opendata.models import ApiToken
from participation.citizen.models import Comment, ContentStatus, Proposal, PublicConsultation

# --- tokens ------------------------------------------------------------------------------------


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
        )
    )


def token_of(user: User, token_id: int) -> ApiToken | None:
    return db.session.scalar(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id == token_id)
    )


# --- helpers -----------------------------------------------------------------------------------


def count(query: Select) -> int:
    return count_rows(query)


def page_of(query: Select, limit: int, offset: int) -> list:
    return list(db.session.scalars(query.limit(limit).offset(offset)).unique())


# --- communes ----------------------------------------------------------------------------------


def communes_query(org: Organisation) -> Select:
    return (
        select(Commune)
        .where(Commune.organisation_id == org.id, Commune.active.is_(True))
        .options(selectinload(Commune.sector))
        .order_by(Commune.insee_code)
    )


# --- saisines ----------------------------------------------------------------------------------


def saisines_query(org: Organisation, viewer: User | None) -> Select:
    """Saisines whose results the EPCI published; every opened one for its admins."""
    query = select(Saisine).where(
        Saisine.organisation_id == org.id, Saisine.status != SaisineStatus.DRAFT
    )
    if not can(viewer, "saisines.manage"):
        query = query.where(Saisine.results_published.is_(True))
    return query.order_by(Saisine.deadline.desc(), Saisine.id.desc())


def saisine_visible(org: Organisation, viewer: User | None, saisine_id: int) -> Saisine | None:
    return db.session.scalar(
        saisines_query(org, viewer).where(Saisine.id == saisine_id).order_by(None)
    )


def saisine_tallies(saisines: list[Saisine], now: datetime) -> dict[int, saisine_rules.Tally]:
    """The opinions counted for each saisine, in one query whatever their number: the
    database groups the target communes by what decides their status and opinion, and
    returns one row per group (a few per saisine) with its communes and population."""
    if not saisines:
        return {}
    opened = SaisineTarget.first_opened_at.is_not(None).label("opened")
    communes = func.count(SaisineTarget.id)
    population = func.coalesce(func.sum(Commune.population), 0)
    rows = db.session.execute(
        select(
            SaisineTarget.saisine_id,
            opened,
            SaisineTarget.tacit_opinion,
            SaisineResponse.status,
            SaisineResponse.opinion,
            communes,
            population,
        )
        .join(Commune, Commune.id == SaisineTarget.commune_id)
        .outerjoin(
            SaisineResponse,
            and_(
                SaisineResponse.saisine_id == SaisineTarget.saisine_id,
                SaisineResponse.commune_id == SaisineTarget.commune_id,
            ),
        )
        .where(SaisineTarget.saisine_id.in_([s.id for s in saisines]))
        .group_by(
            SaisineTarget.saisine_id,
            opened,
            SaisineTarget.tacit_opinion,
            SaisineResponse.status,
            SaisineResponse.opinion,
        )
    )
    deadlines = {s.id: s.deadline for s in saisines}
    grouped: dict[int, list] = {s.id: [] for s in saisines}
    for saisine_id, was_opened, tacit, status, opinion, count, people in rows:
        target_status = saisine_rules.target_status(
            opened=bool(was_opened),
            response_status=status,
            deadline_passed=now >= deadlines[saisine_id],
            tacit=tacit is not None,
        )
        given = opinion if status == ResponseStatus.SUBMITTED else tacit
        grouped[saisine_id].append((target_status, given, count, int(people or 0)))
    return {
        saisine_id: saisine_rules.tally_groups(groups) for saisine_id, groups in grouped.items()
    }


# --- bodies' published opinions ----------------------------------------------------------------


def meetings_query(org: Organisation, viewer: User | None) -> Select:
    """Meetings whose minutes are published: public ones, or all of them for the admins."""
    query = (
        select(Meeting)
        .join(Body, Body.id == Meeting.body_id)
        .where(Body.organisation_id == org.id, Meeting.status == MeetingStatus.MINUTES_PUBLISHED)
        .options(contains_eager(Meeting.body), selectinload(Meeting.items))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    if not can(viewer, "bodies.manage"):
        query = query.where(Meeting.minutes_public.is_(True))
    return query


def meeting_visible(org: Organisation, viewer: User | None, meeting_id: int) -> Meeting | None:
    meeting = db.session.scalar(
        select(Meeting)
        .join(Body, Body.id == Meeting.body_id)
        .where(
            Body.organisation_id == org.id,
            Meeting.id == meeting_id,
            Meeting.status == MeetingStatus.MINUTES_PUBLISHED,
        )
        .options(contains_eager(Meeting.body), selectinload(Meeting.items))
    )
    if meeting is None:
        return None
    if meeting.minutes_public or can(viewer, "meeting.minutes_public", meeting):
        return meeting
    return None


def vote_counts(meetings: list[Meeting]) -> dict[int, dict[str, int]]:
    """Item id -> choice -> weighted count of the votes cast, in one query."""
    item_ids = [item.id for meeting in meetings for item in meeting.items]
    if not item_ids:
        return {}
    rows = db.session.execute(
        select(Vote.item_id, Vote.choice, func.sum(BodyMember.weight))
        .join(BodyMember, BodyMember.id == Vote.member_id)
        .where(Vote.item_id.in_(item_ids))
        .group_by(Vote.item_id, Vote.choice)
    )
    counts: dict[int, dict[str, int]] = {}
    for item_id, choice, total in rows:
        counts.setdefault(item_id, {})[str(choice)] = int(total or 0)
    return counts


def item_opinions(meeting: Meeting) -> list[AgendaItem]:
    return sorted(meeting.items, key=lambda item: (item.position, item.id))


# --- citizen consultations ---------------------------------------------------------------------


def consultations_query(org: Organisation, viewer: User | None) -> Select:
    query = (
        select(PublicConsultation)
        .where(PublicConsultation.organisation_id == org.id)
        .options(selectinload(PublicConsultation.themes), selectinload(PublicConsultation.communes))
        .order_by(PublicConsultation.contributions_start_at.desc(), PublicConsultation.id.desc())
    )
    if not can(viewer, "consultations.manage"):
        query = query.where(PublicConsultation.published.is_(True))
    return query


def consultation_visible(
    org: Organisation, viewer: User | None, consultation_id: int
) -> PublicConsultation | None:
    return db.session.scalar(
        consultations_query(org, viewer)
        .where(PublicConsultation.id == consultation_id)
        .order_by(None)
    )


def proposal_counts(consultations: list[PublicConsultation]) -> dict[int, int]:
    if not consultations:
        return {}
    rows = db.session.execute(
        select(Proposal.consultation_id, func.count(Proposal.id))
        .where(
            Proposal.consultation_id.in_([c.id for c in consultations]),
            Proposal.status == ContentStatus.PUBLISHED,
        )
        .group_by(Proposal.consultation_id)
    )
    return {consultation_id: n for consultation_id, n in rows}


def proposals_query(consultation: PublicConsultation) -> Select:
    """Published proposals only, whoever asks: hidden and pending ones stay with moderation."""
    return (
        select(Proposal)
        .where(
            Proposal.consultation_id == consultation.id,
            Proposal.status == ContentStatus.PUBLISHED,
        )
        .options(defaultload(Proposal.author).lazyload(User.memberships))
        .order_by(Proposal.created_at, Proposal.id)
    )


def comment_counts(proposals: list[Proposal]) -> dict[int, int]:
    if not proposals:
        return {}
    rows = db.session.execute(
        select(Comment.proposal_id, func.count(Comment.id))
        .where(
            Comment.proposal_id.in_([p.id for p in proposals]),
            Comment.status == ContentStatus.PUBLISHED,
        )
        .group_by(Comment.proposal_id)
    )
    return {proposal_id: n for proposal_id, n in rows}


# --- AMI ---------------------------------------------------------------------------------------


def calls_query(org: Organisation, viewer: User | None) -> Select:
    query = (
        select(AmiCall)
        .where(AmiCall.organisation_id == org.id)
        .order_by(AmiCall.year.desc(), AmiCall.id.desc())
    )
    if not can(viewer, "ami.manage", org_scope(org)):
        query = query.where(AmiCall.published_at.is_not(None))
    return query


def call_visible(org: Organisation, viewer: User | None, call_id: int) -> AmiCall | None:
    return db.session.scalar(calls_query(org, viewer).where(AmiCall.id == call_id).order_by(None))


def funded_query(org: Organisation, call: AmiCall | None = None) -> Select:
    """Funded applications whose decision was notified, of published calls: public data."""
    query = (
        select(Application)
        .join(Decision, Decision.application_id == Application.id)
        .join(AmiCall, AmiCall.id == Application.call_id)
        .where(
            AmiCall.organisation_id == org.id,
            AmiCall.published_at.is_not(None),
            Decision.outcome == Outcome.FUNDED,
            Decision.notified_at.is_not(None),
        )
        .options(contains_eager(Application.decision), selectinload(Application.partners))
        .order_by(AmiCall.year.desc(), Application.number, Application.id)
    )
    if call is not None:
        query = query.where(Application.call_id == call.id)
    return query


def funded_totals(calls: list[AmiCall]) -> dict[int, tuple[int, int]]:
    """Call id -> (funded projects, cents granted), notified decisions only."""
    if not calls:
        return {}
    rows = db.session.execute(
        select(Application.call_id, func.count(Decision.id), func.sum(Decision.granted_cents))
        .join(Decision, Decision.application_id == Application.id)
        .where(
            Application.call_id.in_([c.id for c in calls]),
            Decision.outcome == Outcome.FUNDED,
            Decision.notified_at.is_not(None),
        )
        .group_by(Application.call_id)
    )
    return {call_id: (n, int(total or 0)) for call_id, n, total in rows}


class _OrgScope:
    """An object carrying only an organisation id, for rules that check it."""

    def __init__(self, organisation_id: int):
        self.organisation_id = organisation_id


def org_scope(org: Organisation) -> _OrgScope:
    return _OrgScope(org.id)


# --- dossiers (the decision path) --------------------------------------------------------------


def dossiers_query(org: Organisation, viewer: User | None, stage: str | None = None) -> Select:
    """Public dossiers, or every dossier for the organisation's admins; the decision path's
    own queries, with the leading vice-president loaded for the page in one query."""
    from decisions import queries as decision_queries
    from decisions.models import DecisionStage, Dossier

    filters = decision_queries.Filters(stage=DecisionStage(stage) if stage else None)
    if can(viewer, "decisions.manage"):
        query = decision_queries.admin_query(org, filters)
    else:
        query = decision_queries.public_query(org, filters)
    return query.options(selectinload(Dossier.lead_user))


def dossier_visible(org: Organisation, viewer: User | None, dossier_id: int):
    from decisions.models import Dossier

    return db.session.scalar(
        dossiers_query(org, viewer).where(Dossier.id == dossier_id).order_by(None)
    )


def dossier_timeline(dossier, viewer: User | None) -> list[dict]:
    from decisions import queries as decision_queries

    public = not can(viewer, "decisions.manage", dossier)
    return [item.as_dict(public=public) for item in decision_queries.timeline(dossier)]


def dossier_summary(dossier) -> dict:
    from decisions import queries as decision_queries

    return decision_queries.summarise(dossier).as_dict()


def dossier_stages() -> list[str]:
    from decisions.models import DecisionStage

    return [stage.value for stage in DecisionStage]


# --- the conseil de développement's transmitted contributions ---------------------------------


def council_query(org: Organisation) -> Select:
    """Contributions transmitted to the EPCI, with their follow-up: public for everyone."""
    from participation.council import queries as council_queries

    return council_queries.public_query(org)


def council_contribution(org: Organisation, contribution_id: int):
    from participation.council import queries as council_queries

    return council_queries.public_contribution(org, contribution_id)
