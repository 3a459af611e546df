"""Messages shown for business-rule refusals."""

from app.i18n import _


def error_message(exc) -> str:
    messages = {
        "password_too_short": _(
            "Le mot de passe doit compter au moins %(min)d caractères.",
            min=exc.params.get("min", 12),
        ),
        "password_too_common": _(
            "Ce mot de passe fait partie des plus courants : il serait deviné en quelques "
            "essais. Choisissez-en un autre, par exemple une phrase de plusieurs mots."
        ),
        "email_taken": _("Un compte existe déjà avec cette adresse e-mail."),
        "commune_required": _("Choisissez la commune pour ce rôle."),
        "association_required": _("Choisissez l'association pour ce rôle."),
        "other_organisation": _("Cette commune ou association n'appartient pas à votre EPCI."),
        "cannot_remove_own_admin": _(
            "Vous ne pouvez pas retirer votre propre rôle d'administration."
        ),
        "cannot_deactivate_self": _("Vous ne pouvez pas désactiver votre propre compte."),
        "wrong_password": _("Le mot de passe actuel est incorrect."),
        "wrong_code": _(
            "Ce code n'est pas le bon ou a déjà servi. Saisissez le code affiché maintenant "
            "par l'application (il change toutes les 30 secondes)."
        ),
    }
    return messages.get(exc.code, _("L'action n'a pas pu être effectuée."))


def token_message(reason: str) -> str:
    messages = {
        "expired": _("Ce lien a expiré. Demandez-en un nouveau."),
        "used": _("Ce lien a déjà été utilisé. Demandez-en un nouveau si besoin."),
    }
    return messages.get(reason, _("Ce lien n'est pas valide."))
