"""Reads of citizen consultations; the only place that filters them by organisation.

Shared by the EPCI's pages and the public pages. These names are an interface: keep them.

- consultation_by_slug(org, slug, *, published_only=False) -> PublicConsultation | None
- consultation_in(org, consultation_id) -> PublicConsultation | None
- consultations_of(org, *, published_only=False) -> list[PublicConsultation]
      newest first (by start of contributions)
- proposal_in(consultation, proposal_id, *, include_hidden=False) -> Proposal | None
      include_hidden=False: published proposals only
- theme_in(consultation, theme_id) -> ConsultationTheme | None
- commune_in(consultation, commune_id) -> Commune | None   (a commune the consultation concerns)
- filters_from(args) -> ProposalFilters
      reads ?theme=&commune=&sort=newest|supported&q=&page=&cursor= from request.args,
      never fails
- proposals_page(consultation, *, theme_id=None, commune_id=None, sort="newest", search="",
                 page=1, cursor="", per_page=20, include_hidden=False, status=None,
                 feedback=None)
      -> ProposalPage (app.web.pagination.Page: .items, .total, .page, .pages, .has_next...,
         plus .comments: {proposal id: number of comments}, .next_cursor, .prev_cursor,
         .last_cursor, .numbered (False on a page reached by cursor), .bad_cursor)
      Published proposals only unless include_hidden (then every status, or `status`).
      A page number is read with OFFSET (fine for the first pages); a cursor (from
      .next_cursor / .prev_cursor / .last_cursor, signed, tied to the consultation and the
      sort) seeks its page in the sort's index, as fast on the 500th page as on the first.
      A malformed or forged cursor gives the first page with .bad_cursor set.
      Three queries at most, whatever the number of proposals (items, total, comment counts);
      the items carry their author, theme and commune (joined).
      `search` is full text (participation.citizen.search): FTS5 on SQLite, French stemming
      on PostgreSQL.
- comment_counts(proposal_ids, *, include_hidden=False) -> dict[int, int]
- synthesis_of(consultation, *, top=10) -> Synthesis   counts of published contributions
      by theme and commune, the most supported proposals, supports, comments, answers
- status_counts(consultation) -> dict[ContentStatus, int]
- has_answers(consultation) -> bool    someone answered the questionnaire
- admin_rows(org) -> list[ConsultationRow]   consultations with their numbers of proposals
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import defaultload

from app.db import db
from app.organisations.models import Commune, Organisation
from app.users.models import User
from app.web import keyset, sort_key
from app.web.pagination import Page
from participation.citizen import search as fulltext
from participation.citizen.models import (
    Comment,
    ConsultationTheme,
    ContentStatus,
    Proposal,
    PublicConsultation,
    QuestionnaireAnswer,
    consultation_commune,
)

SORTS = ("newest", "supported")
#: each sort's keys, the id last (unique); indexed with the consultation and the status
SORT_KEYS = {
    "newest": (
        keyset.Key(Proposal.created_at, descending=True),
        keyset.Key(Proposal.id, descending=True),
    ),
    "supported": (
        keyset.Key(Proposal.support_count, descending=True),
        keyset.Key(Proposal.id, descending=True),
    ),
}
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
#: feedback_status values (retained, partly, not_retained) and "none" (no feedback yet)
FEEDBACK_FILTERS = ("retained", "partly", "not_retained", "none")


# --- consultations ---------------------------------------------------------------------------


def consultation_in(org: Organisation, consultation_id: int) -> PublicConsultation | None:
    return db.session.scalar(
        select(PublicConsultation).where(
            PublicConsultation.organisation_id == org.id,
            PublicConsultation.id == consultation_id,
        )
    )


def consultation_by_slug(
    org: Organisation, slug: str, *, published_only: bool = False
) -> PublicConsultation | None:
    query = select(PublicConsultation).where(
        PublicConsultation.organisation_id == org.id, PublicConsultation.slug == slug
    )
    if published_only:
        query = query.where(PublicConsultation.published.is_(True))
    return db.session.scalar(query)


def consultations_of(org: Organisation, *, published_only: bool = False) -> list:
    query = select(PublicConsultation).where(PublicConsultation.organisation_id == org.id)
    if published_only:
        query = query.where(PublicConsultation.published.is_(True))
    query = query.order_by(
        PublicConsultation.contributions_start_at.desc(), PublicConsultation.id.desc()
    )
    return list(db.session.scalars(query))


def slug_taken(org: Organisation, slug: str) -> bool:
    return (
        db.session.scalar(
            select(PublicConsultation.id).where(
                PublicConsultation.organisation_id == org.id, PublicConsultation.slug == slug
            )
        )
        is not None
    )


@dataclass
class ConsultationRow:
    consultation: PublicConsultation
    proposals: int
    pending: int


def admin_rows(org: Organisation) -> list[ConsultationRow]:
    """Every consultation of `org` with its number of proposals and of pending ones."""
    total = (
        select(func.count(Proposal.id))
        .where(Proposal.consultation_id == PublicConsultation.id)
        .scalar_subquery()
    )
    pending = (
        select(func.count(Proposal.id))
        .where(
            Proposal.consultation_id == PublicConsultation.id,
            Proposal.status == ContentStatus.PENDING,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(PublicConsultation, total, pending)
        .where(PublicConsultation.organisation_id == org.id)
        .order_by(PublicConsultation.contributions_start_at.desc(), PublicConsultation.id.desc())
    )
    return [ConsultationRow(c, n or 0, p or 0) for c, n, p in rows]


def theme_in(consultation: PublicConsultation, theme_id: int | None) -> ConsultationTheme | None:
    if theme_id is None:
        return None
    return next((t for t in consultation.themes if t.id == theme_id), None)


def commune_in(consultation: PublicConsultation, commune_id: int | None) -> Commune | None:
    if commune_id is None:
        return None
    return db.session.scalar(
        select(Commune)
        .join(consultation_commune, consultation_commune.c.commune_id == Commune.id)
        .where(consultation_commune.c.consultation_id == consultation.id, Commune.id == commune_id)
    )


def has_answers(consultation: PublicConsultation) -> bool:
    return (
        db.session.scalar(
            select(QuestionnaireAnswer.id)
            .where(QuestionnaireAnswer.consultation_id == consultation.id)
            .limit(1)
        )
        is not None
    )


# --- proposals -------------------------------------------------------------------------------


def proposal_in(
    consultation: PublicConsultation, proposal_id: int, *, include_hidden: bool = False
) -> Proposal | None:
    query = select(Proposal).where(
        Proposal.consultation_id == consultation.id, Proposal.id == proposal_id
    )
    if not include_hidden:
        query = query.where(Proposal.status == ContentStatus.PUBLISHED)
    return db.session.scalar(query)


@dataclass
class ProposalFilters:
    theme_id: int | None = None
    commune_id: int | None = None
    sort: str = "newest"
    search: str = ""
    page: int = 1
    #: a cursor from a previous page (checked by proposals_page)
    cursor: str = ""

    def as_kwargs(self) -> dict:
        """The keyword arguments of proposals_page."""
        return {
            "theme_id": self.theme_id,
            "commune_id": self.commune_id,
            "sort": self.sort,
            "search": self.search,
            "page": self.page,
            "cursor": self.cursor,
        }

    def as_args(self) -> dict:
        """The query-string arguments that give these filters back (page and cursor aside)."""
        args = {"theme": self.theme_id, "commune": self.commune_id, "q": self.search}
        args = {k: v for k, v in args.items() if v not in (None, "")}
        if self.sort != "newest":
            args["sort"] = self.sort
        return args


def _positive_int(value) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def filters_from(args) -> ProposalFilters:
    """The list's filters read from the query string; wrong values are ignored."""
    sort = args.get("sort", "newest")
    return ProposalFilters(
        theme_id=_positive_int(args.get("theme")),
        commune_id=_positive_int(args.get("commune")),
        sort=sort if sort in SORTS else "newest",
        search=(args.get("q") or "").strip()[:200],
        page=min(_positive_int(args.get("page")) or 1, 100_000),
        cursor=(args.get("cursor") or "").strip()[: keyset.MAX_LENGTH + 1],
    )


@dataclass
class ProposalPage(Page):
    #: proposal id -> number of comments (published ones, unless hidden ones were asked for)
    comments: dict[int, int] = field(default_factory=dict)
    #: cursors of the next and previous pages (None: there is none), and of the last page
    next_cursor: str | None = None
    prev_cursor: str | None = None
    last_cursor: str | None = None
    #: False on a page reached by cursor: its number is not known (counting the rows before
    #: it would cost what OFFSET does)
    numbered: bool = True
    #: the cursor asked for was malformed, forged or made for another list: first page shown
    bad_cursor: bool = False
    #: the previous page is the first one (its link needs no cursor)
    prev_is_first: bool = False

    @property
    def has_prev(self) -> bool:
        return self.prev_cursor is not None or self.prev_is_first

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _scope(consultation: PublicConsultation, sort: str, include_hidden: bool) -> str:
    return f"proposals:{consultation.id}:{sort}:{'all' if include_hidden else 'public'}"


def _proposals_query(
    consultation: PublicConsultation,
    *,
    theme_id: int | None,
    commune_id: int | None,
    search: str,
    include_hidden: bool,
    status: ContentStatus | str | None,
    feedback: str | None,
) -> Select:
    query = select(Proposal).where(Proposal.consultation_id == consultation.id)
    if not include_hidden:
        query = query.where(Proposal.status == ContentStatus.PUBLISHED)
    elif status:
        query = query.where(Proposal.status == ContentStatus(status))
    if theme_id is not None:
        query = query.where(Proposal.theme_id == theme_id)
    if commune_id is not None:
        query = query.where(Proposal.commune_id == commune_id)
    if feedback == "none":
        query = query.where(Proposal.feedback_status.is_(None))
    elif feedback in FEEDBACK_FILTERS:
        query = query.where(Proposal.feedback_status == feedback)
    clause = fulltext.matches(search) if search else None
    if clause is not None:
        query = query.where(clause)
    return query


def proposals_page(
    consultation: PublicConsultation,
    *,
    theme_id: int | None = None,
    commune_id: int | None = None,
    sort: str = "newest",
    search: str = "",
    page: int = 1,
    cursor: str = "",
    per_page: int = DEFAULT_PER_PAGE,
    include_hidden: bool = False,
    status: ContentStatus | str | None = None,
    feedback: str | None = None,
) -> ProposalPage:
    """One page of the consultation's proposals, filtered, searched and sorted."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    sort = sort if sort in SORT_KEYS else "newest"
    keys, scope = SORT_KEYS[sort], _scope(consultation, sort, include_hidden)
    query = _proposals_query(
        consultation,
        theme_id=theme_id,
        commune_id=commune_id,
        search=search,
        include_hidden=include_hidden,
        status=status,
        feedback=feedback,
    )
    # count(*), not count(id): PostgreSQL then counts in the list's index alone (index-only
    # scan, 12 ms for 50,000 proposals instead of 100 to 200 ms reading the table)
    total = db.session.scalar(query.with_only_columns(func.count()).select_from(Proposal)) or 0
    # the authors' roles are not needed to show a list: loaded only if asked for
    query = query.options(defaultload(Proposal.author).lazyload(User.memberships))
    seek = keyset.decode(scope, keys, cursor) if cursor else None
    result = ProposalPage([], page, per_page, total, bad_cursor=bool(cursor) and seek is None)
    if seek is not None:
        window = keyset.fetch(query, keys, seek, per_page) if total else None
        result.numbered, result.page = False, 0
    elif total and (page - 1) * per_page < total:
        window = keyset.fetch(query.offset((page - 1) * per_page), keys, None, per_page)
        window.more_before = page > 1
        result.prev_is_first = page == 2
    else:
        window = None
    if window is not None and window.items:
        result.items = window.items
        if window.more_after:
            result.next_cursor = keyset.encode(scope, keys, window.items[-1])
        if window.more_before and not result.prev_is_first:
            result.prev_cursor = keyset.encode(scope, keys, window.items[0], backwards=True)
    if total > per_page:
        result.last_cursor = keyset.encode_end(scope)
    result.comments = comment_counts([p.id for p in result.items], include_hidden=include_hidden)
    return result


def comment_counts(proposal_ids: list[int], *, include_hidden: bool = False) -> dict[int, int]:
    if not proposal_ids:
        return {}
    query = (
        select(Comment.proposal_id, func.count(Comment.id))
        .where(Comment.proposal_id.in_(proposal_ids))
        .group_by(Comment.proposal_id)
    )
    if not include_hidden:
        query = query.where(Comment.status == ContentStatus.PUBLISHED)
    return dict(db.session.execute(query).all())


def status_counts(consultation: PublicConsultation) -> dict[ContentStatus, int]:
    rows = db.session.execute(
        select(Proposal.status, func.count(Proposal.id))
        .where(Proposal.consultation_id == consultation.id)
        .group_by(Proposal.status)
    )
    counts = {status: 0 for status in ContentStatus}
    counts.update({ContentStatus(s): n for s, n in rows})
    return counts


# --- synthesis -------------------------------------------------------------------------------


@dataclass
class CountRow:
    """Published proposals of one theme or commune (None: without one)."""

    label: str | None
    proposals: int
    supports: int


@dataclass
class Synthesis:
    proposals: int = 0
    supports: int = 0
    comments: int = 0
    contributors: int = 0
    answers: int = 0
    by_theme: list[CountRow] = field(default_factory=list)
    by_commune: list[CountRow] = field(default_factory=list)
    most_supported: list[Proposal] = field(default_factory=list)
    feedback: dict[str | None, int] = field(default_factory=dict)


def _published(consultation: PublicConsultation):
    return (
        Proposal.consultation_id == consultation.id,
        Proposal.status == ContentStatus.PUBLISHED,
    )


def _grouped(consultation: PublicConsultation, column, label_column) -> list[CountRow]:
    table = label_column.table
    rows = db.session.execute(
        select(
            label_column,
            func.count(Proposal.id),
            func.coalesce(func.sum(Proposal.support_count), 0),
        )
        .select_from(Proposal)
        .outerjoin(table, column == table.c.id)
        .where(*_published(consultation))
        .group_by(column, label_column)
    )
    result = [CountRow(label, n, int(s or 0)) for label, n, s in rows]
    # the most contributions first, then by name; "without" last
    return sorted(result, key=lambda r: (r.label is None, -r.proposals, sort_key(r.label or "")))


def synthesis_of(consultation: PublicConsultation, *, top: int = 10) -> Synthesis:
    """Numbers of the published contributions, for the synthesis (seven queries)."""
    proposals, supports, contributors = db.session.execute(
        select(
            func.count(Proposal.id),
            func.coalesce(func.sum(Proposal.support_count), 0),
            func.count(func.distinct(Proposal.author_id)),
        ).where(*_published(consultation))
    ).one()
    comments = db.session.scalar(
        select(func.count(Comment.id))
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(*_published(consultation), Comment.status == ContentStatus.PUBLISHED)
    )
    answers = db.session.scalar(
        select(func.count(QuestionnaireAnswer.id)).where(
            QuestionnaireAnswer.consultation_id == consultation.id
        )
    )
    feedback = dict(
        db.session.execute(
            select(Proposal.feedback_status, func.count(Proposal.id))
            .where(*_published(consultation))
            .group_by(Proposal.feedback_status)
        ).all()
    )
    most = list(
        db.session.scalars(
            select(Proposal)
            .where(*_published(consultation), Proposal.support_count > 0)
            .order_by(Proposal.support_count.desc(), Proposal.id.desc())
            .limit(top)
        )
    )
    return Synthesis(
        proposals=proposals,
        supports=int(supports or 0),
        comments=comments or 0,
        contributors=contributors,
        answers=answers or 0,
        by_theme=_grouped(consultation, Proposal.theme_id, ConsultationTheme.__table__.c.name),
        by_commune=_grouped(consultation, Proposal.commune_id, Commune.__table__.c.name),
        most_supported=most,
        feedback=feedback,
    )
