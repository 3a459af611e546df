"""CSV exports of the API's public data for open data portals: UTF-8 with a byte order mark,
`;` between cells (as every export of the platform), streamed row by row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from flask import Response, g, stream_with_context

from app.db import utcnow
from app.i18n import _
from app.tabular import iter_csv
from opendata import queries, serialize
from opendata.routes.api import bp, checked_id, found
from opendata.routes.common import viewer

#: rows are read from the database this many at a time
BATCH = 500


def _batches(query, build: Callable[[list], Iterable[list]]) -> Iterator[list]:
    """Each batch of objects read with one query (and its eager loads), turned into rows."""
    offset = 0
    while True:
        items = queries.page_of(query, BATCH, offset)
        yield from build(items)
        if len(items) < BATCH:
            return
        offset += BATCH


def _csv(filename: str, headers: list[str], rows: Iterable[list]) -> Response:
    response = Response(
        stream_with_context(iter_csv(headers, rows)), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/communes.csv")
def communes_csv():
    headers = [
        _("Code INSEE"), _("Nom"), _("SIREN"), _("Département"), _("Population"),
        _("Codes postaux"), _("Secteur"), _("Quartier prioritaire"),
    ]  # fmt: skip

    def build(items):
        for c in items:
            d = serialize.commune(c)
            yield [
                d["insee_code"], d["name"], d["siren"], d["departement"], d["population"],
                " ".join(d["postal_codes"]), d["sector"], d["has_qpv"],
            ]  # fmt: skip

    query = queries.communes_query(g.organisation)
    return _csv("communes.csv", headers, _batches(query, build))


@bp.get("/saisines.csv")
def saisines_csv():
    opinions = serialize.OPINIONS
    headers = [
        _("Référence"), _("Titre"), _("Nature"), _("Phase"), _("Ouverture (UTC)"),
        _("Échéance (UTC)"), _("Communes consultées"), _("Réponses"),
    ] + [_("Avis %(opinion)s (communes)", opinion=o) for o in opinions]  # fmt: skip
    now = utcnow()

    def build(items):
        tallies = queries.saisine_tallies(items, now)
        for s in items:
            d = serialize.saisine(s, tallies.get(s.id), now)
            r = d["results"]
            yield [
                d["reference"], d["title"], d["kind"], d["phase"], d["opens_at"], d["deadline"],
                r["targets"], r["answered"],
            ] + [r["opinions"][o]["communes"] for o in opinions]  # fmt: skip

    query = queries.saisines_query(g.organisation, viewer())
    return _csv("saisines.csv", headers, _batches(query, build))


@bp.get("/meetings.csv")
def meetings_csv():
    headers = [
        _("Instance"), _("Séance"), _("Date (UTC)"), _("Point"), _("Titre du point"),
        _("Avis"), _("Adopté"), _("Pour"), _("Contre"), _("Abstention"),
        _("Ne prend pas part au vote"),
    ]  # fmt: skip

    def build(items):
        counts = queries.vote_counts(items)
        for m in items:
            d = serialize.meeting(m, counts)
            for item in d["items"]:
                votes = item["votes"] or {}
                yield [
                    d["body"]["name"], d["title"], d["starts_at"], item["position"],
                    item["title"], item["opinion"], item["adopted"],
                ] + [votes.get(c) for c in serialize.VOTE_CHOICES]  # fmt: skip

    query = queries.meetings_query(g.organisation, viewer())
    return _csv("avis-des-instances.csv", headers, _batches(query, build))


@bp.get("/consultations/<int:consultation_id>/proposals.csv")
def proposals_csv(consultation_id: int):
    consultation = found(
        queries.consultation_visible(g.organisation, viewer(), checked_id(consultation_id))
    )
    headers = [
        _("Numéro"), _("Titre"), _("Texte"), _("Thème"), _("Commune (INSEE)"), _("Auteur"),
        _("Déposée le (UTC)"), _("Soutiens"), _("Commentaires"), _("Suite donnée"),
    ]  # fmt: skip

    def build(items):
        comments = queries.comment_counts(items)
        for p in items:
            d = serialize.proposal(p, comments.get(p.id, 0))
            yield [
                d["id"], d["title"], d["text"], d["theme"], d["commune"], d["author"],
                d["created_at"], d["supports"], d["comments"], d["feedback"],
            ]  # fmt: skip

    query = queries.proposals_query(consultation)
    return _csv(f"propositions-{consultation.slug}.csv", headers, _batches(query, build))


@bp.get("/ami/projects.csv")
def projects_csv():
    headers = [
        _("Année"), _("Numéro"), _("Projet"), _("Association"), _("Partenaires"), _("Thématique"),
        _("Montant attribué (€)"), _("Dont cofinancement (€)"), _("Cofinanceur"),
    ]  # fmt: skip

    def build(items):
        for a in items:
            d = serialize.funded_project(a)
            yield [
                d["year"], d["number"], d["title"], d["association"], ", ".join(d["partners"]),
                d["theme"], serialize.euro_amount(a.decision.granted_cents),
                serialize.euro_amount(a.decision.co_funded_cents), d["co_funder"],
            ]  # fmt: skip

    query = queries.funded_query(g.organisation)
    return _csv("ami-projets-finances.csv", headers, _batches(query, build))


@bp.get("/dossiers.csv")
def dossiers_csv():
    headers = [
        _("Numéro"), _("Titre"), _("Étape"), _("Commission"), _("Pilote"), _("Créé le (UTC)"),
        _("Clos le (UTC)"), _("Instance de décision"), _("Date de décision"),
        _("Numéro de délibération"), _("Résultat"),
    ]  # fmt: skip

    def build(items):
        for dossier in items:
            d = serialize.dossier(queries.dossier_summary(dossier))
            decision = d["decision"] or {}
            yield [
                d["id"], d["title"], d["stage"], d["commission"], d["lead"], d["created_at"],
                d["closed_at"], decision.get("body"), decision.get("decided_on"),
                decision.get("number"), decision.get("result"),
            ]  # fmt: skip

    query = queries.dossiers_query(g.organisation, viewer())
    return _csv("dossiers.csv", headers, _batches(query, build))


@bp.get("/council/contributions.csv")
def council_csv():
    headers = [
        _("Numéro"), _("Titre"), _("Saisine d'origine"), _("Adoptée le (UTC)"), _("Pour"),
        _("Contre"), _("Abstention"), _("Transmise le (UTC)"), _("Suite donnée"),
        _("Réponse attendue le"),
    ]  # fmt: skip

    def build(items):
        for contribution in items:
            d = serialize.council_contribution(contribution)
            follow_up = d["follow_up"] or {}
            yield [
                d["id"], d["title"], (d["referral"] or {}).get("title"), d["adopted_at"],
                d["votes"]["for"], d["votes"]["against"], d["votes"]["abstain"],
                d["transmitted_at"], follow_up.get("status"), follow_up.get("due_on"),
            ]  # fmt: skip

    query = queries.council_query(g.organisation)
    return _csv("contributions-conseil-de-developpement.csv", headers, _batches(query, build))
