"""Forms of the deliberation: opening it, recording a decision, notifying."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ami.forms.common import EuroField
from ami.messages import outcome_labels
from ami.models import Outcome
from app.forms import optional_int, options
from app.i18n import _l

_REQUIRED = _l("Ce champ est obligatoire.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OpenDeliberationForm(FlaskForm):
    submit = SubmitField(_l("Ouvrir la délibération"))


class NotifyForm(FlaskForm):
    submit = SubmitField(_l("Notifier les décisions"))


class DecisionForm(FlaskForm):
    outcome = RadioField(_l("Décision"), validators=[DataRequired(_REQUIRED)])
    granted = EuroField(_l("Montant attribué (euros)"))
    co_funder_id = SelectField(
        _l("Cofinanceur"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Facultatif : partenaire qui prend en charge une part de la subvention."),
    )
    co_funded = EuroField(_l("Part du cofinanceur (euros)"))
    referral_note = TextAreaField(
        _l("Dispositif vers lequel le projet est réorienté"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    introduction_ids = MultiCheckboxField(
        _l("Associations à rencontrer"), coerce=int, validators=[Optional()]
    )
    motivation = TextAreaField(
        _l("Motivation (interne, non communiquée à l'association)"),
        validators=[DataRequired(_REQUIRED), Length(max=5000)],
        render_kw={"rows": 4},
    )
    advice = TextAreaField(
        _l("Conseils du jury pour l'association"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Communiqués à l'association avec la décision."),
        render_kw={"rows": 4},
    )
    confirm_overrun = BooleanField(_l("Confirmer malgré le dépassement de l'enveloppe"))
    submit = SubmitField(_l("Enregistrer la décision"))

    def fill_choices(self, co_funders, associations) -> None:
        labels = outcome_labels()
        self.outcome.choices = options((o.value, labels[o]) for o in Outcome)
        self.co_funder_id.choices = options(
            [("", _l("— Aucun —"))] + [(c.id, c.name) for c in co_funders]
        )
        self.introduction_ids.choices = options((a.id, a.name) for a in associations)

    def validate(self, extra_validators=None) -> bool:
        """The fields each outcome needs (checked here: their own validators are optional)."""
        valid = super().validate(extra_validators)
        outcome = self.outcome.data
        if outcome == Outcome.FUNDED and not self.granted.data:
            self.granted.errors = [*self.granted.errors, _l("Indiquez le montant attribué.")]
            valid = False
        if outcome == Outcome.REDIRECTED and not (self.referral_note.data or "").strip():
            self.referral_note.errors = [
                *self.referral_note.errors,
                _l("Nommez le dispositif vers lequel le projet est réorienté."),
            ]
            valid = False
        if outcome == Outcome.INTRODUCED and not self.introduction_ids.data:
            self.introduction_ids.errors = [
                *self.introduction_ids.errors,
                _l("Choisissez au moins une association à rencontrer."),
            ]
            valid = False
        return valid
