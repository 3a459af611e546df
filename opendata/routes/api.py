"""The read-only JSON API under /api/v1: public data, or more with a personal token."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, g, request
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from app.db import db, utcnow
from app.extensions import limiter
from app.i18n import _
from app.web import keyset
from consultations.bodies.models import Meeting
from consultations.saisines.models import Saisine
from opendata import queries, rules, serialize
from opendata.routes.common import (
    Cursors,
    authenticate,
    commit_token_use,
    json_error,
    listing,
    paging,
    single,
    viewer,
)
from participation.citizen.models import Proposal, PublicConsultation
from participation.council.models import Contribution

bp = Blueprint("opendata", __name__, url_prefix="/api/v1")

#: identifiers are 32-bit in the database: a larger one cannot exist
MAX_ID = 2**31 - 1


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _api_key() -> str:
    """One budget per address, token or not: a key chosen by the caller (such as the token
    it sends) would let anyone try tokens without limit by changing it each time."""
    return "api:" + (request.remote_addr or "unknown")


limiter.limit(_api_limit, key_func=_api_key)(bp)
bp.before_request(authenticate)
bp.after_request(commit_token_use)


@bp.errorhandler(rules.QueryParameterError)
def bad_parameter(exc: rules.QueryParameterError):
    """A page number, a size, a cursor or a choice the API refuses: a 400 naming it."""
    return json_error(400, "invalid_parameter", exc.message(), parameter=exc.name)


def http_error(exc: HTTPException):
    messages = {
        400: ("bad_request", _("La requête n'a pas pu être comprise.")),
        401: ("unauthorized", _("Authentification requise.")),
        403: ("forbidden", _("Vous n'avez pas accès à cette ressource.")),
        404: ("not_found", _("Cette ressource n'existe pas ou n'est pas publique.")),
        405: ("method_not_allowed", _("L'API est en lecture seule : utilisez GET.")),
        413: ("too_large", _("La requête est trop volumineuse.")),
        429: ("rate_limited", _("Trop de requêtes en peu de temps. Patientez un peu.")),
    }
    code, message = messages.get(exc.code or 500, ("error", _("Requête refusée.")))
    return json_error(exc.code or 500, code, message)


# by code: the application's HTML pages are registered by code, and win over a class
for _code in (400, 401, 403, 404, 405, 413, 429):
    bp.register_error_handler(_code, http_error)


@bp.record_once
def _json_routing_errors(state) -> None:
    """A URL under /api/v1 that no route matches (an identifier too large for the database,
    a wrong method) is answered in JSON too; elsewhere the application's page stays."""
    app = state.app
    for exc_class in (NotFound, MethodNotAllowed):
        previous = app.error_handler_spec[None][exc_class.code].get(exc_class)

        def handler(exc, previous=previous):
            if request.path.startswith(bp.url_prefix + "/") or previous is None:
                return http_error(exc)
            return previous(exc)

        app.register_error_handler(exc_class, handler)


@bp.errorhandler(Exception)
def server_error(exc: Exception):
    db.session.rollback()
    current_app.logger.exception("API error on %s", request.path)
    return json_error(500, "server_error", _("Erreur inattendue du serveur."))


def found(obj):
    if obj is None:
        abort(404)
    return obj


def checked_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        abort(404)
    return value


# --- lists ------------------------------------------------------------------------------------


def list_scope(endpoint: str, **values) -> str:
    """What a list's cursors are signed for: the endpoint and its path's values."""
    return ":".join(["api", endpoint, *(str(v) for v in values.values())])


def paged(
    endpoint: str,
    query: Select,
    serialise: Callable[[list], list[dict]],
    keys: tuple[keyset.Key, ...] | None = None,
    **values,
):
    """One page of `query` in the list envelope; `serialise(items)` gives the page's data
    (with the batch reads it needs). A list with `keys` (its order, the id last) is also read
    by cursor: its next link carries one, and a far page then costs what the first does."""
    page = paging()
    total = queries.count(query)
    if keys is None:
        items = queries.page_of(query, page.per_page, page.offset)
        return listing(endpoint, serialise(items), total, page, **values)
    scope = list_scope(endpoint, **values)
    cursor = keyset.decode(scope, keys, page.cursor) if page.cursor else None
    if page.cursor and cursor is None:
        raise rules.CursorError()
    if cursor is None:
        window = keyset.fetch(query.offset(page.offset), keys, None, page.per_page)
        window.more_before = False  # the previous page goes by number
    else:
        window = keyset.fetch(query, keys, cursor, page.per_page)
    cursors = Cursors(sought=cursor is not None)
    if window.items and window.more_after:
        cursors.next = keyset.encode(scope, keys, window.items[-1])
    if window.items and window.more_before:
        cursors.prev = keyset.encode(scope, keys, window.items[0], backwards=True)
    if cursor is not None and total > page.per_page:
        cursors.last = keyset.encode_end(scope)
    return listing(endpoint, serialise(window.items), total, page, cursors, **values)


def _newest(column) -> tuple[keyset.Key, ...]:
    """The keys of a list by `column` descending, then id descending."""
    return (
        keyset.Key(column, descending=True),
        keyset.Key(column.class_.id, descending=True),
    )


# --- organisation and communes -----------------------------------------------------------------


@bp.get("/organisation")
def organisation():
    org = g.organisation
    return single(serialize.organisation(org, queries.count(queries.communes_query(org))))


@bp.get("/communes")
def communes():
    return paged(
        "opendata.communes",
        queries.communes_query(g.organisation),
        lambda items: [serialize.commune(c) for c in items],
    )


# --- saisines ----------------------------------------------------------------------------------


def _saisines(items: list) -> list[dict]:
    now = utcnow()
    tallies = queries.saisine_tallies(items, now)
    return [serialize.saisine(s, tallies.get(s.id), now) for s in items]


@bp.get("/saisines")
def saisines():
    query = queries.saisines_query(g.organisation, viewer())
    return paged("opendata.saisines", query, _saisines, _newest(Saisine.deadline))


@bp.get("/saisines/<int:saisine_id>")
def saisine(saisine_id: int):
    found_saisine = found(queries.saisine_visible(g.organisation, viewer(), checked_id(saisine_id)))
    return single(_saisines([found_saisine])[0])


# --- bodies' published opinions ----------------------------------------------------------------


def _meetings(items: list) -> list[dict]:
    counts = queries.vote_counts(items)
    return [serialize.meeting(m, counts) for m in items]


@bp.get("/meetings")
def meetings():
    query = queries.meetings_query(g.organisation, viewer())
    return paged("opendata.meetings", query, _meetings, _newest(Meeting.starts_at))


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    found_meeting = found(queries.meeting_visible(g.organisation, viewer(), checked_id(meeting_id)))
    return single(_meetings([found_meeting])[0])


# --- the conseil de développement ------------------------------------------------------------


@bp.get("/council/contributions")
def council_contributions():
    return paged(
        "opendata.council_contributions",
        queries.council_query(g.organisation),
        lambda items: [serialize.council_contribution(c) for c in items],
        _newest(Contribution.transmitted_at),
    )


@bp.get("/council/contributions/<int:contribution_id>")
def council_contribution(contribution_id: int):
    contribution = found(queries.council_contribution(g.organisation, checked_id(contribution_id)))
    return single(serialize.council_contribution(contribution))


# --- citizen consultations ---------------------------------------------------------------------


def _consultations(items: list) -> list[dict]:
    now = utcnow()
    counts = queries.proposal_counts(items)
    return [serialize.consultation(c, counts.get(c.id, 0), now) for c in items]


@bp.get("/consultations")
def consultations():
    query = queries.consultations_query(g.organisation, viewer())
    keys = _newest(PublicConsultation.contributions_start_at)
    return paged("opendata.consultations", query, _consultations, keys)


@bp.get("/consultations/<int:consultation_id>")
def consultation(consultation_id: int):
    found_consultation = found(
        queries.consultation_visible(g.organisation, viewer(), checked_id(consultation_id))
    )
    return single(_consultations([found_consultation])[0])


#: the API lists proposals oldest first (a stable order for harvesters)
PROPOSAL_KEYS = (keyset.Key(Proposal.created_at), keyset.Key(Proposal.id))


def _proposals(items: list) -> list[dict]:
    comments = queries.comment_counts(items)
    return [serialize.proposal(p, comments.get(p.id, 0)) for p in items]


@bp.get("/consultations/<int:consultation_id>/proposals")
def proposals(consultation_id: int):
    paging()  # a wrong page or size is a 400 even for an unknown consultation
    found_consultation = found(
        queries.consultation_visible(g.organisation, viewer(), checked_id(consultation_id))
    )
    return paged(
        "opendata.proposals",
        queries.proposals_query(found_consultation),
        _proposals,
        PROPOSAL_KEYS,
        consultation_id=found_consultation.id,
    )


# --- AMI ---------------------------------------------------------------------------------------


def _calls(items: list) -> list[dict]:
    totals = queries.funded_totals(items)
    return [serialize.call(c, totals.get(c.id)) for c in items]


def _projects(items: list) -> list[dict]:
    return [serialize.funded_project(a) for a in items]


@bp.get("/ami/calls")
def calls():
    return paged("opendata.calls", queries.calls_query(g.organisation, viewer()), _calls)


@bp.get("/ami/calls/<int:call_id>")
def call(call_id: int):
    found_call = found(queries.call_visible(g.organisation, viewer(), checked_id(call_id)))
    return single(_calls([found_call])[0])


@bp.get("/ami/calls/<int:call_id>/projects")
def call_projects(call_id: int):
    paging()
    found_call = found(queries.call_visible(g.organisation, viewer(), checked_id(call_id)))
    query = queries.funded_query(g.organisation, found_call)
    return paged("opendata.call_projects", query, _projects, call_id=call_id)


@bp.get("/ami/projects")
def projects():
    return paged("opendata.projects", queries.funded_query(g.organisation), _projects)


# --- dossiers (the decision path) --------------------------------------------------------------


def _stage() -> str | None:
    stage = request.args.get("stage") or None
    if stage is not None and stage not in queries.dossier_stages():
        raise rules.ChoiceError("stage", queries.dossier_stages())
    return stage


@bp.get("/dossiers")
def dossiers():
    paging()
    stage = _stage()
    query = queries.dossiers_query(g.organisation, viewer(), stage)
    extra = {"stage": stage} if stage else {}
    return paged(
        "opendata.dossiers",
        query,
        lambda items: [serialize.dossier(queries.dossier_summary(d)) for d in items],
        **extra,
    )


@bp.get("/dossiers/<int:dossier_id>")
def dossier(dossier_id: int):
    found_dossier = found(queries.dossier_visible(g.organisation, viewer(), checked_id(dossier_id)))
    return single(
        serialize.dossier(
            queries.dossier_summary(found_dossier),
            queries.dossier_timeline(found_dossier, viewer()),
        )
    )


# --- anything else under /api/v1 ---------------------------------------------------------------


@bp.get("/<path:rest>")
def unknown(rest: str):
    abort(404)


from opendata.routes import docs, exports  # noqa: E402,F401
