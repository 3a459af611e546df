"""Words of the decision path: stage and result labels, refusal messages."""

from __future__ import annotations

from app.i18n import _
from decisions.models import DecisionStage, DeliberationResult


def stage_labels() -> dict[DecisionStage, str]:
    return {
        DecisionStage.IMPULSE: _("Impulsion"),
        DecisionStage.WORK: _("Travail en commission"),
        DecisionStage.CONSULTATION: _("Concertation"),
        DecisionStage.PRE_VALIDATION: _("Pré-validation"),
        DecisionStage.DECISION: _("Décision"),
    }


def result_labels() -> dict[DeliberationResult, str]:
    return {
        DeliberationResult.ADOPTED: _("Adoptée"),
        DeliberationResult.REJECTED: _("Rejetée"),
        DeliberationResult.DEFERRED: _("Ajournée"),
    }


def stage_label(stage) -> str:
    if stage is None:
        return ""
    return str(stage_labels().get(DecisionStage(stage), stage))


def result_label(result) -> str:
    return str(result_labels().get(DeliberationResult(result), result))


def error_message(exc) -> str:
    messages = {
        "lead": _("Choisissez un vice-président de la liste, ou saisissez un nom."),
        "stage": _("Ce dossier ne peut pas passer à cette étape."),
        "reason": _("Indiquez pourquoi le dossier revient à une étape précédente."),
        "unknown_item": _("Cette consultation n'existe pas ou n'appartient pas à l'EPCI."),
        "already_attached": _("Cette consultation est déjà rattachée au dossier."),
        "closed": _("Le dossier est clos : sa délibération est enregistrée."),
        "deliberation_stage": _(
            "La délibération s'enregistre après la pré-validation, sur un dossier non clos."
        ),
        "deliberation_content": _("Saisissez le texte de la délibération ou joignez son PDF."),
    }
    if exc.code == "open":
        return _(
            "Des consultations rattachées sont encore en cours (%(titles)s) : attendez leur fin "
            "ou indiquez le motif pour lequel la décision ne les attend pas.",
            titles=exc.params.get("titles", ""),
        )
    return str(messages.get(exc.code, _("Action refusée.")))
