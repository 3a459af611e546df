"""Forms of the participants' pages: terms, profile, contributions, reports, moderation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.forms import optional_int, options, strip
from app.i18n import _, _l
from app.submissions import OnceField

_REQUIRED = _l("Ce champ est obligatoire.")


def text(value):
    """Stripped, without NUL characters (PostgreSQL refuses them in text)."""
    return strip(value.replace("\x00", "")) if isinstance(value, str) else value


class HoneypotMixin:
    """A text input that people never see (visually hidden, out of the tab order) and leave
    empty; robots that fill every field give themselves away."""

    website = StringField(_l("Ne remplissez pas ce champ"), filters=[text])

    @property
    def is_robot(self) -> bool:
        return bool(self.website.data)


def commune_choices(communes) -> list:
    return options([("", _("— Non précisée —"))] + [(c.id, c.name) for c in communes])


class ParticipantMixin:
    commune_id = SelectField(
        _l("Ma commune"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Facultatif : elle est indiquée par défaut sur vos propositions."),
    )
    show_name = BooleanField(
        _l("Afficher mon nom sur mes contributions"),
        description=_l("Sinon, elles sont signées « Contributeur anonyme »."),
    )

    def fill_choices(self, communes) -> None:
        self.commune_id.choices = commune_choices(communes)


class TermsForm(ParticipantMixin, FlaskForm):
    accept = BooleanField(
        _l("J'ai lu et j'accepte les conditions de participation"),
        validators=[DataRequired(_l("Acceptez les conditions pour participer."))],
    )
    next = HiddenField()
    submit = SubmitField(_l("Accepter et participer"))


class ParticipantForm(ParticipantMixin, FlaskForm):
    submit = SubmitField(_l("Enregistrer mes choix"))


class ProposalForm(HoneypotMixin, FlaskForm):
    once = OnceField()
    title = StringField(
        _l("Titre de la proposition"),
        filters=[text],
        validators=[DataRequired(_REQUIRED), Length(max=200)],
    )
    body = TextAreaField(
        _l("Votre proposition"),
        filters=[text],
        validators=[DataRequired(_REQUIRED), Length(max=10000)],
        description=_l("Les paragraphes sont conservés. Deux liens au plus."),
        render_kw={"rows": 10},
    )
    theme_id = SelectField(_l("Thématique"), coerce=optional_int, validators=[Optional()])
    commune_id = SelectField(_l("Commune concernée"), coerce=optional_int, validators=[Optional()])
    show_name = BooleanField(_l("Afficher mon nom sur cette proposition"))
    submit = SubmitField(_l("Envoyer la proposition"))

    def fill_choices(self, themes, communes) -> None:
        self.theme_id.choices = options([("", _("— Aucune —"))] + [(t.id, t.name) for t in themes])
        self.commune_id.choices = commune_choices(communes)


class CommentForm(HoneypotMixin, FlaskForm):
    once = OnceField()
    body = TextAreaField(
        _l("Votre commentaire"),
        filters=[text],
        validators=[DataRequired(_REQUIRED), Length(max=5000)],
        render_kw={"rows": 5},
    )
    show_name = BooleanField(_l("Afficher mon nom sur ce commentaire"))
    submit = SubmitField(_l("Publier le commentaire"))


class ReportForm(HoneypotMixin, FlaskForm):
    reason = TextAreaField(
        _l("Pourquoi ce contenu pose-t-il problème ?"),
        filters=[text],
        validators=[DataRequired(_REQUIRED), Length(max=2000)],
        description=_l("Propos injurieux, discriminatoires, publicité, données personnelles…"),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Signaler aux modérateurs"))


class ModerationForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif"),
        filters=[text],
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Conservé dans le journal de modération et envoyé à l'auteur. Obligatoire pour "
            "masquer ou rétablir."
        ),
        render_kw={"rows": 3},
    )
    publish = SubmitField(_l("Publier"))
    hide = SubmitField(_l("Masquer"))
    restore = SubmitField(_l("Rétablir"))
    dismiss = SubmitField(_l("Classer les signalements"))

    def chosen_action(self) -> str | None:
        for action in ("publish", "hide", "restore", "dismiss"):
            if self[action].data:
                return action
        return None


class QuestionnaireForm(FlaskForm):
    """The answers are read from the request by app.questionnaires.answers.parse_answers."""

    submit = SubmitField(_l("Enregistrer mes réponses"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_REQUIRED)])
    confirm = BooleanField(
        _l("Je comprends que mon compte sera supprimé définitivement"),
        validators=[DataRequired(_l("Cochez la case pour confirmer."))],
    )
    submit = SubmitField(_l("Supprimer mon compte"))


# --- Messages for refused actions and invalid answers ---------------------------------------


def error_message(exc) -> str:
    messages = {
        "closed": _(
            "Cette consultation n'accepte pas de contribution en ce moment : les contributions "
            "ne sont possibles que pendant la phase de contributions."
        ),
        "not_allowed_here": _("Ce type de contribution n'est pas ouvert pour cette consultation."),
        "too_many_links": _(
            "Votre texte contient trop de liens (%(limit)d au plus). Retirez-en pour "
            "l'envoyer : il est conservé ci-dessous.",
            limit=exc.params.get("limit", 2),
        ),
        "unknown_theme": _("Choisissez une thématique de la consultation."),
        "unknown_commune": _("Choisissez une commune de la liste."),
        "not_published": _("Ce contenu n'est pas publié."),
        "already_supported": _("Vous soutenez déjà cette proposition."),
        "not_supported": _("Vous ne souteniez pas cette proposition."),
        "not_author": _("Seul l'auteur peut modifier ce choix."),
        "answers_missing": _(
            "Des réponses obligatoires manquent : %(questions)s.",
            questions=" ; ".join(exc.params.get("questions", [])),
        ),
        "reason_required": _("Indiquez le motif : il est conservé dans le journal de modération."),
        "wrong_status": _("Cette action n'est pas possible dans l'état actuel du contenu."),
        "no_open_report": _("Aucun signalement en attente sur ce contenu."),
        "wrong_password": _("Mot de passe incorrect."),
        "retry": _("Deux envois sont arrivés en même temps : vérifiez puis enregistrez à nouveau."),
        "account_has_roles": _(
            "Votre compte porte des fonctions (élu, agent, membre d'une instance) : demandez sa "
            "suppression à l'EPCI."
        ),
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
