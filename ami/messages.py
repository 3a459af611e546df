"""Labels of the AMI's states, and the messages of refused actions.

Each step registers the messages of its own error codes with `@error_messages`.
"""

from __future__ import annotations

from collections.abc import Callable

from ami.models import ApplicationStatus, BonusKind, College, Outcome, Track
from app.i18n import _

_FACTORIES: list[Callable[[dict], dict[str, str]]] = []


def error_messages(factory: Callable[[dict], dict[str, str]]) -> Callable:
    """Register `factory(params) -> {code: message}` for some error codes."""
    _FACTORIES.append(factory)
    return factory


def error_message(exc) -> str:
    for factory in _FACTORIES:
        try:
            message = factory(exc.params).get(exc.code)
        except (TypeError, ValueError, KeyError):
            # another step's message could not be formatted with these parameters (e.g. a
            # "%(max)d" given a string): it is not the message of this error
            continue
        if message:
            return message
    return _("L'action n'a pas pu être effectuée.")


def status_labels() -> dict:
    return {
        ApplicationStatus.DRAFT: _("Brouillon"),
        ApplicationStatus.SUBMITTED: _("Déposée"),
        ApplicationStatus.ELIGIBLE: _("Recevable"),
        ApplicationStatus.INELIGIBLE: _("Non recevable"),
    }


def track_labels() -> dict:
    return {
        Track.STANDARD: _("Candidature"),
        Track.BLANK_PAGE: _("Page blanche (projet en émergence)"),
    }


def outcome_labels() -> dict:
    return {
        Outcome.FUNDED: _("Financé"),
        Outcome.NOT_FUNDED: _("Non financé"),
        Outcome.REDIRECTED: _("Réorienté vers un autre dispositif"),
        Outcome.INTRODUCED: _("Mis en relation avec d'autres associations"),
    }


def college_labels() -> dict:
    return {
        College.ELECTED: _("Élus"),
        College.EPCI_STAFF: _("Équipe cohésion sociale"),
        College.FOUNDATION: _("Fondation territoriale"),
        College.STATE: _("Délégué(e) du préfet"),
        College.CITIZEN_COUNCIL: _("Conseillers citoyens"),
        College.RESOURCE_CENTRE: _("Centre de ressources (IREV)"),
        College.OTHER: _("Autre"),
    }


def bonus_kind_labels() -> dict:
    return {
        BonusKind.WOMEN_SHARE: _(
            "Public majoritairement féminin (part de femmes au moins égale au seuil)"
        ),
        BonusKind.COOPERATION: _(
            "Associations qui travaillent ensemble (nombre d'associations au moins égal au seuil)"
        ),
        BonusKind.QPV_COUNT: _("Action dans plusieurs QPV (nombre de QPV au moins égal au seuil)"),
        BonusKind.THEME: _("Thématique particulièrement peu couverte"),
    }


def field_labels() -> dict[str, str]:
    """The application's fields, by code (also used for missing-field messages)."""
    return {
        "title": _("Titre de l'action"),
        "theme": _("Thématique"),
        "territory": _("QPV et communes touchés"),
        "public": _("Public visé"),
        "women_share": _("Part de femmes dans le public"),
        "objectives": _("Objectifs"),
        "actions": _("Actions prévues"),
        "partners_text": _("Autres partenaires"),
        "calendar": _("Calendrier"),
        "budget_total": _("Budget total de l'action"),
        "requested": _("Montant demandé"),
        "other_funding_details": _("Autres financements"),
    }
