"""Messages for refused actions of the conseil de développement, and labels."""

from __future__ import annotations

from app.i18n import _
from participation.council.models import ContributionStatus, ReferralKind


def error_message(exc) -> str:
    name = exc.params.get("name") or exc.params.get("by") or _("Une autre personne")
    messages = {
        "not_a_member": _("%(name)s n'est pas membre du conseil de développement.", name=name),
        "other_organisation": _("Cette saisine n'appartient pas à votre organisation."),
        "not_draft": _(
            "La contribution n'est plus en rédaction : son texte ne change plus et ses co-auteurs "
            "sont fixés."
        ),
        "not_author": _("Seuls les co-auteurs de la contribution peuvent modifier son texte."),
        "already_author": _("%(name)s est déjà co-auteur de la contribution.", name=name),
        "edited_meanwhile": _(
            "%(name)s a enregistré une nouvelle version pendant que vous modifiiez le texte. "
            "Votre saisie est conservée ci-dessous : comparez-la à la version enregistrée, puis "
            "enregistrez à nouveau.",
            name=name,
        ),
        "unchanged": _("Le texte n'a pas changé : aucune nouvelle version n'est créée."),
        "empty_text": _("Écrivez le texte de la contribution avant de la soumettre au vote."),
        "vote_not_open": _("Le vote sur cette contribution n'est pas ouvert."),
        "no_voice": _("Seuls les membres du conseil de développement votent."),
        "already_voted": _("Vous avez déjà voté sur cette contribution."),
        "not_adopted": _("Seule une contribution adoptée peut être transmise à l'EPCI."),
        "not_transmitted": _("Cette contribution n'a pas été transmise à l'EPCI."),
        "answer_empty": _(
            "Indiquez ce que l'EPCI retient de la contribution, ou ce qu'il ne retient pas et "
            "pourquoi."
        ),
    }
    return messages.get(exc.code, _("L'action n'a pas pu être effectuée."))


def status_labels() -> dict[ContributionStatus, str]:
    return {
        ContributionStatus.DRAFT: _("En rédaction"),
        ContributionStatus.VOTING: _("Au vote"),
        ContributionStatus.ADOPTED: _("Adoptée"),
        ContributionStatus.REJECTED: _("Rejetée"),
        ContributionStatus.TRANSMITTED: _("Transmise à l'EPCI"),
    }


def kind_labels() -> dict[ReferralKind, str]:
    return {
        ReferralKind.REFERRAL: _("Saisine par l'EPCI"),
        ReferralKind.OWN_INITIATIVE: _("Auto-saisine"),
    }
