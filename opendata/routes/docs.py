"""The API's description (OpenAPI 3.1, JSON) and its human page (HTML)."""

from __future__ import annotations

from flask import jsonify, render_template, url_for

from app.i18n import _l
from opendata import openapi, rules
from opendata.routes.api import bp

#: what each endpoint gives, for the human page (the description itself is in English)
LABELS = {
    "/organisation": _l("L'EPCI : nom, SIREN, nature, nombre de communes"),
    "/communes": _l("Les communes membres : code INSEE, population, codes postaux, secteur"),
    "/saisines": _l("Les saisines des communes dont les résultats sont publiés, avis comptés"),
    "/saisines/{saisine_id}": _l("Une saisine et ses résultats agrégés"),
    "/meetings": _l("Les séances dont le procès-verbal est public : avis et votes par point"),
    "/meetings/{meeting_id}": _l("Une séance, ses avis et ses votes"),
    "/council/contributions": _l(
        "Les contributions transmises du conseil de développement et la suite donnée"
    ),
    "/council/contributions/{contribution_id}": _l("Une contribution du conseil"),
    "/consultations": _l("Les consultations citoyennes publiées"),
    "/consultations/{consultation_id}": _l("Une consultation citoyenne"),
    "/consultations/{consultation_id}/proposals": _l(
        "Ses propositions publiées (le nom de l'auteur seulement s'il l'affiche)"
    ),
    "/ami/calls": _l("Les appels à manifestation d'intérêt publiés"),
    "/ami/calls/{call_id}": _l("Un appel, son enveloppe et le total attribué"),
    "/ami/calls/{call_id}/projects": _l("Ses projets financés, une fois les décisions notifiées"),
    "/ami/projects": _l("Tous les projets financés par l'AMI"),
    "/dossiers": _l("Les dossiers du schéma décisionnel rendus publics (paramètre « stage »)"),
    "/dossiers/{dossier_id}": _l(
        "Un dossier et sa chronologie : consultations, étapes, délibération"
    ),
    "/communes.csv": _l("Les communes"),
    "/saisines.csv": _l("Les saisines et leurs résultats"),
    "/meetings.csv": _l("Les avis et votes des instances, une ligne par point"),
    "/council/contributions.csv": _l("Les contributions du conseil de développement"),
    "/consultations/{consultation_id}/proposals.csv": _l(
        "Les propositions publiées d'une consultation"
    ),
    "/ami/projects.csv": _l("Les projets financés par l'AMI"),
    "/dossiers.csv": _l("Les dossiers et leurs décisions"),
}


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(
        openapi.description(url_for("opendata.documentation", _external=True).rstrip("/"))
    )


@bp.get("/")
def documentation():
    return render_template(
        "opendata/documentation.html",
        endpoints=openapi.ENDPOINTS,
        csv_endpoints=openapi.CSV_ENDPOINTS,
        cursor_paths=openapi.CURSOR_PATHS,
        base=url_for("opendata.documentation", _external=True).rstrip("/"),
        labels=LABELS,
        max_per_page=rules.MAX_PER_PAGE,
        default_per_page=rules.DEFAULT_PER_PAGE,
    )
