"""Forms of the network's directory: an association's entry, the directory's filters, the
network's settings and its tags."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ami.forms.calls import MultiCheckboxField
from ami.models import InterestDisclosure
from ami.network.models import DirectoryVisibility
from ami.network.services.directory import (
    TEXT_MAX,
    WEBSITE_MAX,
    DirectoryFilters,
    valid_website,
)
from ami.network.services.settings import TAG_MAX
from app.forms import optional_int, options, strip
from app.i18n import _l
from app.web.converters import MAX_ID

_REQUIRED = _l("Ce champ est obligatoire.")
_CHOOSE = _l("Choisissez une option.")
_LISTED = _l("Choisissez parmi les options proposées.")


def _text(label, description):
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            Optional(),
            Length(max=TEXT_MAX, message=_l("%(max)d caractères au plus.", max=TEXT_MAX)),
        ],
        description=description,
        render_kw={"rows": 4, "maxlength": TEXT_MAX},
    )


class DirectoryProfileForm(FlaskForm):
    listed = BooleanField(_l("Apparaître dans l'annuaire"))
    offer_ids = MultiCheckboxField(
        _l("Ce que l'association propose"),
        coerce=int,
        validators=[Optional()],
        invalid_choice_message=_LISTED,
    )
    offers_text = _text(
        _l("Ce qu'elle propose, en quelques mots"),
        _l("Par exemple : une salle libre le mercredi, deux bénévoles formés à l'accueil."),
    )
    need_ids = MultiCheckboxField(
        _l("Ce que l'association recherche"),
        coerce=int,
        validators=[Optional()],
        invalid_choice_message=_LISTED,
    )
    needs_text = _text(
        _l("Ce qu'elle recherche, en quelques mots"),
        _l("Par exemple : un partenaire pour une action de soutien scolaire à Liévin."),
    )
    commune_ids = MultiCheckboxField(
        _l("Communes où l'association agit"),
        coerce=int,
        validators=[Optional()],
        invalid_choice_message=_LISTED,
    )
    website = URLField(
        _l("Site web"),
        filters=[strip],
        validators=[Optional(), Length(max=WEBSITE_MAX)],
        description=_l("Facultatif, par exemple https://www.exemple.fr."),
        render_kw={"autocomplete": "url"},
    )
    submit = SubmitField(_l("Enregistrer"))

    def fill_choices(self, tags, communes) -> None:
        tag_choices = options((t.id, t.name) for t in tags)
        self.offer_ids.choices = tag_choices
        self.need_ids.choices = list(tag_choices)
        self.commune_ids.choices = options((c.id, c.name) for c in communes)

    def validate_website(self, field) -> None:
        if field.data and not valid_website(field.data):
            raise ValidationError(
                _l(
                    "L'adresse du site doit commencer par http:// ou https://, par exemple "
                    "https://www.exemple.fr."
                )
            )


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def parse_filters(args) -> DirectoryFilters:
    """The directory's filters from the query string (unknown values are dropped)."""
    return DirectoryFilters(
        q=(args.get("q") or "").strip()[:200],
        theme_id=_int(args.get("theme")),
        commune_id=_int(args.get("commune")),
        qpv_id=_int(args.get("qpv")),
        offer_id=_int(args.get("offer")),
        need_id=_int(args.get("need")),
    )


# --- the network's settings ------------------------------------------------------------------


def visibility_choices() -> list[SelectChoice]:
    return [
        SelectChoice(value, label)
        for value, label in [
            (DirectoryVisibility.PUBLIC.value, _l("Publique : tout le monde, même sans compte")),
            (
                DirectoryVisibility.MEMBERS.value,
                _l("Les personnes inscrites sur la plateforme (connectées)"),
            ),
            (
                DirectoryVisibility.ASSOCIATIONS.value,
                _l("Les associations et les agents de l'intercommunalité seulement"),
            ),
        ]
    ]


def disclosure_choices() -> list[SelectChoice]:
    return [
        SelectChoice(value, label)
        for value, label in [
            (
                InterestDisclosure.ON_MATCH.value,
                _l(
                    "L'association n'apprend rien tant qu'elle n'a pas marqué son intérêt en "
                    "retour (elle est alors avertie de la mise en relation)"
                ),
            ),
            (
                InterestDisclosure.LIST.value,
                _l(
                    "L'association peut voir la liste des associations intéressées par elle, sans "
                    "leurs coordonnées"
                ),
            ),
        ]
    ]


class CallDisclosureRow(Form):
    call_id = HiddenField(filters=[optional_int])
    disclosure = RadioField(
        _l("Ce qu'une association apprend d'un intérêt marqué pour elle"),
        choices=disclosure_choices(),
        invalid_choice_message=_CHOOSE,
    )


class NetworkSettingsForm(FlaskForm):
    directory_visibility = RadioField(
        _l("Qui peut consulter l'annuaire"),
        choices=visibility_choices(),
        invalid_choice_message=_CHOOSE,
    )
    calls = FieldList(FormField(CallDisclosureRow))
    submit = SubmitField(_l("Enregistrer"))


# --- tags ------------------------------------------------------------------------------------


class TagForm(FlaskForm):
    name = StringField(
        _l("Nom de l'étiquette"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=TAG_MAX)],
    )
    position = IntegerField(_l("Ordre"), validators=[Optional(), NumberRange(min=0, max=999)])
    submit = SubmitField(_l("Enregistrer"))


class TagUpdateForm(TagForm):
    tag_id = HiddenField(filters=[optional_int])


class ButtonForm(FlaskForm):
    """A button (delete a tag, add the default list): only its CSRF token."""

    submit = SubmitField(_l("Valider"))
