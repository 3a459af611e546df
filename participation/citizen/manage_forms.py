"""Forms of the EPCI's consultation pages, the labels of their values and refusal messages."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    MultipleFileField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import options, strip
from app.i18n import _, _l
from app.questionnaires import QuestionType
from app.questionnaires.forms import QuestionForm, question_type_labels
from app.web import PARIS
from participation.citizen.manage_services import (
    MAX_THEME_LENGTH,
    MAX_THEMES,
    ConsultationData,
)
from participation.citizen.models import ContentStatus, Moderation, Phase

_REQUIRED = _l("Ce champ est obligatoire.")
#: the first format is the one the browser's date and time picker reads
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


# --- labels --------------------------------------------------------------------------------


def phase_labels() -> dict:
    return {
        Phase.UPCOMING: _("À venir"),
        Phase.INFORMATION: _("Information"),
        Phase.CONTRIBUTIONS: _("Contributions ouvertes"),
        Phase.SYNTHESIS: _("Synthèse"),
        Phase.FEEDBACK: _("Retour aux habitants"),
    }


def status_labels() -> dict:
    return {
        ContentStatus.PENDING: _("En attente de modération"),
        ContentStatus.PUBLISHED: _("Publiée"),
        ContentStatus.HIDDEN: _("Masquée"),
    }


def feedback_labels() -> dict:
    return {
        "retained": _("Retenue"),
        "partly": _("Retenue en partie"),
        "not_retained": _("Non retenue"),
    }


def moderation_labels() -> dict:
    return {
        Moderation.PRE: _l("A priori : les contributions sont publiées après relecture"),
        Moderation.POST: _l("A posteriori : publiées aussitôt, masquées au besoin"),
    }


def label(kind: str, value) -> str:
    """The label of a phase, status, feedback status or moderation mode, for the templates."""
    tables = {
        "phase": phase_labels,
        "status": status_labels,
        "feedback": feedback_labels,
        "moderation": moderation_labels,
    }
    if value is None:
        return _("Pas encore de réponse") if kind == "feedback" else ""
    return str(tables[kind]().get(value, value))


def error_message(exc) -> str:
    messages = {
        "dates_order": _(
            "Les dates doivent se suivre : information, début puis fin des contributions, "
            "synthèse, retour aux habitants ; la fin des contributions vient après leur début."
        ),
        "no_commune": _("Choisissez au moins une commune concernée."),
        "themes_too_long": _(
            "Au plus %(max)d thématiques, de 120 caractères au plus chacune.",
            max=exc.params.get("max", MAX_THEMES),
        ),
        "theme_in_use": _(
            "Des propositions relèvent de ces thématiques, qui ne peuvent donc pas être "
            "retirées : %(themes)s.",
            themes=" ; ".join(exc.params.get("themes", [])),
        ),
        "questionnaire_frozen": _(
            "Des habitants ont déjà répondu au questionnaire : ses questions ne peuvent plus "
            "changer."
        ),
        "two_choices_needed": _("Proposez au moins deux choix, un par ligne."),
        "question_type": _("Ce type de réponse n'est pas proposé aux habitants."),
        "feedback_status": _("Choisissez une suite parmi celles proposées."),
        "feedback_status_needed": _("Indiquez si la proposition est retenue."),
    }
    return messages.get(exc.code, _("L'action n'a pas pu être effectuée."))


# --- dates ---------------------------------------------------------------------------------


def to_utc(moment: datetime | None) -> datetime | None:
    """A date and time typed in Paris time (aware, from the form) in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC)


def _paris_datetime(text, **kwargs):
    """A date and time typed in Paris time (InputRequired keeps the "not a date" error)."""
    return DateTimeLocalField(
        text,
        format=list(_DATETIME_FORMATS),
        tz=PARIS,
        invalid_value_message=_l("Saisissez une date et une heure valides."),
        **kwargs,
    )


# --- forms ---------------------------------------------------------------------------------


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def theme_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ConsultationForm(FlaskForm):
    title = StringField(
        _l("Titre de la consultation"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=300)],
    )
    presentation = TextAreaField(
        _l("Présentation"),
        validators=[Optional(), Length(max=50000)],
        description=_l(
            "Le projet, ses enjeux et ce que l'EPCI fera des contributions. Les paragraphes "
            "sont conservés ; la mise en forme HTML simple (gras, listes, liens) est acceptée."
        ),
        render_kw={"rows": 10},
    )
    new_documents = MultipleFileField(
        _l("Documents à consulter"),
        description=_l("PDF, documents bureautiques ou images, 20 Mo au plus chacun."),
    )
    theme_names = TextAreaField(
        _l("Thématiques"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Une thématique par ligne, par exemple « Mobilités »."),
        render_kw={"rows": 5},
    )
    commune_mode = RadioField(
        _l("Communes concernées"),
        choices=options(
            [("all", _l("Toutes les communes")), ("list", _l("Une liste de communes"))]
        ),
        default="all",
    )
    commune_ids = MultiCheckboxField(_l("Communes"), coerce=int, validators=[Optional()])
    information_starts_at = _paris_datetime(
        _l("Début de l'information (heure de Paris)"),
        validators=[InputRequired(_REQUIRED)],
        description=_l("La consultation est présentée aux habitants à partir de cette date."),
    )
    contributions_start_at = _paris_datetime(
        _l("Ouverture des contributions (heure de Paris)"), validators=[InputRequired(_REQUIRED)]
    )
    contributions_end_at = _paris_datetime(
        _l("Clôture des contributions (heure de Paris)"), validators=[InputRequired(_REQUIRED)]
    )
    synthesis_starts_at = _paris_datetime(
        _l("Début de la synthèse (heure de Paris)"),
        validators=[Optional()],
        description=_l("Par défaut, à la clôture des contributions."),
    )
    feedback_starts_at = _paris_datetime(
        _l("Retour aux habitants (heure de Paris)"),
        validators=[InputRequired(_REQUIRED)],
        description=_l("Les réponses de l'EPCI aux propositions sont publiées à cette date."),
    )
    allow_proposals = BooleanField(_l("Les habitants peuvent déposer des propositions"))
    allow_comments = BooleanField(_l("Les habitants peuvent commenter les propositions"))
    allow_supports = BooleanField(_l("Les habitants peuvent soutenir les propositions"))
    allow_questionnaire = BooleanField(_l("Les habitants peuvent répondre au questionnaire"))
    moderation = RadioField(_l("Modération"), validators=[DataRequired(_REQUIRED)])
    submit = SubmitField(_l("Enregistrer"))

    def fill_choices(self, communes) -> None:
        self.moderation.choices = options(moderation_labels().items())
        self.commune_ids.choices = options((c.id, c.name) for c in communes)

    def validate_theme_names(self, field) -> None:
        lines = theme_lines(field.data)
        if len(lines) > MAX_THEMES:
            raise ValidationError(_("Au plus %(max)d thématiques.", max=MAX_THEMES))
        if any(len(line) > MAX_THEME_LENGTH for line in lines):
            raise ValidationError(
                _("Une thématique compte au plus %(max)d caractères.", max=MAX_THEME_LENGTH)
            )

    def consultation_data(self, communes, to_html) -> ConsultationData:
        """What the service needs; `to_html` turns the typed presentation into clean HTML."""
        if self.commune_mode.data == "list":
            chosen = set(self.commune_ids.data or [])
            concerned = [c for c in communes if c.id in chosen]
        else:
            concerned = list(communes)
        end = to_utc(self.contributions_end_at.data)
        return ConsultationData(
            title=self.title.data,
            presentation=to_html(self.presentation.data or ""),
            information_starts_at=to_utc(self.information_starts_at.data),
            contributions_start_at=to_utc(self.contributions_start_at.data),
            contributions_end_at=end,
            synthesis_starts_at=to_utc(self.synthesis_starts_at.data) or end,
            feedback_starts_at=to_utc(self.feedback_starts_at.data),
            moderation=Moderation(self.moderation.data),
            allow_proposals=bool(self.allow_proposals.data),
            allow_comments=bool(self.allow_comments.data),
            allow_supports=bool(self.allow_supports.data),
            allow_questionnaire=bool(self.allow_questionnaire.data),
            themes=theme_lines(self.theme_names.data),
            communes=concerned,
        )

    def validate_commune_ids(self, field) -> None:
        if self.commune_mode.data == "list" and not field.data:
            raise ValidationError(_("Choisissez au moins une commune concernée."))


class ConsultationQuestionForm(QuestionForm):
    """The saisines' question form, without file answers (participants send no files)."""

    def fill_choices(self) -> None:
        self.type.choices = options(citizen_question_labels().items())

    def question_data(self) -> dict:
        lines = (self.choices.data or "").splitlines()
        return {
            "label": self.label.data,
            "type": QuestionType(self.type.data),
            "required": bool(self.required.data),
            "help_text": self.help_text.data or "",
            "unit": self.unit.data or "",
            "choices": [line.strip() for line in lines if line.strip()],
        }


def citizen_question_labels() -> dict:
    labels = question_type_labels()
    labels.pop(QuestionType.FILE, None)
    return labels


class SynthesisForm(FlaskForm):
    synthesis = TextAreaField(
        _l("Synthèse de la consultation"),
        validators=[Optional(), Length(max=100000)],
        description=_l(
            "Ce que disent les contributions, publié à partir de la phase de synthèse. Les "
            "paragraphes sont conservés ; la mise en forme HTML simple est acceptée."
        ),
        render_kw={"rows": 14},
    )
    submit = SubmitField(_l("Enregistrer la synthèse"))


class FeedbackForm(FlaskForm):
    feedback_status = RadioField(_l("Suite donnée"), validators=[Optional()], default="")
    feedback = TextAreaField(
        _l("Ce que nous en retenons"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Publié avec la proposition à partir de la phase de retour."),
        render_kw={"rows": 6},
    )
    submit = SubmitField(_l("Enregistrer la réponse"))

    def fill_choices(self) -> None:
        self.feedback_status.choices = options(
            [("", _l("Pas encore de réponse")), *feedback_labels().items()]
        )
