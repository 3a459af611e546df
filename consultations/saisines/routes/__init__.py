"""Saisines: the EPCI's pages (manage) and the communes' pages (commune)."""

from flask import Blueprint

manage_bp = Blueprint("saisines", __name__, url_prefix="/concertation/saisines")
commune_bp = Blueprint("saisines_commune", __name__, url_prefix="/concertation/communes")

from consultations.saisines.routes import commune, exports, manage, questions  # noqa: E402,F401
