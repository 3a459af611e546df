"""Forms of the conseil de développement's pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import optional_int, options, strip
from app.i18n import _l
from app.submissions import OnceField
from app.voting import VoteChoice

_REQUIRED = _l("Ce champ est obligatoire.")
_RICH_HELP = _l(
    "Les paragraphes sont conservés ; la mise en forme HTML simple (gras, listes, liens) est "
    "acceptée."
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def vote_choice_labels() -> dict[VoteChoice, str]:
    return {
        VoteChoice.FOR: _l("Pour"),
        VoteChoice.AGAINST: _l("Contre"),
        VoteChoice.ABSTAIN: _l("Abstention"),
        VoteChoice.NOT_VOTING: _l("Ne prend pas part au vote"),
    }


class OfficesForm(FlaskForm):
    president_id = SelectField(_l("Président(e)"), coerce=optional_int, validators=[Optional()])
    bureau_ids = MultiCheckboxField(_l("Membres du bureau"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Enregistrer"))

    def fill_choices(self, members) -> None:
        self.president_id.choices = options(
            [("", _l("— Aucun(e) —"))] + [(m.id, m.display_name) for m in members]
        )
        self.bureau_ids.choices = options((m.id, m.display_name) for m in members)


class ReferralForm(FlaskForm):
    title = StringField(
        _l("Sujet"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=300)]
    )
    description = TextAreaField(
        _l("Présentation"),
        validators=[Optional(), Length(max=50000)],
        description=_RICH_HELP,
        render_kw={"rows": 8},
    )
    deadline_on = DateField(
        _l("Date attendue de la contribution"),
        validators=[Optional()],
        description=_l("Facultative."),
    )
    deadline_time = TimeField(
        _l("Heure (heure de Paris)"), validators=[Optional()], description=_l("Par défaut 23 h 59.")
    )
    documents = MultipleFileField(
        _l("Documents joints"),
        description=_l("PDF, documents bureautiques ou images, 20 Mo au plus chacun."),
    )
    submit = SubmitField(_l("Enregistrer"))


class ContributionForm(FlaskForm):
    title = StringField(
        _l("Titre"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=300)]
    )
    referral_id = SelectField(
        _l("Saisine"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Laissez vide pour une contribution libre."),
    )
    body = TextAreaField(
        _l("Texte"),
        validators=[Optional(), Length(max=100000)],
        description=_RICH_HELP,
        render_kw={"rows": 14},
    )
    submit = SubmitField(_l("Commencer la contribution"))

    def fill_choices(self, referrals) -> None:
        self.referral_id.choices = options(
            [("", _l("— Contribution libre —"))] + [(r.id, r.title) for r in referrals]
        )


class EditForm(FlaskForm):
    title = StringField(
        _l("Titre"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=300)]
    )
    body = TextAreaField(
        _l("Texte"),
        validators=[Optional(), Length(max=100000)],
        description=_RICH_HELP,
        render_kw={"rows": 18},
    )
    note = StringField(
        _l("Ce qui change"),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
        description=_l("Quelques mots pour l'historique, par exemple « reprise de la partie 2 »."),
    )
    lock_version = HiddenField()
    submit = SubmitField(_l("Enregistrer une nouvelle version"))

    def expected_version(self) -> int:
        """The version the person started from; 0 (never current) if the field was tampered."""
        value = (self.lock_version.data or "").strip()
        return int(value) if value.isdigit() else 0


class CoAuthorForm(FlaskForm):
    user_id = SelectField(
        _l("Membre du conseil"), coerce=optional_int, validators=[DataRequired(_REQUIRED)]
    )
    submit = SubmitField(_l("Ajouter comme co-auteur"))

    def fill_choices(self, members) -> None:
        self.user_id.choices = options(
            [("", _l("— Choisir —"))] + [(m.id, m.display_name) for m in members]
        )


class VoteForm(FlaskForm):
    choice = RadioField(_l("Votre vote"), validators=[InputRequired(_l("Choisissez votre vote."))])
    #: a double click counts once and says so
    once = OnceField()
    submit = SubmitField(_l("Voter"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.choices = options(vote_choice_labels().items())


class FollowUpForm(FlaskForm):
    retained = TextAreaField(
        _l("Ce que l'EPCI retient"),
        validators=[Optional(), Length(max=50000)],
        description=_RICH_HELP,
        render_kw={"rows": 8},
    )
    not_retained = TextAreaField(
        _l("Ce que l'EPCI ne retient pas, et pourquoi"),
        validators=[Optional(), Length(max=50000)],
        description=_RICH_HELP,
        render_kw={"rows": 8},
    )
    submit = SubmitField(_l("Publier la réponse"))
