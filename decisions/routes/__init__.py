"""The decision path's pages: the admins' dossiers and the public list, pages and feed."""

from __future__ import annotations

from flask import Blueprint

from decisions import messages, rules

manage_bp = Blueprint("decisions", __name__, url_prefix="/dossiers")
public_bp = Blueprint("decisions_public", __name__, url_prefix="/decisions")


@manage_bp.app_context_processor
def _helpers():
    return {
        "dossier_stage_label": messages.stage_label,
        "dossier_result_label": messages.result_label,
        "dossier_stages": rules.STAGES,
    }


from decisions.routes import manage, public  # noqa: E402,F401
