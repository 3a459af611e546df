"""Forms of the one-sheet application."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ami import rules
from ami.forms.common import EuroField
from ami.models import Track
from ami.services.applications import tidy_text
from app.forms import optional_int, options
from app.i18n import _l
from app.submissions import OnceField


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _too_long():
    return _l("%(max)d caractères au plus : le texte en compte %(length)d.")


def _text(label, name: str, area: bool = True, description=None, rows: int = 5):
    """A text field limited to rules.FIELD_LIMITS[name], in the browser and on the server."""
    limit = rules.FIELD_LIMITS[name]
    kind = TextAreaField if area else StringField
    render_kw = {"maxlength": limit}
    if area:
        render_kw["rows"] = rows
    return kind(
        label,
        filters=[tidy_text],
        validators=[Length(max=limit, message=_too_long())],
        description=description,
        render_kw=render_kw,
    )


#: fields that only the standard track has
STANDARD_ONLY = (
    "beneficiaries",
    "women_share",
    "actions",
    "partner_ids",
    "partners_text",
    "calendar",
    "starts_on",
    "ends_on",
    "other_funding",
    "other_funding_details",
)


class StartForm(FlaskForm):
    """Start a draft: which association (when the person acts for several)."""

    association_id = SelectField(
        _l("Association qui candidate"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choisissez l'association."))],
    )
    submit = SubmitField(_l("Commencer le dossier"))

    def fill_choices(self, associations) -> None:
        self.association_id.choices = options((a.id, a.name) for a in associations)


class ApplicationForm(FlaskForm):
    lock_version = HiddenField()
    title = _text(_l("Titre de l'action"), "title", area=False)
    theme_id = SelectField(_l("Thématique"), coerce=optional_int, validate_choice=False)
    qpv_ids = MultiCheckboxField(
        _l("QPV touchés"),
        coerce=int,
        validators=[Optional()],
        description=_l("%(n)d au plus.", n=rules.MAX_QPVS),
    )
    commune_ids = MultiCheckboxField(
        _l("Communes touchées"),
        coerce=int,
        validators=[Optional()],
        description=_l("%(n)d au plus.", n=rules.MAX_COMMUNES),
    )
    public = _text(_l("Public visé"), "public", rows=3)
    beneficiaries = IntegerField(
        _l("Nombre de bénéficiaires attendus"),
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message=_l("Indiquez un nombre positif.")),
        ],
        render_kw={"min": 0, "inputmode": "numeric"},
    )
    women_share = IntegerField(
        _l("Part de femmes dans le public (%)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Indiquez un pourcentage entre 0 et 100.")),
        ],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
    )
    objectives = _text(_l("Objectifs"), "objectives", rows=8)
    actions = _text(_l("Actions prévues"), "actions", rows=10)
    partner_ids = MultiCheckboxField(
        _l("Associations partenaires"),
        coerce=int,
        validators=[Optional()],
        description=_l("%(n)d au plus, choisies dans l'annuaire.", n=rules.MAX_PARTNERS),
    )
    partners_text = _text(_l("Autres partenaires"), "partners_text", rows=3)
    calendar = _text(_l("Calendrier"), "calendar", rows=3)
    starts_on = DateField(_l("Début de l'action"), validators=[Optional()])
    ends_on = DateField(_l("Fin de l'action"), validators=[Optional()])
    budget_total = EuroField(_l("Budget total de l'action (€)"))
    requested = EuroField(_l("Montant demandé (€)"))
    other_funding = EuroField(_l("Autres financements (€)"))
    other_funding_details = _text(
        _l("Autres financements : financeurs et montants"), "other_funding_details", rows=3
    )
    save = SubmitField(_l("Enregistrer le brouillon"))

    def setup(self, call, track: Track, qpvs, communes, associations, own_id: int) -> None:
        """Choices from the organisation's lists; the blank-page track loses its other fields."""
        if track is Track.BLANK_PAGE:
            for name in STANDARD_ONLY:
                delattr(self, name)
        self.theme_id.choices = options(
            [("", _l("— Choisir une thématique —"))] + [(t.id, t.name) for t in call.themes]
        )
        self._theme_ids = {t.id for t in call.themes}
        self.qpv_ids.choices = options((q.id, q.name) for q in qpvs)
        self.commune_ids.choices = options((c.id, c.name) for c in communes)
        if "partner_ids" in self:
            self.partner_ids.choices = options(
                (a.id, a.name) for a in associations if a.id != own_id
            )

    def fill(self, application) -> None:
        """The form as the application stands (GET)."""
        for name in rules.FIELD_LIMITS:
            if name in self:
                self[name].data = getattr(application, name)
        self.theme_id.data = application.theme_id
        self.qpv_ids.data = [q.id for q in application.qpvs]
        self.commune_ids.data = [c.id for c in application.communes]
        for name in ("beneficiaries", "women_share", "starts_on", "ends_on"):
            if name in self:
                self[name].data = getattr(application, name)
        if "partner_ids" in self:
            self.partner_ids.data = [p.id for p in application.partners]
            self.other_funding.set_cents(application.other_funding_cents)
        self.budget_total.set_cents(application.budget_total_cents)
        self.requested.set_cents(application.requested_cents)
        self.lock_version.data = str(application.version_id)

    def expected_version(self) -> int:
        """The version the person started from; 0 (never current) if the field was tampered."""
        value = (self.lock_version.data or "").strip()
        return int(value) if value.isdigit() else 0

    def values(self) -> dict:
        """What the service saves."""
        data = {name: self[name].data or "" for name in rules.FIELD_LIMITS if name in self}
        data["theme_id"] = self.theme_id.data
        data["qpv_ids"] = list(self.qpv_ids.data or ())
        data["commune_ids"] = list(self.commune_ids.data or ())
        data["budget_total_cents"] = self.budget_total.cents
        data["requested_cents"] = self.requested.cents
        if "partner_ids" in self:
            data["partner_ids"] = list(self.partner_ids.data or ())
            data["other_funding_cents"] = self.other_funding.cents
            for name in ("beneficiaries", "women_share", "starts_on", "ends_on"):
                data[name] = self[name].data
        return data

    def validate_theme_id(self, field) -> None:
        if field.data is not None and field.data not in getattr(self, "_theme_ids", set()):
            raise ValidationError(_l("Choisissez une thématique de l'appel."))

    def validate_qpv_ids(self, field) -> None:
        if len(field.data or ()) > rules.MAX_QPVS:
            raise ValidationError(_l("Choisissez au plus %(n)d QPV.", n=rules.MAX_QPVS))

    def validate_commune_ids(self, field) -> None:
        if len(field.data or ()) > rules.MAX_COMMUNES:
            raise ValidationError(_l("Choisissez au plus %(n)d communes.", n=rules.MAX_COMMUNES))

    def validate_partner_ids(self, field) -> None:
        if len(field.data or ()) > rules.MAX_PARTNERS:
            raise ValidationError(
                _l("Choisissez au plus %(n)d associations partenaires.", n=rules.MAX_PARTNERS)
            )

    def validate_ends_on(self, field) -> None:
        starts = self.starts_on.data if "starts_on" in self else None
        if field.data and starts and field.data < starts:
            raise ValidationError(_l("La fin de l'action ne peut précéder son début."))


class SubmitApplicationForm(FlaskForm):
    """The « Déposer le dossier » button, with its one-time token against double clicks."""

    once = OnceField()
    submit = SubmitField(_l("Déposer le dossier"))
