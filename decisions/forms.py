"""One form per use case of the decision path."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.forms import optional_int, strip
from app.i18n import _l

_REQUIRED = _l("Ce champ est obligatoire.")
_RICH_HELP = _l(
    "Les paragraphes sont conservés ; la mise en forme HTML simple (gras, listes, liens) est "
    "acceptée."
)


class DossierForm(FlaskForm):
    title = StringField(
        _l("Titre"), filters=[strip], validators=[DataRequired(_REQUIRED), Length(max=300)]
    )
    summary = TextAreaField(
        _l("Résumé"),
        validators=[Optional(), Length(max=50000)],
        description=_RICH_HELP,
        render_kw={"rows": 8},
    )
    lead_user_id = SelectField(
        _l("Vice-président(e) pilote"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Un membre de la plateforme ; sinon, saisissez son nom ci-dessous."),
    )
    lead_name = StringField(
        _l("Vice-président(e) pilote (autre)"),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
    )
    commission = StringField(
        _l("Commission"),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
        description=_l(
            "Par exemple : Commission aménagement du territoire. Les commissions et groupes de "
            "travail de l'EPCI sont proposés."
        ),
        render_kw={"list": "commission-suggestions", "autocomplete": "off"},
    )
    public = BooleanField(_l("Publier ce dossier sur les pages publiques de l'EPCI"))
    documents = MultipleFileField(
        _l("Documents joints"),
        description=_l("PDF, documents bureautiques ou images, 20 Mo au plus chacun."),
    )
    submit = SubmitField(_l("Enregistrer"))


class MoveForm(FlaskForm):
    to_stage = SelectField(_l("Nouvelle étape"), validators=[DataRequired(_REQUIRED)])
    reason = TextAreaField(
        _l("Motif"),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
        description=_l("Obligatoire pour revenir à une étape précédente."),
        render_kw={"rows": 3},
    )
    override_reason = TextAreaField(
        _l("Motif pour décider sans attendre les consultations en cours"),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "Seulement si une consultation rattachée est encore ouverte ; ce motif est publié."
        ),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Changer d'étape"))


class AttachForm(FlaskForm):
    item = SelectField(_l("Consultation à rattacher"), validators=[DataRequired(_REQUIRED)])
    submit = SubmitField(_l("Rattacher"))


class DeliberationForm(FlaskForm):
    body_name = StringField(
        _l("Instance qui délibère"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        description=_l("Par exemple : Conseil communautaire, Bureau communautaire."),
        render_kw={"list": "body-suggestions", "autocomplete": "off"},
    )
    decided_on = DateField(_l("Date de la séance"), validators=[DataRequired(_REQUIRED)])
    number = StringField(
        _l("Numéro de la délibération"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=60)],
    )
    result = SelectField(_l("Résultat"), validators=[DataRequired(_REQUIRED)])
    text = TextAreaField(
        _l("Texte de la délibération"),
        validators=[Optional(), Length(max=200000)],
        description=_RICH_HELP,
        render_kw={"rows": 12},
    )
    file = FileField(
        _l("Délibération signée (PDF)"),
        description=_l("Le texte ou le PDF, au moins l'un des deux. 20 Mo au plus."),
    )
    override_reason = TextAreaField(
        _l("Motif pour décider sans attendre les consultations en cours"),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Enregistrer la délibération"))


class ConfirmForm(FlaskForm):
    """An empty form for buttons (CSRF only)."""
