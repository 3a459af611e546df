"""Forms of the mayors' mailbox."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.forms import optional_int, options, strip
from app.i18n import _l
from app.submissions import OnceField
from consultations.mailbox.models import MessageStatus

_REQUIRED = _l("Ce champ est obligatoire.")
BODY_MAX = 20000


def status_labels() -> dict[MessageStatus, str]:
    return {
        MessageStatus.NEW: _l("Nouvelle"),
        MessageStatus.ASSIGNED: _l("Attribuée"),
        MessageStatus.ANSWERED: _l("Répondue"),
        MessageStatus.CLOSED: _l("Close"),
    }


class QuestionForm(FlaskForm):
    once = OnceField()
    commune = SelectField(
        _l("Commune"),
        coerce=optional_int,
        validators=[DataRequired(_REQUIRED)],
        description=_l("La commune au nom de laquelle vous écrivez."),
    )
    subject = StringField(
        _l("Objet"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=300)]
    )
    body = TextAreaField(
        _l("Votre question"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=BODY_MAX)],
        render_kw={"rows": 10},
    )
    submit = SubmitField(_l("Envoyer la question"))

    def fill_choices(self, communes) -> None:
        """A choice only for a person of several communes; otherwise the one commune is used."""
        if len(communes) > 1:
            self.commune.choices = options(
                [("", _l("Choisissez une commune"))] + [(c.id, c.name) for c in communes]
            )
        else:
            del self.commune


class FollowUpForm(FlaskForm):
    body = TextAreaField(
        _l("Votre message"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=BODY_MAX)],
        description=_l("Une précision, un complément ou une nouvelle question sur ce sujet."),
        render_kw={"rows": 5},
    )
    submit = SubmitField(_l("Envoyer"))


class ReplyForm(FlaskForm):
    reply = TextAreaField(
        _l("Réponse à l'auteur de la question"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=BODY_MAX)],
        description=_l("Envoyée par e-mail à l'auteur et visible dans son espace."),
        render_kw={"rows": 8},
    )
    submit = SubmitField(_l("Envoyer la réponse"))


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Note interne"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=BODY_MAX)],
        description=_l(
            "Visible des seuls agents de l'EPCI : jamais montrée ni envoyée à l'auteur."
        ),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Ajouter la note"))


class AssignForm(FlaskForm):
    service_id = SelectField(_l("Service"), coerce=optional_int, validators=[Optional()])
    assigned_to_id = SelectField(
        _l("Agent chargé de la question"), coerce=optional_int, validators=[Optional()]
    )
    submit = SubmitField(_l("Attribuer"))

    def fill_choices(self, services, agents) -> None:
        self.service_id.choices = options(
            [("", _l("Aucun service"))] + [(s.id, s.name) for s in services]
        )
        self.assigned_to_id.choices = options(
            [("", _l("Aucun agent"))] + [(a.id, a.display_name) for a in agents]
        )


class ServiceForm(FlaskForm):
    name = StringField(
        _l("Nom du service"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        description=_l("Par exemple : Voirie, Finances, Collecte des déchets."),
    )
    email = EmailField(
        _l("Adresse e-mail partagée du service"),
        filters=[strip],
        validators=[
            Optional(),
            Email(_l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")),
            Length(max=254),
        ],
        description=_l(
            "Facultative : elle est prévenue quand une question est attribuée au service."
        ),
    )
    submit = SubmitField(_l("Enregistrer"))


class FilterForm(Form):
    """The filters of the EPCI's list, read from the query string (no CSRF: nothing changes)."""

    status = SelectField(_l("État"), validators=[Optional()])
    service = SelectField(_l("Service"), validators=[Optional()])
    commune = SelectField(_l("Commune"), coerce=optional_int, validators=[Optional()])
    sort = SelectField(
        _l("Trier par"),
        choices=options(
            [
                ("recent", _l("Les plus récentes")),
                ("oldest", _l("Les plus anciennes")),
                ("activity", _l("Dernière activité")),
                ("status", _l("État")),
                ("commune", _l("Commune")),
            ]
        ),
        default="recent",
        validators=[Optional()],
    )

    def fill_choices(self, services, communes) -> None:
        self.status.choices = options(
            [("", _l("Tous"))] + [(s.value, label) for s, label in status_labels().items()]
        )
        self.service.choices = options(
            [("", _l("Tous")), ("none", _l("Sans service"))]
            + [(str(s.id), s.name) for s in services]
        )
        self.commune.choices = options([("", _l("Toutes"))] + [(c.id, c.name) for c in communes])
