"""Forms of the essaimage day: the day itself, the invitations, an association's answer and
the plan."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ami.forms.calls import MultiCheckboxField
from app.forms import options, strip
from app.i18n import _, _l

_REQUIRED = _l("Ce champ est obligatoire.")


class EssaimageDayForm(FlaskForm):
    year = IntegerField(
        _l("Année de l'AMI"),
        validators=[InputRequired(_REQUIRED), NumberRange(2000, 2100, _l("Année invalide."))],
        description=_l("Les associations financées cette année-là sont invitées."),
    )
    title = StringField(
        _l("Titre"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=200)]
    )
    description = TextAreaField(
        _l("Présentation"),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
        description=_l("Texte simple, repris dans l'invitation."),
        render_kw={"rows": 5},
    )
    location = StringField(
        _l("Lieu"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=300)],
        description=_l("Salle et adresse, par exemple : Hôtel communautaire, Liévin."),
    )
    day = DateField(_l("Date"), validators=[InputRequired(_REQUIRED)])
    starts = TimeField(_l("Début (heure de Paris)"), validators=[InputRequired(_REQUIRED)])
    ends = TimeField(_l("Fin (heure de Paris)"), validators=[InputRequired(_REQUIRED)])
    meetings_start = TimeField(
        _l("Début des rencontres express (heure de Paris)"),
        validators=[InputRequired(_REQUIRED)],
        description=_l("Les tours s'enchaînent à partir de cette heure."),
    )
    rounds = IntegerField(
        _l("Nombre de tours"),
        default=4,
        validators=[InputRequired(_REQUIRED), NumberRange(1, 12, _l("De 1 à 12 tours."))],
    )
    round_minutes = IntegerField(
        _l("Minutes par tour"),
        default=10,
        validators=[InputRequired(_REQUIRED), NumberRange(5, 60, _l("De 5 à 60 minutes."))],
    )
    table_size = IntegerField(
        _l("Associations par table"),
        default=2,
        validators=[InputRequired(_REQUIRED), NumberRange(2, 6, _l("De 2 à 6 par table."))],
        description=_l("2 : en tête-à-tête ; jusqu'à 6 pour de petites tables."),
    )
    registration_closes_on = DateField(
        _l("Clôture des inscriptions"),
        validators=[Optional()],
        description=_l(
            "Facultatif : les inscriptions restent ouvertes jusqu'à 23 h 59 ce jour-là ; "
            "sans date, jusqu'au début de la journée."
        ),
    )
    submit = SubmitField(_l("Enregistrer"))


class InviteForm(FlaskForm):
    association_ids = MultiCheckboxField(_l("Associations à inviter"), coerce=int)
    submit = SubmitField(_l("Inviter les associations cochées"))

    def fill_choices(self, associations) -> None:
        self.association_ids.choices = options((a.id, a.name) for a in associations)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.association_ids.data:
            self.association_ids.errors = [_("Cochez au moins une association.")]
            ok = False
        return ok


class ResponseForm(FlaskForm):
    answer = RadioField(
        _l("Votre réponse"),
        choices=[
            SelectChoice("register", _l("Nous venons")),
            SelectChoice("decline", _l("Nous ne pourrons pas venir")),
        ],
        validators=[InputRequired(_l("Choisissez une réponse."))],
    )
    attendees = IntegerField(
        _l("Nombre de personnes (1 à 5)"),
        validators=[Optional(), NumberRange(1, 5, _l("Indiquez de 1 à 5 personnes."))],
        description=_l("Si vous venez : combien de personnes de l'association seront là."),
    )
    submit = SubmitField(_l("Envoyer ma réponse"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.answer.data == "register" and self.attendees.data is None:
            self.attendees.errors = [_("Indiquez combien de personnes viendront (1 à 5).")]
            ok = False
        return ok


class BuildPlanForm(FlaskForm):
    replace = BooleanField(_l("Je remplace le plan déjà construit (il sera envoyé de nouveau)"))
    submit = SubmitField(_l("Construire le plan des rencontres"))
