"""Saisines: the EPCI's pages (manage) and the communes' pages (commune)."""

from flask import Blueprint, g
from flask_babel import get_locale

manage_bp = Blueprint("saisines", __name__, url_prefix="/concertation/saisines")
commune_bp = Blueprint("saisines_commune", __name__, url_prefix="/concertation/communes")


@manage_bp.app_template_global("saisine_status_label")
def status_label(status) -> str:
    """The label of a commune's status in a saisine, the same on pages and in exports
    (translated once per request and language: a dashboard shows one per commune)."""
    from consultations.saisines.exports import status_labels

    cache = g.setdefault("saisine_status_labels", {})
    locale = str(get_locale())
    labels = cache.get(locale)
    if labels is None:
        labels = cache[locale] = {k: str(v) for k, v in status_labels().items()}
    label = labels.get(status)
    return label if label is not None else str(status)


from consultations.saisines.routes import commune, exports, manage, questions  # noqa: E402,F401
