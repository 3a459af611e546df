"""The API's description (OpenAPI 3.1, JSON) and its human page (HTML)."""

from __future__ import annotations

from flask import jsonify, render_template, url_for

from opendata import openapi, rules
from opendata.routes.api import bp


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
        base=url_for("opendata.documentation", _external=True).rstrip("/"),
        max_per_page=rules.MAX_PER_PAGE,
        default_per_page=rules.DEFAULT_PER_PAGE,
    )
