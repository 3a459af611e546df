"""The read-only JSON API under /api/v1: public data, or more with a personal token."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from app.db import db, utcnow
from app.extensions import limiter
from app.i18n import _
from opendata import queries, rules, serialize
from opendata.routes.common import (
    authenticate,
    commit_token_use,
    json_error,
    listing,
    paging,
    single,
    viewer,
)

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


@bp.errorhandler(rules.ChoiceError)
def bad_choice(exc: rules.ChoiceError):
    return json_error(
        400,
        "invalid_parameter",
        _(
            "Le paramètre %(name)s doit valoir l'une de ces valeurs : %(choices)s.",
            name=exc.name,
            choices=", ".join(exc.choices),
        ),
        parameter=exc.name,
    )


@bp.errorhandler(rules.ParameterError)
def bad_parameter(exc: rules.ParameterError):
    return json_error(
        400,
        "invalid_parameter",
        _(
            "Le paramètre %(name)s doit être un nombre entier entre %(low)d et %(high)d.",
            name=exc.name,
            low=exc.low,
            high=exc.high,
        ),
        parameter=exc.name,
    )


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


# --- organisation and communes -----------------------------------------------------------------


@bp.get("/organisation")
def organisation():
    org = g.organisation
    return single(serialize.organisation(org, queries.count(queries.communes_query(org))))


@bp.get("/communes")
def communes():
    page = paging()
    query = queries.communes_query(g.organisation)
    items = queries.page_of(query, page.per_page, page.offset)
    return listing(
        "opendata.communes", [serialize.commune(c) for c in items], queries.count(query), page
    )


# --- saisines ----------------------------------------------------------------------------------


@bp.get("/saisines")
def saisines():
    page = paging()
    now = utcnow()
    query = queries.saisines_query(g.organisation, viewer())
    items = queries.page_of(query, page.per_page, page.offset)
    tallies = queries.saisine_tallies(items, now)
    data = [serialize.saisine(s, tallies.get(s.id), now) for s in items]
    return listing("opendata.saisines", data, queries.count(query), page)


@bp.get("/saisines/<int:saisine_id>")
def saisine(saisine_id: int):
    found_saisine = found(queries.saisine_visible(g.organisation, viewer(), checked_id(saisine_id)))
    now = utcnow()
    tallies = queries.saisine_tallies([found_saisine], now)
    return single(serialize.saisine(found_saisine, tallies.get(found_saisine.id), now))


# --- bodies' published opinions ----------------------------------------------------------------


@bp.get("/meetings")
def meetings():
    page = paging()
    query = queries.meetings_query(g.organisation, viewer())
    items = queries.page_of(query, page.per_page, page.offset)
    counts = queries.vote_counts(items)
    data = [serialize.meeting(m, counts) for m in items]
    return listing("opendata.meetings", data, queries.count(query), page)


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    found_meeting = found(queries.meeting_visible(g.organisation, viewer(), checked_id(meeting_id)))
    return single(serialize.meeting(found_meeting, queries.vote_counts([found_meeting])))


# --- the conseil de développement ------------------------------------------------------------


@bp.get("/council/contributions")
def council_contributions():
    page = paging()
    query = queries.council_query(g.organisation)
    items = queries.page_of(query, page.per_page, page.offset)
    data = [serialize.council_contribution(c) for c in items]
    return listing("opendata.council_contributions", data, queries.count(query), page)


@bp.get("/council/contributions/<int:contribution_id>")
def council_contribution(contribution_id: int):
    contribution = found(queries.council_contribution(g.organisation, checked_id(contribution_id)))
    return single(serialize.council_contribution(contribution))


# --- citizen consultations ---------------------------------------------------------------------


@bp.get("/consultations")
def consultations():
    page = paging()
    now = utcnow()
    query = queries.consultations_query(g.organisation, viewer())
    items = queries.page_of(query, page.per_page, page.offset)
    counts = queries.proposal_counts(items)
    data = [serialize.consultation(c, counts.get(c.id, 0), now) for c in items]
    return listing("opendata.consultations", data, queries.count(query), page)


@bp.get("/consultations/<int:consultation_id>")
def consultation(consultation_id: int):
    found_consultation = found(
        queries.consultation_visible(g.organisation, viewer(), checked_id(consultation_id))
    )
    counts = queries.proposal_counts([found_consultation])
    return single(
        serialize.consultation(found_consultation, counts.get(found_consultation.id, 0), utcnow())
    )


@bp.get("/consultations/<int:consultation_id>/proposals")
def proposals(consultation_id: int):
    page = paging()
    found_consultation = found(
        queries.consultation_visible(g.organisation, viewer(), checked_id(consultation_id))
    )
    query = queries.proposals_query(found_consultation)
    items = queries.page_of(query, page.per_page, page.offset)
    comments = queries.comment_counts(items)
    data = [serialize.proposal(p, comments.get(p.id, 0)) for p in items]
    return listing(
        "opendata.proposals",
        data,
        queries.count(query),
        page,
        consultation_id=found_consultation.id,
    )


# --- AMI ---------------------------------------------------------------------------------------


@bp.get("/ami/calls")
def calls():
    page = paging()
    query = queries.calls_query(g.organisation, viewer())
    items = queries.page_of(query, page.per_page, page.offset)
    totals = queries.funded_totals(items)
    data = [serialize.call(c, totals.get(c.id)) for c in items]
    return listing("opendata.calls", data, queries.count(query), page)


@bp.get("/ami/calls/<int:call_id>")
def call(call_id: int):
    found_call = found(queries.call_visible(g.organisation, viewer(), checked_id(call_id)))
    return single(
        serialize.call(found_call, queries.funded_totals([found_call]).get(found_call.id))
    )


@bp.get("/ami/calls/<int:call_id>/projects")
def call_projects(call_id: int):
    page = paging()
    found_call = found(queries.call_visible(g.organisation, viewer(), checked_id(call_id)))
    query = queries.funded_query(g.organisation, found_call)
    items = queries.page_of(query, page.per_page, page.offset)
    data = [serialize.funded_project(a) for a in items]
    return listing("opendata.call_projects", data, queries.count(query), page, call_id=call_id)


@bp.get("/ami/projects")
def projects():
    page = paging()
    query = queries.funded_query(g.organisation)
    items = queries.page_of(query, page.per_page, page.offset)
    data = [serialize.funded_project(a) for a in items]
    return listing("opendata.projects", data, queries.count(query), page)


# --- dossiers (the decision path) --------------------------------------------------------------


def _stage() -> str | None:
    stage = request.args.get("stage") or None
    if stage is not None and stage not in queries.dossier_stages():
        raise rules.ChoiceError("stage", queries.dossier_stages())
    return stage


@bp.get("/dossiers")
def dossiers():
    page = paging()
    stage = _stage()
    query = queries.dossiers_query(g.organisation, viewer(), stage)
    items = queries.page_of(query, page.per_page, page.offset)
    data = [serialize.dossier(queries.dossier_summary(d)) for d in items]
    extra = {"stage": stage} if stage else {}
    return listing("opendata.dossiers", data, queries.count(query), page, **extra)


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
