"""Forms of the jury's pages: seating members, declarations of interest, the scoring grid."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length

from ami.messages import college_labels
from ami.models import College
from app.forms import optional_int, options, strip
from app.i18n import _l

_REQUIRED = _l("Ce champ est obligatoire.")


def _college_choices():
    labels = college_labels()
    return options((c.value, labels[c]) for c in College)


class AddMemberForm(FlaskForm):
    """Seat an existing person of the organisation."""

    user_id = SelectField(_l("Personne"), coerce=optional_int, validators=[DataRequired(_REQUIRED)])
    college = SelectField(_l("Collège"), validators=[DataRequired(_REQUIRED)])
    submit = SubmitField(_l("Ajouter au jury"))

    def fill_choices(self, people) -> None:
        self.user_id.choices = options(
            [("", _l("— Choisir —"))] + [(p.id, f"{p.display_name} ({p.email})") for p in people]
        )
        self.college.choices = _college_choices()


class InviteMemberForm(FlaskForm):
    """Invite a new person by e-mail and seat them."""

    display_name = StringField(
        _l("Nom et prénom"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=200)]
    )
    email = EmailField(
        _l("Adresse e-mail"),
        filters=[strip],
        validators=[
            DataRequired(_REQUIRED),
            Email(_l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")),
            Length(max=254),
        ],
    )
    college = SelectField(_l("Collège"), validators=[DataRequired(_REQUIRED)])
    submit = SubmitField(_l("Inviter au jury"))

    def fill_choices(self) -> None:
        self.college.choices = _college_choices()


class RemoveMemberForm(FlaskForm):
    member_id = HiddenField()
    submit = SubmitField(_l("Retirer du jury"))


class DeclarationForm(FlaskForm):
    conflict = RadioField(
        _l("Lien d'intérêt avec ce porteur"),
        validators=[DataRequired(_l("Choisissez une réponse."))],
    )
    reason = StringField(
        _l("Nature du lien (en cas de conflit)"),
        filters=[strip],
        validators=[Length(max=500)],
        description=_l("Par exemple : membre du bureau de l'association, salarié(e), proche."),
    )
    submit_declaration = SubmitField(_l("Enregistrer ma déclaration"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict.choices = options(
            [
                ("no", _l("Je n'ai aucun lien d'intérêt avec ce porteur")),
                ("yes", _l("J'ai un conflit d'intérêts : je me déporte")),
            ]
        )

    def validate_reason(self, field) -> None:
        if self.conflict.data == "yes" and not field.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Indiquez la nature du conflit d'intérêts."))


class GridForm(FlaskForm):
    """The scoring grid: its fields are read by criterion from the request (score-<id>,
    comment-<id>), because the criteria are the call's."""

    submit_scores = SubmitField(_l("Enregistrer mes notes"))


def read_grid(criteria, formdata) -> tuple[dict[int, tuple[int | None, str]], dict[int, str]]:
    """The values typed for each criterion, and errors by criterion id."""
    values: dict[int, tuple[int | None, str]] = {}
    errors: dict[int, str] = {}
    for criterion in criteria:
        raw = (formdata.get(f"score-{criterion.id}") or "").strip()
        comment = (formdata.get(f"comment-{criterion.id}") or "").strip()
        value = None
        if raw:
            try:
                value = int(raw)
            except ValueError:
                value = -1
            if not 0 <= value <= 5:
                errors[criterion.id] = str(_l("Choisissez une note de 0 à 5."))
                value = None
        if len(comment) > 2000:
            errors[criterion.id] = str(_l("Le commentaire dépasse 2 000 caractères."))
        values[criterion.id] = (value, comment)
    return values, errors
