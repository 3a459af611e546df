"""Forms of the hearings' schedule."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import optional_int, options, strip
from app.i18n import _l

_REQUIRED = _l("Ce champ est obligatoire.")


class SlotForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_REQUIRED)])
    starts = TimeField(_l("Début (heure de Paris)"), validators=[InputRequired(_REQUIRED)])
    ends = TimeField(_l("Fin (heure de Paris)"), validators=[InputRequired(_REQUIRED)])
    location = StringField(
        _l("Lieu"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=300)],
        description=_l("Salle et adresse, par exemple : Hôtel communautaire, salle 2, Liévin."),
    )
    submit = SubmitField(_l("Ajouter le créneau"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.ends.data <= self.starts.data:
            self.ends.errors = [*self.ends.errors, _l("L'heure de fin doit suivre le début.")]
            ok = False
        return ok


class ProposeForm(FlaskForm):
    replace = BooleanField(_l("Je remplace les groupes proposés qui n'ont pas été invités"))
    submit = SubmitField(_l("Proposer un planning"))


class MoveForm(FlaskForm):
    hearing_id = SelectField(
        _l("Déplacer vers"), coerce=optional_int, validators=[InputRequired(_REQUIRED)]
    )
    submit = SubmitField(_l("Déplacer"))

    def fill_choices(self, hearings, label) -> None:
        self.hearing_id.choices = options((h.id, label(h)) for h in hearings)


class HearingSlotForm(FlaskForm):
    slot_id = SelectField(_l("Créneau"), coerce=optional_int, validators=[Optional()])
    submit = SubmitField(_l("Changer le créneau"))

    def fill_choices(self, slots, label) -> None:
        self.slot_id.choices = options(
            [("", _l("— Sans créneau —"))] + [(s.id, label(s)) for s in slots]
        )
