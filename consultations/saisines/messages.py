"""Messages for refused saisine actions and invalid answers."""

from app.i18n import _


def error_message(exc) -> str:
    messages = {
        "deadline_before_opening": _("La date limite doit être postérieure à l'ouverture."),
        "reference_taken": _("Une autre saisine porte déjà cette référence."),
        "no_target": _("Choisissez au moins une commune consultée."),
        "not_draft": _("Cette action n'est possible que sur une saisine en préparation."),
        "deadline_passed": _(
            "La date limite est dépassée : aucune réponse ne peut plus être transmise, sauf si "
            "l'EPCI prolonge le délai."
        ),
        "no_question": _("Ajoutez au moins une question avant d'ouvrir une collecte de données."),
        "draft_has_no_deadline_yet": _("Modifiez directement la date limite de la saisine."),
        "extension_not_later": _(
            "La nouvelle date limite doit être postérieure à l'actuelle et à maintenant."
        ),
        "reason_required": _("Indiquez le motif de la prolongation."),
        "deadline_not_passed": _("La date limite n'est pas encore atteinte."),
        "not_open_yet": _("La saisine n'est pas encore ouverte."),
        "closed": _("La saisine est close."),
        "questionnaire_frozen": _(
            "Une commune a déjà répondu à ce questionnaire : créez une nouvelle version pour "
            "le modifier."
        ),
        "questionnaire_not_frozen": _(
            "Le questionnaire peut encore être modifié : une nouvelle version n'est pas utile."
        ),
        "old_version": _("Cette question appartient à une version précédente du questionnaire."),
        "two_choices_needed": _("Proposez au moins deux choix, un par ligne."),
        "edited_meanwhile": _(
            "%(name)s a enregistré cette réponse pendant que vous la modifiiez. Vos saisies sont "
            "conservées ci-dessous : vérifiez-les au regard de la version enregistrée, puis "
            "enregistrez à nouveau.",
            name=exc.params.get("by") or _("Une autre personne"),
        ),
        "opinion_required": _("Choisissez l'avis de la commune."),
        "motivation_required": _(
            "Motivez l'avis : c'est obligatoire pour tout avis autre que favorable."
        ),
        "answers_missing": _(
            "Des réponses obligatoires manquent : %(questions)s.",
            questions=" ; ".join(exc.params.get("questions", [])),
        ),
        "attachments_need_signature": _(
            "La réponse est déjà transmise : ses pièces jointes ne changent qu'en signant une "
            "nouvelle version."
        ),
        "delegate_not_staff": _("La délégation ne peut être donnée qu'aux services de la commune."),
    }
    return messages.get(exc.code, _("L'action n'a pas pu être effectuée."))


def answer_error(code: str) -> str:
    messages = {
        "too_long": _("La réponse est trop longue."),
        "number": _("Saisissez un nombre, par exemple 12 ou 12,5."),
        "integer": _("Saisissez un nombre entier, sans virgule."),
        "date": _("Saisissez une date valide."),
        "choice": _("Choisissez parmi les réponses proposées."),
        "required": _("Cette réponse est obligatoire."),
    }
    return messages.get(code, _("Réponse non valable."))
