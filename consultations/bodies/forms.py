"""Forms of the EPCI's pages of bodies (the members' forms live with their pages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from app.forms import optional_int, options, strip
from app.i18n import _l
from consultations.bodies.models import VoteChoice

_REQUIRED = _l("Ce champ est obligatoire.")
_POSITIVE = _l("Saisissez un nombre entier positif ou nul.")


class BodyCreateForm(FlaskForm):
    """A new body starts with the usual rules of its kind, changed afterwards if need be."""

    kind = SelectField(_l("Type d'instance"), validators=[DataRequired(_REQUIRED)])
    name = StringField(
        _l("Nom"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=200)]
    )
    description = TextAreaField(
        _l("Présentation"),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Créer l'instance"))

    def fill_choices(self, kinds: dict) -> None:
        self.kind.choices = options((k.value, label) for k, label in kinds.items())


class BodyRulesForm(FlaskForm):
    """Name, description, president and the rules that hold whatever the kind."""

    name = StringField(
        _l("Nom"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=200)]
    )
    description = TextAreaField(
        _l("Présentation"),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 4},
    )
    president_id = SelectField(
        _l("Président(e)"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Convoque les séances et reçoit les demandes de réunion recevables."),
    )
    quorum_numerator = IntegerField(
        _l("Quorum : numérateur"),
        default=0,
        validators=[NumberRange(min=0, message=_POSITIVE)],
        description=_l("0 : pas de quorum. Par exemple 1 et 2 pour la moitié des membres."),
    )
    quorum_denominator = IntegerField(
        _l("Quorum : dénominateur"), default=2, validators=[NumberRange(min=1, message=_POSITIVE)]
    )
    quorum_strict = RadioField(
        _l("Le quorum est atteint avec"),
        choices=options(
            [
                ("strict", _l("plus que cette fraction des membres (majorité)")),
                ("at_least", _l("au moins cette fraction des membres")),
            ]
        ),
        default="strict",
    )
    quorum_counts_proxies = BooleanField(_l("Les membres représentés comptent pour le quorum"))
    request_numerator = IntegerField(
        _l("Demande de réunion : numérateur"),
        default=0,
        validators=[NumberRange(min=0, message=_POSITIVE)],
        description=_l(
            "Part des membres qui peuvent demander une réunion ; 0 : les membres ne le peuvent "
            "pas. Par exemple 1 et 3 pour un tiers."
        ),
    )
    request_denominator = IntegerField(
        _l("Demande de réunion : dénominateur"),
        default=3,
        validators=[NumberRange(min=1, message=_POSITIVE)],
    )
    request_yearly_cap = IntegerField(
        _l("Demandes recevables par an, au plus"),
        default=4,
        validators=[NumberRange(min=0, message=_POSITIVE)],
    )
    max_proxies_held = IntegerField(
        _l("Pouvoirs qu'un membre peut détenir"),
        default=1,
        validators=[NumberRange(min=0, message=_POSITIVE)],
    )
    public_votes = BooleanField(_l("Votes publiés avec le nom de chaque votant"))
    rotating_host = BooleanField(_l("Séances accueillies à tour de rôle par les communes membres"))
    submit = SubmitField(_l("Enregistrer"))

    def fill_choices(self, people) -> None:
        """`people`: (id, name) of the members and the agents who may preside."""
        self.president_id.choices = options([("", "—"), *people])


class MemberAddForm(FlaskForm):
    user_id = SelectField(_l("Personne"), coerce=int, validators=[DataRequired(_REQUIRED)])
    commune_id = SelectField(
        _l("Commune représentée"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Facultatif : la commune que la personne représente."),
    )
    weight = IntegerField(
        _l("Nombre de voix"), default=1, validators=[NumberRange(min=1, message=_POSITIVE)]
    )
    is_secretary = BooleanField(_l("Secrétaire de séance (présences et votes papier)"))
    submit = SubmitField(_l("Ajouter le membre"))

    def fill_choices(self, users, communes) -> None:
        self.user_id.choices = options((u.id, u.display_name) for u in users)
        self.commune_id.choices = options([("", "—"), *((c.id, c.name) for c in communes)])


class MemberUpdateForm(FlaskForm):
    weight = IntegerField(
        _l("Nombre de voix"), validators=[DataRequired(_REQUIRED), NumberRange(min=1)]
    )
    is_secretary = BooleanField(_l("Secrétaire de séance"))
    submit = SubmitField(_l("Enregistrer"))


class MeetingForm(FlaskForm):
    title = StringField(
        _l("Intitulé"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=300)],
        default=_l("Séance ordinaire"),
    )
    starts_on = DateField(_l("Date"), validators=[DataRequired(_REQUIRED)])
    starts_time = TimeField(
        _l("Heure de début (heure de Paris)"), validators=[DataRequired(_REQUIRED)]
    )
    ends_time = TimeField(_l("Heure de fin (heure de Paris)"), validators=[Optional()])
    host_commune_id = SelectField(
        _l("Commune d'accueil"), coerce=optional_int, validators=[Optional()]
    )
    venue = StringField(
        _l("Salle et adresse"), filters=[strip], validators=[Optional(), Length(max=500)]
    )
    online_url = StringField(
        _l("Lien de la réunion en ligne"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=500),
            URL(message=_l("Saisissez une adresse complète, par exemple https://…")),
        ],
    )
    submit = SubmitField(_l("Enregistrer la séance"))

    def fill_choices(self, communes) -> None:
        self.host_commune_id.choices = options([("", "—"), *((c.id, c.name) for c in communes)])


class ItemForm(FlaskForm):
    title = StringField(
        _l("Intitulé du point"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=500)],
    )
    description = TextAreaField(
        _l("Présentation"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 4}
    )
    calls_for_vote = BooleanField(_l("Ce point appelle un vote (avis formel)"))
    opinion_text = TextAreaField(
        _l("Texte de l'avis soumis au vote"),
        filters=[strip],
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 4},
    )
    documents = MultipleFileField(
        _l("Documents"), description=_l("PDF ou documents bureautiques, 20 Mo au plus chacun.")
    )
    submit = SubmitField(_l("Enregistrer le point"))


class AttendanceForm(FlaskForm):
    """The whole list at once (one checkbox per member), or one row (`mark` = "id:1|0")."""

    present = SelectMultipleField(coerce=int, validators=[Optional()])
    mark = StringField(validators=[Optional()])
    submit = SubmitField(_l("Enregistrer les présences"))


def vote_choices():
    from consultations.bodies.messages import vote_choice_labels

    return options([("", "—"), *((c.value, label) for c, label in vote_choice_labels().items())])


class PaperVote(Form):
    member_id = HiddenField()
    choice = SelectField(_l("Vote"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.choices = vote_choices()


class PaperVotesForm(FlaskForm):
    votes = FieldList(FormField(PaperVote))
    submit = SubmitField(_l("Enregistrer les votes"))

    def entered(self) -> dict[int, VoteChoice]:
        """member id -> choice, for the rows where a vote was chosen."""
        chosen = {}
        for entry in self.votes:
            member_id, choice = entry.member_id.data, entry.choice.data
            if choice and str(member_id or "").isdigit():
                chosen[int(member_id)] = VoteChoice(choice)
        return chosen


class MinutesForm(FlaskForm):
    minutes = TextAreaField(
        _l("Compte rendu des débats"),
        validators=[Optional(), Length(max=200000)],
        description=_l(
            "Les paragraphes sont conservés ; la mise en forme HTML simple (gras, listes, "
            "titres, liens) est acceptée. Les présences et les résultats des votes sont "
            "ajoutés automatiquement."
        ),
        render_kw={"rows": 16},
    )
    submit = SubmitField(_l("Enregistrer le procès-verbal"))


class PublishForm(FlaskForm):
    public = BooleanField(_l("Publier aussi pour le public"))
    submit = SubmitField(_l("Publier le procès-verbal"))
