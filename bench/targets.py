"""The pages to measure, found in the generated data (read once, before gunicorn starts)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ami.models import AmiCall, Application, ApplicationStatus
from app.db import db
from app.organisations.models import Commune, Organisation
from app.users.models import Membership, Role, User
from consultations.bodies.models import Meeting, MeetingStatus
from consultations.saisines.models import Saisine, SaisineResponse, SaisineTarget
from participation.citizen.models import Proposal, PublicConsultation

#: the deep pages: the proposals at the 500th page of the public list (20 a page) and at the
#: 200th of the API's (50 a page), reached as a visitor or a harvester does, by cursor
PUBLIC_DEEP_PAGE, PUBLIC_PER_PAGE = 500, 20
API_DEEP_PAGE, API_PER_PAGE = 200, 50


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    #: e-mail of the account to sign in with, None for an anonymous visit
    login: str | None = None
    #: a download measured for its first byte and the worker's peak memory
    export: bool = False
    #: measured only when the route exists (the API)
    optional: bool = False


def _largest_organisation() -> Organisation:
    counts = (
        sa.select(Commune.organisation_id, sa.func.count(Commune.id).label("n"))
        .group_by(Commune.organisation_id)
        .subquery()
    )
    org = db.session.scalar(
        sa.select(Organisation)
        .join(counts, counts.c.organisation_id == Organisation.id)
        .order_by(counts.c.n.desc(), Organisation.id)
        .limit(1)
    )
    if org is None:
        raise LookupError("no organisation: run `flask bench generate` first")
    return org


def _deep_page_cursors(consultation_id: int) -> tuple[str, str]:
    """The cursors of the public list's 500th page and of the API's 200th: those the "next"
    links of the pages before them carry (the cursor after their last row), read once here
    with OFFSET instead of following 499 links. Lists shorter than that give their last
    page's cursor."""
    from app.web import keyset
    from opendata import queries as api_queries
    from opendata.routes.api import PROPOSAL_KEYS, list_scope
    from participation.citizen import queries

    consultation = db.session.get(PublicConsultation, consultation_id)
    total = queries.proposals_page(consultation, per_page=1).total
    before = min(PUBLIC_DEEP_PAGE - 1, max(1, -(-total // PUBLIC_PER_PAGE) - 1))
    public = queries.proposals_page(consultation, page=before, per_page=PUBLIC_PER_PAGE)
    public_cursor = public.next_cursor or public.last_cursor or ""
    scope = list_scope("opendata.proposals", consultation_id=consultation_id)
    position = min((API_DEEP_PAGE - 1) * API_PER_PAGE, max(total - API_PER_PAGE, 1)) - 1
    row = db.session.scalar(
        api_queries.proposals_query(consultation).offset(max(position, 0)).limit(1)
    )
    api_cursor = keyset.encode(scope, PROPOSAL_KEYS, row) if row else keyset.encode_end(scope)
    return public_cursor, api_cursor or keyset.encode_end(scope)


def find_pages(slug: str | None = None) -> tuple[str, list[Page]]:
    """The organisation's slug and the pages to measure in it."""
    org = (
        db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
        if slug
        else _largest_organisation()
    )
    if org is None:
        raise LookupError(f"no organisation {slug}")
    saisine_count = sa.func.count(SaisineTarget.id)
    commune = db.session.execute(
        sa.select(Commune.id, Commune.insee_code)
        .join(SaisineTarget, SaisineTarget.commune_id == Commune.id)
        .where(Commune.organisation_id == org.id)
        .group_by(Commune.id, Commune.insee_code)
        .order_by(saisine_count.desc(), Commune.id)
        .limit(1)
    ).one()
    mayor = db.session.scalar(
        sa.select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.MAYOR, Membership.commune_id == commune.id)
    )
    saisine = db.session.scalar(
        sa.select(Saisine.id)
        .join(SaisineResponse, SaisineResponse.saisine_id == Saisine.id)
        .where(Saisine.organisation_id == org.id)
        .group_by(Saisine.id)
        .order_by(sa.func.count(SaisineResponse.id).desc(), Saisine.id.desc())
        .limit(1)
    )
    meeting = db.session.scalar(
        sa.select(Meeting.id)
        .where(Meeting.status == MeetingStatus.MINUTES_PUBLISHED)
        .where(Meeting.body.has(organisation_id=org.id))
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    consultation = db.session.execute(
        sa.select(PublicConsultation.id, PublicConsultation.slug)
        .join(Proposal, Proposal.consultation_id == PublicConsultation.id)
        .where(PublicConsultation.organisation_id == org.id)
        .group_by(PublicConsultation.id, PublicConsultation.slug)
        .order_by(sa.func.count(Proposal.id).desc())
        .limit(1)
    ).one()
    call = db.session.scalar(
        sa.select(AmiCall.id)
        .join(Application, Application.call_id == AmiCall.id)
        .where(AmiCall.organisation_id == org.id, Application.status == ApplicationStatus.ELIGIBLE)
        .group_by(AmiCall.id)
        .order_by(sa.func.count(Application.id).desc(), AmiCall.id.desc())
        .limit(1)
    )
    association = db.session.execute(
        sa.select(Membership.association_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.role == Role.ASSOCIATION_MEMBER, User.organisation_id == org.id)
        .order_by(Membership.association_id)
        .limit(1)
    ).one()
    admin = "admin@concerto-bench.fr"
    slug_c, cid = consultation.slug, consultation.id
    public_cursor, api_cursor = _deep_page_cursors(cid)
    pages = [
        Page("commune_inbox", "/concertation/communes/", mayor),
        Page("saisine_dashboard", f"/concertation/saisines/{saisine}", admin),
        Page("meeting_votes", f"/instances/seances/{meeting}", admin),
        Page("consultation_list", f"/consultations/{slug_c}"),
        Page("consultation_search", f"/consultations/{slug_c}?q=jardin+rivi%C3%A8re"),
        Page("consultation_supported", f"/consultations/{slug_c}?sort=supported"),
        Page("consultation_deep_page", f"/consultations/{slug_c}?cursor={public_cursor}"),
        Page("jury_ranking", f"/ami/gestion/appels/{call}/deliberation", admin),
        Page(
            "directory_suggestions",
            f"/ami/reseau/{association.association_id}/suggestions",
            association.email,
        ),
        Page("api_saisines", "/api/v1/saisines", optional=True),
        Page("api_proposals", f"/api/v1/consultations/{cid}/proposals", optional=True),
        Page(
            "api_proposals_deep",
            f"/api/v1/consultations/{cid}/proposals?cursor={api_cursor}",
            optional=True,
        ),
        Page("export_csv", f"/admin/consultations/{cid}/propositions.csv", admin, export=True),
    ]
    return org.slug, pages
