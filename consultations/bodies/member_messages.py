"""What the members' pages say: refusals of the body services, and the labels of states."""

from __future__ import annotations

from app.i18n import _, ngettext


def error_message(exc, body=None) -> str:
    """The message for a refused action (a BodyError); `body` gives the rules it quotes."""
    max_held = getattr(body, "max_proxies_held", 1)
    cap = exc.params.get("cap", getattr(body, "request_yearly_cap", 4))
    messages = {
        # convocations, answers and proxies
        "not_convened": _(
            "Cette séance n'attend plus de réponse : elle n'est pas convoquée ou elle est "
            "déjà tenue."
        ),
        "not_convened_member": _("Vous n'êtes pas convoqué(e) à cette séance."),
        "holder_required": _("Choisissez le membre à qui vous donnez pouvoir."),
        "proxy_not_member": _(
            "Un pouvoir ne peut être donné qu'à un autre membre de l'instance, en fonction."
        ),
        "proxy_self": _("Vous ne pouvez pas vous donner pouvoir à vous-même."),
        "proxy_holder_gave_proxy": _(
            "Ce membre a lui-même donné pouvoir à un autre membre : il ne peut pas recevoir le "
            "vôtre, les pouvoirs en cascade ne sont pas admis. Choisissez un membre présent."
        ),
        "proxy_giver_holds_proxy": _(
            "Vous détenez le pouvoir d'un autre membre : vous ne pouvez pas donner le vôtre, "
            "les pouvoirs en cascade ne sont pas admis. Ce membre doit d'abord choisir "
            "quelqu'un d'autre."
        ),
        "proxy_holder_full": ngettext(
            "Ce membre détient déjà %(num)d pouvoir, le maximum que permet le règlement de "
            "l'instance. Choisissez un autre membre.",
            "Ce membre détient déjà %(num)d pouvoirs, le maximum que permet le règlement de "
            "l'instance. Choisissez un autre membre.",
            max_held,
        ),
        # live votes
        "vote_not_open": _(
            "Le vote sur ce point n'est pas ouvert : il n'a pas commencé ou il est clos."
        ),
        "no_voice": _(
            "Vous n'avez pas de voix à exprimer ici : seuls les membres dont la présence est "
            "enregistrée votent, pour eux-mêmes et pour les membres absents qui leur ont donné "
            "pouvoir."
        ),
        "already_voted": _("Ce vote est déjà enregistré : il ne peut plus être modifié."),
        # meeting requests
        "requests_not_allowed": _(
            "Le règlement de cette instance ne prévoit pas de demande de réunion par ses membres."
        ),
        "not_member": _("Seuls les membres de l'instance peuvent ouvrir ou signer une demande."),
        "yearly_cap_reached": ngettext(
            "%(num)d demande de réunion a déjà été déclarée recevable cette année civile, le "
            "maximum permis : une nouvelle demande ne peut pas aboutir avant le 1er janvier.",
            "%(num)d demandes de réunion ont déjà été déclarées recevables cette année civile, "
            "le maximum permis : une nouvelle demande ne peut pas aboutir avant le 1er janvier.",
            cap,
        ),
        "request_closed": _("Cette demande ne recueille plus de signatures."),
        "already_signed": _("Vous avez déjà signé cette demande."),
        "not_signed": _("Vous n'avez pas signé cette demande."),
    }
    return messages.get(exc.code, _("L'action n'a pas pu être effectuée."))


def answer_label(answer) -> str:
    labels = {
        "present": _("présent(e)"),
        "absent": _("absent(e)"),
        "represented": _("représenté(e)"),
    }
    return labels.get(str(answer), _("pas de réponse")) if answer else _("pas de réponse")


def request_status_label(status) -> str:
    labels = {
        "collecting": _("recueil des signatures"),
        "admissible": _("recevable : le président doit convoquer"),
        "refused": _("refusée : plafond annuel atteint"),
        "convened": _("séance convoquée"),
        "withdrawn": _("retirée"),
    }
    return labels.get(str(status), str(status))


def meeting_status_label(status) -> str:
    labels = {
        "planned": _("en préparation"),
        "convened": _("convoquée"),
        "held": _("tenue"),
        "minutes_published": _("procès-verbal publié"),
    }
    return labels.get(str(status), str(status))


def body_kind_label(kind) -> str:
    labels = {
        "mayors_conference": _("Conférence des maires"),
        "deputies_conference": _("Conférence des adjoint(e)s"),
        "dgs_committee": _("Comité des DGS"),
        "territorial_council": _("Conseil de territoire"),
        "commission": _("Commission"),
        "vp_conference": _("Conférence des vice-présidents"),
        "working_group": _("Groupe de travail"),
        "bureau": _("Bureau"),
        "council": _("Conseil communautaire"),
        "development_council": _("Conseil de développement"),
    }
    return labels.get(str(kind), str(kind))


def signatures_label(count: int, needed: int) -> str:
    """ "8 signatures sur 12 nécessaires"."""
    signatures = ngettext("%(num)d signature", "%(num)d signatures", count)
    return ngettext(
        "%(signatures)s sur %(num)d nécessaire",
        "%(signatures)s sur %(num)d nécessaires",
        needed,
        signatures=signatures,
    )
