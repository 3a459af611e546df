"""Forms of the calls' management: reference lists and the call with its rules."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ami.forms.common import EuroField
from ami.messages import bonus_kind_labels
from ami.models import BonusKind
from app.forms import optional_int, options, strip
from app.i18n import _, _l

_REQUIRED = _l("Ce champ est obligatoire.")
_PERCENT = _l("Indiquez un pourcentage entre 0 et 100.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# --- reference lists ------------------------------------------------------------------------


class ThemeForm(FlaskForm):
    theme_id = HiddenField()
    name = StringField(
        _l("Nom de la thématique"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=120)],
    )
    position = IntegerField(_l("Ordre"), validators=[Optional(), NumberRange(min=0, max=999)])
    submit = SubmitField(_l("Enregistrer"))


class QpvForm(FlaskForm):
    qpv_id = HiddenField()
    name = StringField(
        _l("Nom du quartier"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=200)],
    )
    code = StringField(
        _l("Code national"),
        filters=[strip],
        validators=[Optional(), Length(max=12)],
        description=_l("Facultatif, par exemple QN06201M."),
    )
    commune_id = SelectField(_l("Commune"), coerce=optional_int, validators=[Optional()])
    submit = SubmitField(_l("Enregistrer"))

    def fill_choices(self, communes) -> None:
        self.commune_id.choices = options(
            [("", _l("— Choisir —"))] + [(c.id, c.name) for c in communes]
        )


class RemoveForm(FlaskForm):
    item_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Supprimer"))


# --- the call -------------------------------------------------------------------------------


class CoFunderRow(Form):
    id = HiddenField(filters=[optional_int])
    name = StringField(_l("Cofinanceur"), filters=[strip], validators=[Optional(), Length(max=200)])
    amount = EuroField(_l("Part (€)"))

    def is_blank(self) -> bool:
        return not self.name.data and self.amount.data is None


class BonusRow(Form):
    id = HiddenField(filters=[optional_int])
    kind = SelectField(_l("Condition"), validators=[Optional()])
    label = StringField(_l("Intitulé"), filters=[strip], validators=[Optional(), Length(max=200)])
    rate = IntegerField(_l("Taux (%)"), validators=[Optional(), NumberRange(0, 100, _PERCENT)])
    threshold = IntegerField(_l("Seuil"), validators=[Optional(), NumberRange(min=0, max=1000)])
    theme_id = SelectField(_l("Thématique"), coerce=optional_int, validators=[Optional()])

    def is_blank(self) -> bool:
        return not self.kind.data and not self.label.data and self.rate.data is None


class CriterionRow(Form):
    id = HiddenField(filters=[optional_int])
    label = StringField(_l("Critère"), filters=[strip], validators=[Optional(), Length(max=200)])
    description = StringField(
        _l("Description"), filters=[strip], validators=[Optional(), Length(max=500)]
    )
    weight = IntegerField(
        _l("Poids (1 à 10)"),
        validators=[Optional(), NumberRange(1, 10, _l("Le poids va de 1 à 10."))],
    )
    position = IntegerField(_l("Ordre"), validators=[Optional(), NumberRange(min=0, max=999)])

    def is_blank(self) -> bool:
        return not self.label.data and not self.description.data and self.weight.data is None


class CallForm(FlaskForm):
    year = IntegerField(
        _l("Année"),
        validators=[InputRequired(_REQUIRED), NumberRange(2000, 2100, _l("Année invalide."))],
    )
    title = StringField(
        _l("Titre"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=300)]
    )
    specification = TextAreaField(
        _l("Cahier des charges"),
        validators=[Optional(), Length(max=100000)],
        description=_l(
            "Les paragraphes sont conservés ; la mise en forme HTML simple (gras, listes, liens) "
            "est acceptée."
        ),
        render_kw={"rows": 12},
    )
    specification_file = FileField(
        _l("Cahier des charges en PDF"), description=_l("Un fichier PDF, 20 Mo au plus.")
    )
    remove_specification_file = BooleanField(_l("Retirer le PDF actuel"))
    theme_ids = MultiCheckboxField(_l("Thématiques prioritaires"), coerce=int)
    opens_on = DateField(_l("Ouverture (date)"), validators=[InputRequired(_REQUIRED)])
    opens_time = TimeField(
        _l("Heure d'ouverture (heure de Paris)"),
        validators=[Optional()],
        description=_l("Par défaut 0 h 00."),
    )
    closes_on = DateField(_l("Clôture (date)"), validators=[InputRequired(_REQUIRED)])
    closes_time = TimeField(
        _l("Heure de clôture (heure de Paris)"),
        validators=[Optional()],
        description=_l("Par défaut 23 h 59."),
    )
    envelope = EuroField(_l("Enveloppe (€)"), validators=[InputRequired(_REQUIRED)])
    co_funders = FieldList(FormField(CoFunderRow), _l("Cofinanceurs"), min_entries=0)
    base_rate = IntegerField(
        _l("Taux de base (%)"),
        validators=[InputRequired(_REQUIRED), NumberRange(0, 100, _PERCENT)],
        description=_l("Part du budget de l'action que l'EPCI peut financer sans bonification."),
    )
    bonus_rules = FieldList(FormField(BonusRow), _l("Bonifications"), min_entries=0)
    ceiling = EuroField(_l("Plafond par candidature (€)"), validators=[InputRequired(_REQUIRED)])
    blank_page_enabled = BooleanField(_l("Ouvrir le parcours « page blanche »"))
    blank_page_ceiling = EuroField(_l("Plafond du parcours page blanche (€)"))
    criteria = FieldList(FormField(CriterionRow), _l("Grille d'évaluation"), min_entries=0)
    submit = SubmitField(_l("Enregistrer"))

    def fill_choices(self, themes) -> None:
        self.theme_ids.choices = options((t.id, t.name) for t in themes)
        kinds = [("", _l("— Aucune —"))] + list(bonus_kind_labels().items())
        theme_choices = [("", _l("— Sans objet —"))] + [(t.id, t.name) for t in themes]
        for entry in self.bonus_rules:
            entry.form.kind.choices = options((str(k), label) for k, label in kinds)
            entry.form.theme_id.choices = options(theme_choices)

    def pad(self, blank: int = 2) -> None:
        """Blank rows to add co-funders, bonus rules or criteria without JavaScript."""
        for name in ("co_funders", "bonus_rules", "criteria"):
            for _i in range(blank):
                self[name].append_entry()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok = self._check_rows() and ok
        opens, closes = self.opens_on.data, self.closes_on.data
        if isinstance(opens, date) and isinstance(closes, date) and closes < opens:
            self.closes_on.errors.append(_("La clôture doit être postérieure à l'ouverture."))
            ok = False
        if self.envelope.data is not None:
            total = sum((e.form.amount.data or 0) for e in self.co_funders if not e.form.is_blank())
            if total > self.envelope.data:
                self.envelope.errors.append(
                    _("La somme des parts des cofinanceurs dépasse l'enveloppe.")
                )
                ok = False
        self._summarise_rows()
        return ok

    def _summarise_rows(self) -> None:
        """One message per list of rows in the summary; the details stay next to the fields."""
        for name in ("co_funders", "bonus_rules", "criteria"):
            rows = self[name]
            if any(field.errors for entry in rows for field in entry.form):
                rows.errors = [_("Vérifiez les lignes signalées ci-dessous.")]
            else:
                rows.errors = []
        self._errors = None

    def _check_rows(self) -> bool:
        ok = True
        for entry in self.co_funders:
            row = entry.form
            if row.is_blank():
                continue
            if not row.name.data:
                row.name.errors.append(_("Indiquez le nom du cofinanceur."))
                ok = False
            if row.amount.data is None:
                row.amount.errors.append(_("Indiquez sa part."))
                ok = False
        for entry in self.bonus_rules:
            row = entry.form
            if row.is_blank():
                continue
            if not row.kind.data:
                row.kind.errors.append(_("Choisissez la condition."))
                ok = False
            if row.rate.data is None:
                row.rate.errors.append(_("Indiquez le taux."))
                ok = False
            elif self.base_rate.data is not None and row.rate.data <= self.base_rate.data:
                row.rate.errors.append(
                    _("Le taux d'une bonification doit être supérieur au taux de base.")
                )
                ok = False
            if row.kind.data == BonusKind.THEME and not row.theme_id.data:
                row.theme_id.errors.append(_("Choisissez la thématique."))
                ok = False
        for entry in self.criteria:
            row = entry.form
            if row.is_blank():
                continue
            if not row.label.data:
                row.label.errors.append(_("Indiquez l'intitulé du critère."))
                ok = False
            if row.weight.data is None:
                row.weight.errors.append(_("Indiquez le poids (1 à 10)."))
                ok = False
        return ok

    def rows(self) -> dict[str, list[dict]]:
        co_funders = [
            {"id": e.form.id.data, "name": e.form.name.data, "amount_cents": e.form.amount.cents}
            for e in self.co_funders
            if not e.form.is_blank()
        ]
        bonus_rules = [
            {
                "id": e.form.id.data,
                "kind": e.form.kind.data,
                "label": e.form.label.data or str(bonus_kind_labels()[BonusKind(e.form.kind.data)]),
                "rate": e.form.rate.data,
                "threshold": e.form.threshold.data or 0,
                "theme_id": e.form.theme_id.data,
            }
            for e in self.bonus_rules
            if not e.form.is_blank()
        ]
        criteria = [
            {
                "id": e.form.id.data,
                "label": e.form.label.data,
                "description": e.form.description.data or "",
                "weight": e.form.weight.data,
                "position": e.form.position.data if e.form.position.data is not None else 1000 + i,
            }
            for i, e in enumerate(self.criteria)
            if not e.form.is_blank()
        ]
        return {"co_funders": co_funders, "bonus_rules": bonus_rules, "criteria": criteria}


class PublishForm(FlaskForm):
    submit = SubmitField(_l("Publier"))
