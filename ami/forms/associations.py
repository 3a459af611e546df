"""Forms of the associations' pages: sign-up, profile, people."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ami.forms.calls import MultiCheckboxField
from ami.rules import normalise_identifier, valid_rna, valid_siret
from app.auth.forms import _email_field, _new_password_fields
from app.forms import optional_int, options, strip
from app.i18n import _, _l

_REQUIRED = _l("Ce champ est obligatoire.")
_EMAIL = _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
PRESENTATION_MAX = 1000


class AssociationForm(FlaskForm):
    name = StringField(
        _l("Nom de l'association"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=200)],
    )
    rna_number = StringField(
        _l("Numéro RNA"),
        filters=[strip],
        validators=[Optional(), Length(max=20)],
        description=_l("W suivi de 9 chiffres, par exemple W623001234."),
    )
    siret = StringField(
        _l("SIRET"),
        filters=[strip],
        validators=[Optional(), Length(max=30)],
        description=_l("14 chiffres. Indiquez le numéro RNA, le SIRET, ou les deux."),
    )
    address = StringField(_l("Adresse"), filters=[strip], validators=[Optional(), Length(max=300)])
    postal_code = StringField(
        _l("Code postal"),
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^\d{5}$", message=_l("Le code postal compte 5 chiffres.")),
        ],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"},
    )
    commune_id = SelectField(_l("Commune"), coerce=optional_int, validators=[Optional()])
    contact_name = StringField(
        _l("Personne à contacter"), filters=[strip], validators=[Optional(), Length(max=200)]
    )
    contact_email = EmailField(
        _l("E-mail de contact"),
        filters=[strip],
        validators=[Optional(), Email(_EMAIL), Length(max=254)],
    )
    contact_phone = StringField(
        _l("Téléphone de contact"),
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^[0-9+ .()\-]{6,30}$", message=_l("Saisissez un numéro de téléphone valide.")),
        ],
        render_kw={"autocomplete": "tel"},
    )
    theme_ids = MultiCheckboxField(_l("Thématiques"), coerce=int, validators=[Optional()])
    qpv_ids = MultiCheckboxField(
        _l("Quartiers prioritaires (QPV) où l'association agit"),
        coerce=int,
        validators=[Optional()],
    )
    presentation = TextAreaField(
        _l("Présentation de l'association"),
        filters=[strip],
        validators=[
            Optional(),
            Length(
                max=PRESENTATION_MAX,
                message=_l("%(max)d caractères au plus.", max=PRESENTATION_MAX),
            ),
        ],
        description=_l("Quelques lignes, %(max)d caractères au plus.", max=PRESENTATION_MAX),
        render_kw={"rows": 6, "maxlength": PRESENTATION_MAX},
    )
    submit = SubmitField(_l("Enregistrer"))

    def fill_choices(self, communes, themes, qpvs) -> None:
        self.commune_id.choices = options(
            [("", _l("Hors territoire"))] + [(c.id, c.name) for c in communes]
        )
        self.theme_ids.choices = options((t.id, t.name) for t in themes)
        self.qpv_ids.choices = options(
            (q.id, f"{q.name} ({q.commune.name})" if q.commune else q.name) for q in qpvs
        )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        rna = normalise_identifier(self.rna_number.data)
        siret = re.sub(r"\s", "", self.siret.data or "")
        if not rna and not siret:
            self.rna_number.errors.append(
                _("Indiquez le numéro RNA ou le SIRET de l'association (au moins l'un des deux).")
            )
            return False
        if rna and not valid_rna(rna):
            self.rna_number.errors.append(
                _(
                    "Le numéro RNA commence par la lettre W suivie de 9 chiffres "
                    "(par exemple W623001234)."
                )
            )
            ok = False
        if siret:
            siret = normalise_identifier(siret)
            if not re.fullmatch(r"\d{14}", siret):
                self.siret.errors.append(_("Le SIRET compte exactement 14 chiffres."))
                ok = False
            elif not valid_siret(siret):
                self.siret.errors.append(
                    _(
                        "Ce SIRET n'est pas valide : sa clé de contrôle ne correspond pas. "
                        "Vérifiez les chiffres."
                    )
                )
                ok = False
        return ok


class AssociationSignUpForm(AssociationForm):
    display_name = StringField(
        _l("Votre nom"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        description=_l("Votre prénom et nom."),
        render_kw={"autocomplete": "name"},
    )
    email = _email_field()
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Créer le compte de l'association"))


class InviteForm(FlaskForm):
    display_name = StringField(
        _l("Nom de la personne"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=200)],
    )
    email = _email_field()
    submit = SubmitField(_l("Inviter"))


class RemovePersonForm(FlaskForm):
    membership_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Retirer"))
