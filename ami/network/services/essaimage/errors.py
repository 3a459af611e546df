"""The messages of the essaimage day's refused actions (its error codes, registered with
ami.messages)."""

from __future__ import annotations

from ami.messages import error_messages
from app.i18n import _
from app.web import local_datetime


@error_messages
def _messages(params: dict) -> dict[str, str]:
    count = params.get("n", 0)
    return {
        "essaimage_end_before_start": _("L'heure de fin doit suivre l'heure de début."),
        "essaimage_meetings_outside": _(
            "Les rencontres express doivent commencer pendant la journée, entre son début et "
            "sa fin."
        ),
        "essaimage_rounds_too_long": _(
            "%(rounds)d tours de %(minutes)d minutes finiraient à %(end)s, après la fin de la "
            "journée : réduisez le nombre de tours ou leur durée, ou commencez plus tôt.",
            rounds=params.get("rounds", 0),
            minutes=params.get("minutes", 0),
            end=local_datetime(params.get("end"), "HH:mm"),
        ),
        "essaimage_closing_after_start": _(
            "La clôture des inscriptions doit précéder le jour de l'essaimage."
        ),
        "essaimage_settings": _(
            "De 1 à 12 tours de 5 à 60 minutes, à des tables de 2 à 6 associations."
        ),
        "essaimage_started": _(
            "L'essaimage a commencé : le plan des rencontres ne peut plus être modifié."
        ),
        "essaimage_invite_closed": _(
            "Les inscriptions sont closes : repoussez d'abord la date de clôture pour inviter "
            "d'autres associations."
        ),
        "essaimage_plan_built": _(
            "Le plan des rencontres est construit : l'invitation ne peut plus être retirée."
        ),
        "essaimage_closed": _(
            "Les inscriptions sont closes depuis le %(date)s : pour toute modification, "
            "contactez l'équipe cohésion sociale.",
            date=local_datetime(params.get("closes"), "full"),
        ),
        "essaimage_attendees": _("Indiquez de 1 à 5 personnes."),
        "essaimage_plan_too_few": _(
            "Il faut au moins deux associations inscrites pour construire le plan des "
            "rencontres (%(n)d inscrite pour l'instant).",
            n=count,
        ),
        "essaimage_plan_table_size": _("Les tables accueillent de 2 à 6 associations."),
        "essaimage_plan_rounds": _("Le nombre de tours va de 1 à 12."),
        "essaimage_plan_too_many_rounds": _(
            "Avec %(n)d associations inscrites en tête-à-tête, il ne peut y avoir plus de "
            "%(max)d tours sans qu'une rencontre se répète.",
            n=count,
            max=params.get("max", 0),
        ),
    }
