"""Forms of cooperation tracking: an association declares a cooperation with another, the EPCI
declares one between any two, either side removes one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ami.network.services.cooperation import DESCRIPTION_MAX, FIRST_YEAR, LAST_YEAR
from app.forms import optional_int, options, strip
from app.i18n import _l

_REQUIRED = _l("Ce champ est obligatoire.")
_CHOOSE = _l("Choisissez une association.")


def _year_field():
    return IntegerField(
        _l("Année de la coopération"),
        validators=[
            InputRequired(_l("Indiquez l'année de la coopération.")),
            NumberRange(
                min=FIRST_YEAR,
                max=LAST_YEAR,
                message=_l(
                    "Indiquez une année entre %(first)s et %(last)s.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                ),
            ),
        ],
        render_kw={"inputmode": "numeric", "min": FIRST_YEAR, "max": LAST_YEAR},
    )


def _description_field():
    return TextAreaField(
        _l("Ce que vous faites ensemble"),
        filters=[strip],
        validators=[
            DataRequired(_REQUIRED),
            Length(
                max=DESCRIPTION_MAX,
                message=_l("%(max)d caractères au plus.", max=DESCRIPTION_MAX),
            ),
        ],
        description=_l(
            "Une action commune, des locaux partagés, des bénévoles mis à disposition… "
            "%(max)d caractères au plus.",
            max=DESCRIPTION_MAX,
        ),
        render_kw={"rows": 4, "maxlength": DESCRIPTION_MAX},
    )


def _association_choices(associations, exclude_id=None):
    return options(
        [("", _l("— Choisir —"))] + [(a.id, a.name) for a in associations if a.id != exclude_id]
    )


class CooperationForm(FlaskForm):
    """An association declares a cooperation with another of the organisation."""

    partner_id = SelectField(
        _l("Association partenaire"),
        coerce=optional_int,
        validators=[InputRequired(_CHOOSE)],
        validate_choice=False,  # checked below, with a clearer message for itself
    )
    year = _year_field()
    description = _description_field()
    submit = SubmitField(_l("Déclarer la coopération"))

    def fill_choices(self, associations, mine) -> None:
        self._mine_id = mine.id
        self._known = {a.id for a in associations}
        self.partner_id.choices = _association_choices(associations, mine.id)

    def validate_partner_id(self, field) -> None:
        if field.data == self._mine_id:
            raise ValidationError(
                str(_l("Une association ne peut pas déclarer une coopération avec elle-même."))
            )
        if field.data not in self._known:
            raise ValidationError(str(_CHOOSE))


class AdminCooperationForm(FlaskForm):
    """The EPCI declares a cooperation between two associations."""

    first_id = SelectField(
        _l("Première association"), coerce=optional_int, validators=[InputRequired(_CHOOSE)]
    )
    second_id = SelectField(
        _l("Seconde association"), coerce=optional_int, validators=[InputRequired(_CHOOSE)]
    )
    year = _year_field()
    description = _description_field()
    submit = SubmitField(_l("Déclarer la coopération"))

    def fill_choices(self, associations) -> None:
        self.first_id.choices = _association_choices(associations)
        self.second_id.choices = _association_choices(associations)

    def validate_second_id(self, field) -> None:
        if field.data == self.first_id.data:
            raise ValidationError(str(_l("Choisissez deux associations différentes.")))


class DeleteCooperationForm(FlaskForm):
    """Remove a declared cooperation; `next` brings the person back where they were."""

    next = HiddenField()
