"""The form of one question, for every questionnaire builder."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import options, strip
from app.i18n import _l
from app.questionnaires import QuestionType

_REQUIRED = _l("Ce champ est obligatoire.")


def question_type_labels():
    return {
        QuestionType.SHORT_TEXT: _l("Texte court"),
        QuestionType.LONG_TEXT: _l("Texte long"),
        QuestionType.INTEGER: _l("Nombre entier"),
        QuestionType.DECIMAL: _l("Nombre décimal"),
        QuestionType.DATE: _l("Date"),
        QuestionType.YES_NO: _l("Oui / non"),
        QuestionType.SINGLE_CHOICE: _l("Choix unique"),
        QuestionType.MULTIPLE_CHOICE: _l("Choix multiples"),
        QuestionType.FILE: _l("Fichier"),
    }


class QuestionForm(FlaskForm):
    label = StringField(
        _l("Question"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=500)]
    )
    type = SelectField(_l("Type de réponse"), validators=[DataRequired(_REQUIRED)])
    required = BooleanField(_l("Réponse obligatoire"))
    help_text = TextAreaField(
        _l("Aide"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    unit = StringField(
        _l("Unité"),
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description=_l("Pour un nombre : m², €, logements…"),
    )
    choices = TextAreaField(
        _l("Choix proposés"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Pour un choix unique ou multiple : un choix par ligne."),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Enregistrer la question"))

    def fill_choices(self) -> None:
        self.type.choices = options(question_type_labels().items())
