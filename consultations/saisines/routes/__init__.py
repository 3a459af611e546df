"""Saisines: the EPCI's pages (manage) and the communes' pages (commune)."""

from flask import Blueprint

manage_bp = Blueprint("saisines", __name__, url_prefix="/concertation/saisines")
commune_bp = Blueprint("saisines_commune", __name__, url_prefix="/concertation/communes")


@manage_bp.app_template_global("saisine_status_label")
def status_label(status) -> str:
    """The label of a commune's status in a saisine, the same on pages and in exports."""
    from consultations.saisines.exports import status_labels

    return str(status_labels().get(status, status))


from consultations.saisines.routes import commune, exports, manage, questions  # noqa: E402,F401
