"""Words of the bodies' pages: refusal messages, labels of states, the rules in words."""

from __future__ import annotations

from math import gcd

from app.i18n import _, ngettext
from consultations.bodies.models import (
    AttendanceAnswer,
    Body,
    BodyKind,
    MeetingStatus,
    RequestStatus,
    VoteChoice,
    VoteStatus,
)


def error_message(exc) -> str:
    """The French message for a BodyError raised by a service."""
    params = getattr(exc, "params", {}) or {}
    messages = {
        "already_convened": _("La séance est déjà convoquée."),
        "already_signed": _("Ce membre a déjà signé cette demande."),
        "already_voted": _("Ce membre a déjà voté sur ce point."),
        "bad_fraction": _(
            "Une fraction n'est pas valable : le dénominateur doit être positif et le "
            "numérateur ne peut pas le dépasser."
        ),
        "bad_number": _(
            "Les nombres doivent être positifs ; le poids d'une voix est d'au moins 1."
        ),
        "bad_url": _("Le lien de la réunion en ligne doit commencer par https:// ou http://."),
        "empty_agenda": _("Ajoutez au moins un point à l'ordre du jour avant de convoquer."),
        "ends_before_start": _("L'heure de fin doit être postérieure à l'heure de début."),
        "holder_required": _("Choisissez le membre qui reçoit le pouvoir."),
        "meeting_held": _("La séance a eu lieu : elle et son ordre du jour ne changent plus."),
        "meeting_in_past": _(
            "La date de la séance est passée : modifiez-la avant d'envoyer les convocations."
        ),
        "minutes_empty": _("Rédigez le procès-verbal avant de le publier."),
        "name_taken": _("Une autre instance porte déjà ce nom."),
        "no_voice": _("Ce membre n'a pas de voix dans ce vote."),
        "no_vote_planned": _("Aucun vote n'est prévu sur ce point, ou il est déjà ouvert."),
        "not_convened": _("Cette action n'est possible que pour une séance convoquée."),
        "not_convened_member": _("Ce membre n'a pas été convoqué à cette séance."),
        "not_held": _("Déclarez d'abord la séance tenue."),
        "not_member": _("Cette personne n'est pas membre de l'instance."),
        "not_signed": _("Ce membre n'a pas signé cette demande."),
        "other_organisation": _("Cette personne n'appartient pas à votre intercommunalité."),
        "place_required": _(
            "Indiquez où se tient la séance : une commune d'accueil, une salle ou un lien de "
            "réunion en ligne."
        ),
        "quorum_not_met": _(
            "Le quorum n'est pas atteint (%(counted)d sur %(required)d requis) : aucun vote "
            "n'est possible.",
            counted=params.get("counted", 0),
            required=params.get("required", 0),
        ),
        "request_closed": _("Cette demande ne recueille plus de signatures."),
        "request_not_admissible": _(
            "Cette demande n'est pas recevable : aucune séance ne peut être convoquée à ce titre."
        ),
        "requests_not_allowed": _(
            "Les membres de cette instance ne peuvent pas demander de réunion."
        ),
        "vote_closed": _("Le vote sur ce point est clos."),
        "vote_not_open": _("Le vote sur ce point n'est pas ouvert."),
        "vote_started": _("Le vote sur ce point a commencé : le point ne peut plus changer."),
        "vote_still_open": _(
            "Un vote est encore ouvert : clôturez-le avant de déclarer la séance tenue."
        ),
        "yearly_cap_reached": ngettext(
            "Le plafond de %(num)d demande recevable par an est atteint.",
            "Le plafond de %(num)d demandes recevables par an est atteint.",
            params.get("cap", 0),
        ),
        "proxy_not_member": _("Le pouvoir ne peut être donné qu'à un membre de l'instance."),
        "proxy_self": _("Un membre ne peut pas se donner pouvoir à lui-même."),
        "proxy_holder_gave_proxy": _(
            "Ce membre a lui-même donné pouvoir : il ne peut pas en recevoir."
        ),
        "proxy_giver_holds_proxy": _(
            "Ce membre détient un pouvoir : il ne peut pas donner le sien."
        ),
        "proxy_holder_full": _("Ce membre détient déjà le nombre maximal de pouvoirs."),
    }
    return messages.get(exc.code, _("L'action n'a pas pu être effectuée."))


# --- labels -----------------------------------------------------------------------------------


def kind_labels() -> dict[BodyKind, str]:
    return {
        BodyKind.MAYORS_CONFERENCE: _("Conférence des maires"),
        BodyKind.DEPUTIES_CONFERENCE: _("Conférence des adjoint(e)s"),
        BodyKind.DGS_COMMITTEE: _("Comité des DGS"),
        BodyKind.TERRITORIAL_COUNCIL: _("Conseil de territoire"),
        BodyKind.COMMISSION: _("Commission"),
        BodyKind.VP_CONFERENCE: _("Conférence des vice-présidents"),
        BodyKind.WORKING_GROUP: _("Groupe de travail"),
        BodyKind.BUREAU: _("Bureau"),
        BodyKind.COUNCIL: _("Conseil communautaire"),
        BodyKind.DEVELOPMENT_COUNCIL: _("Conseil de développement"),
    }


def meeting_status_labels() -> dict[MeetingStatus, str]:
    return {
        MeetingStatus.PLANNED: _("En préparation"),
        MeetingStatus.CONVENED: _("Convoquée"),
        MeetingStatus.HELD: _("Tenue"),
        MeetingStatus.MINUTES_PUBLISHED: _("Procès-verbal publié"),
    }


def request_status_labels() -> dict[RequestStatus, str]:
    return {
        RequestStatus.COLLECTING: _("Signatures en cours"),
        RequestStatus.ADMISSIBLE: _("Recevable"),
        RequestStatus.REFUSED: _("Refusée (plafond annuel atteint)"),
        RequestStatus.CONVENED: _("Séance convoquée"),
        RequestStatus.WITHDRAWN: _("Retirée"),
    }


def answer_labels() -> dict[AttendanceAnswer, str]:
    return {
        AttendanceAnswer.PRESENT: _("Présent(e)"),
        AttendanceAnswer.ABSENT: _("Absent(e)"),
        AttendanceAnswer.REPRESENTED: _("Représenté(e)"),
    }


def vote_choice_labels() -> dict[VoteChoice, str]:
    return {
        VoteChoice.FOR: _("Pour"),
        VoteChoice.AGAINST: _("Contre"),
        VoteChoice.ABSTAIN: _("Abstention"),
        VoteChoice.NOT_VOTING: _("Ne prend pas part au vote"),
    }


def vote_status_labels() -> dict[VoteStatus, str]:
    return {
        VoteStatus.NONE: _("Sans vote"),
        VoteStatus.PENDING: _("Vote prévu"),
        VoteStatus.OPEN: _("Vote ouvert"),
        VoteStatus.CLOSED: _("Vote clos"),
    }


def label(labels: dict, value) -> str:
    """The label of `value` (an enum member or its string), or the value itself."""
    for key, text in labels.items():
        if key == value:
            return str(text)
    return str(value or "")


# --- the rules in words -----------------------------------------------------------------------


def _reduced(numerator: int, denominator: int) -> tuple[int, int]:
    divisor = gcd(numerator, denominator) or 1
    return numerator // divisor, denominator // divisor


def share_words(numerator: int, denominator: int) -> str:
    """ "un tiers des membres", "la moitié des membres", "3/5 des membres"."""
    shares = {
        (1, 1): _("tous les membres"),
        (1, 2): _("la moitié des membres"),
        (1, 3): _("un tiers des membres"),
        (2, 3): _("deux tiers des membres"),
        (1, 4): _("un quart des membres"),
        (3, 4): _("trois quarts des membres"),
        (1, 5): _("un cinquième des membres"),
    }
    key = _reduced(numerator, denominator)
    return str(shares.get(key) or _("%(num)d/%(den)d des membres", num=key[0], den=key[1]))


def quorum_words(body: Body, members: int, required: int) -> str:
    """ "plus de la moitié des membres (19 sur 36), sans compter les pouvoirs"."""
    if body.quorum_numerator <= 0 or body.quorum_denominator <= 0:
        return _("aucun quorum")
    key = _reduced(body.quorum_numerator, body.quorum_denominator)
    strict = {
        (1, 2): _("plus de la moitié des membres"),
        (1, 3): _("plus d'un tiers des membres"),
        (2, 3): _("plus des deux tiers des membres"),
        (1, 4): _("plus d'un quart des membres"),
    }
    at_least = {
        (1, 1): _("tous les membres"),
        (1, 2): _("au moins la moitié des membres"),
        (1, 3): _("au moins un tiers des membres"),
        (2, 3): _("au moins les deux tiers des membres"),
        (1, 4): _("au moins un quart des membres"),
    }
    if body.quorum_strict:
        text = strict.get(key) or _("plus de %(num)d/%(den)d des membres", num=key[0], den=key[1])
    else:
        text = at_least.get(key) or _(
            "au moins %(num)d/%(den)d des membres", num=key[0], den=key[1]
        )
    proxies = (
        _("pouvoirs compris") if body.quorum_counts_proxies else _("sans compter les pouvoirs")
    )
    return _(
        "%(rule)s (%(required)d sur %(members)d), %(proxies)s",
        rule=text,
        required=required,
        members=members,
        proxies=proxies,
    )


def request_words(body: Body, members: int, needed: int) -> str:
    """ "un tiers des membres (12 sur 36), 4 par an"."""
    if body.request_numerator <= 0:
        return _("les membres ne peuvent pas demander de réunion")
    return _(
        "%(share)s (%(needed)d sur %(members)d), %(cap)s",
        share=share_words(body.request_numerator, body.request_denominator),
        needed=needed,
        members=members,
        cap=ngettext("%(num)d par an", "%(num)d par an", body.request_yearly_cap),
    )
