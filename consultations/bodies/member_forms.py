"""The members' forms: the answer to a convocation, a live vote, a meeting request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.forms import optional_int, options, strip
from app.i18n import _, _l
from app.submissions import OnceField

_REQUIRED = _l("Ce champ est obligatoire.")


class AnswerForm(FlaskForm):
    """Will the member attend? "Represented" gives a proxy to another member."""

    answer = RadioField(
        _l("Votre présence"),
        choices=[
            SelectChoice("present", _l("Je serai présent(e)")),
            SelectChoice("absent", _l("Je serai absent(e), sans donner pouvoir")),
            SelectChoice(
                "represented", _l("Je serai absent(e) et je donne pouvoir à un autre membre")
            ),
        ],
        validators=[InputRequired(_l("Indiquez si vous serez présent(e)."))],
    )
    holder_id = SelectField(
        _l("Membre à qui vous donnez pouvoir"),
        coerce=optional_int,
        # the services refuse a non-member, a chain or a full holder with a clear message
        validate_choice=False,
        description=_l(
            "Seulement si vous donnez pouvoir : ce membre votera pour vous s'il est présent."
        ),
    )

    def fill_holders(self, members) -> None:
        """`members`: (member, note) for the other current members of the body."""
        self.holder_id.choices = options(
            [("", _("— Choisir un membre —"))]
            + [
                (m.id, f"{member_label(m)} ({note})" if note else member_label(m))
                for m, note in members
            ]
        )

    def validate_holder_id(self, field) -> None:
        if self.answer.data == "represented" and not field.data:
            raise ValidationError(_("Choisissez le membre à qui vous donnez pouvoir."))


def member_label(member) -> str:
    name = member.user.display_name
    return f"{name} — {member.commune.name}" if member.commune else name


VOTE_CHOICES = [
    ("for", _l("Pour")),
    ("against", _l("Contre")),
    ("abstain", _l("Abstention")),
    ("not_voting", _l("Ne prend pas part au vote")),
]


class VoteForm(FlaskForm):
    """One voice on one item: the member's own, or that of the member whose proxy they hold."""

    member_id = HiddenField(validators=[DataRequired()])
    #: one token per voice's form: a double click counts once and says so
    once = OnceField()
    choice = RadioField(
        _l("Votre vote"),
        choices=[SelectChoice(value, label) for value, label in VOTE_CHOICES],
        validators=[InputRequired(_l("Choisissez votre vote."))],
    )


class MeetingRequestForm(FlaskForm):
    subject = StringField(
        _l("Objet de la réunion demandée"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=300)],
        description=_l("Par exemple : « Avenir de la collecte des déchets ménagers »."),
    )
    description = TextAreaField(
        _l("Motifs et précisions"),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
        description=_l("Facultatif : ce que les signataires souhaitent voir débattu."),
    )
