"""Forms of the saisines pages."""

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
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import options, strip
from app.i18n import _l
from app.questionnaires.forms import QuestionForm, question_type_labels  # noqa: F401
from app.submissions import OnceField
from consultations.saisines.models import Opinion, SaisineKind, SilenceRule

_REQUIRED = _l("Ce champ est obligatoire.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def kind_labels():
    return {
        SaisineKind.OPINION: _l("Demande d'avis"),
        SaisineKind.DATA: _l("Collecte de données"),
        SaisineKind.BOTH: _l("Avis et collecte de données"),
    }


def silence_labels():
    return {
        SilenceRule.FAVOURABLE: _l("Avis réputé favorable"),
        SilenceRule.NO_OPINION: _l("Pas d'avis (absence de réponse)"),
    }


def opinion_labels():
    return {
        Opinion.FAVORABLE: _l("Favorable"),
        Opinion.FAVORABLE_WITH_RESERVATIONS: _l("Favorable avec réserves"),
        Opinion.UNFAVORABLE: _l("Défavorable"),
        Opinion.ABSTENTION: _l("Abstention"),
    }


class SaisineForm(FlaskForm):
    reference = StringField(
        _l("Référence"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=60)],
        description=_l("Votre référence interne, par exemple 2026-PLUi-03."),
    )
    title = StringField(
        _l("Objet de la saisine"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=300)],
    )
    description = TextAreaField(
        _l("Présentation"),
        validators=[Optional(), Length(max=50000)],
        description=_l(
            "Texte présenté aux communes. Les paragraphes sont conservés ; la mise en forme "
            "HTML simple (gras, listes, liens) est acceptée."
        ),
        render_kw={"rows": 8},
    )
    kind = RadioField(_l("Nature de la saisine"), validators=[DataRequired(_REQUIRED)])
    opens_on = DateField(_l("Date d'ouverture"), validators=[DataRequired(_REQUIRED)])
    opens_time = TimeField(_l("Heure d'ouverture (heure de Paris)"), validators=[Optional()])
    deadline_on = DateField(_l("Date limite de réponse"), validators=[DataRequired(_REQUIRED)])
    deadline_time = TimeField(
        _l("Heure limite (heure de Paris)"),
        validators=[Optional()],
        description=_l("Par défaut 23 h 59."),
    )
    silence_rule = RadioField(
        _l("En l'absence de réponse à la date limite"), validators=[DataRequired(_REQUIRED)]
    )
    legal_basis = TextAreaField(
        _l("Fondement juridique présenté aux communes"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Par exemple : article L153-15 du code de l'urbanisme, avis réputé favorable "
            "après trois mois."
        ),
        render_kw={"rows": 3},
    )
    target_mode = RadioField(
        _l("Communes consultées"),
        choices=options(
            [
                ("all", _l("Toutes les communes")),
                ("sector", _l("Les communes de certains secteurs")),
                ("list", _l("Une liste de communes")),
            ]
        ),
        default="all",
    )
    sectors = MultiCheckboxField(_l("Secteurs"), coerce=int, validators=[Optional()])
    communes = MultiCheckboxField(_l("Communes"), coerce=int, validators=[Optional()])
    documents = MultipleFileField(
        _l("Documents joints"),
        description=_l("PDF ou documents bureautiques, 20 Mo au plus chacun."),
    )
    submit = SubmitField(_l("Enregistrer"))

    def fill_choices(self, sectors, communes) -> None:
        self.kind.choices = options(kind_labels().items())
        self.silence_rule.choices = options(silence_labels().items())
        self.sectors.choices = options((s.id, s.name) for s in sectors)
        self.communes.choices = options((c.id, c.name) for c in communes)


class ExtendForm(FlaskForm):
    deadline_on = DateField(_l("Nouvelle date limite"), validators=[DataRequired(_REQUIRED)])
    deadline_time = TimeField(_l("Heure limite (heure de Paris)"), validators=[Optional()])
    reason = TextAreaField(
        _l("Motif, communiqué à toutes les communes consultées"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=2000)],
    )
    submit = SubmitField(_l("Prolonger le délai"))


class ResponseForm(FlaskForm):
    """The fixed part of the response; questionnaire answers are read by rules of their own."""

    opinion = RadioField(_l("Avis de la commune"), validators=[Optional()])
    motivation = TextAreaField(
        _l("Motivation"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Obligatoire pour tout avis autre que favorable."),
        render_kw={"rows": 6},
    )
    attachments = MultipleFileField(
        _l("Pièces jointes"),
        description=_l(
            "Par exemple la délibération du conseil municipal (PDF ou document bureautique, "
            "20 Mo au plus)."
        ),
    )
    lock_version = HiddenField()
    #: a double click on « Signer » signs once (one version, one receipt)
    once = OnceField()
    save = SubmitField(_l("Enregistrer le brouillon"))
    sign = SubmitField(_l("Signer et transmettre la réponse"))

    def fill_choices(self) -> None:
        self.opinion.choices = options(opinion_labels().items())


class DelegationForm(FlaskForm):
    user_id = SelectField(_l("Personne déléguée"), coerce=int, validators=[DataRequired(_REQUIRED)])
    submit = SubmitField(_l("Déléguer la signature"))
