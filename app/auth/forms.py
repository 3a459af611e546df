"""Forms of the sign-in pages."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.forms import strip
from app.i18n import _l
from app.users.passwords import MIN_LENGTH

_REQUIRED = _l("Ce champ est obligatoire.")
_EMAIL = _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
_MATCH = _l("Les deux mots de passe ne sont pas identiques.")
_LENGTH = _l("Le mot de passe doit compter au moins %(min)d caractères.")


def _email_field():
    return EmailField(
        _l("Adresse e-mail"),
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Email(_EMAIL), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


def _new_password_fields():
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_REQUIRED), Length(min=MIN_LENGTH, message=_LENGTH)],
        description=_l(
            "Au moins %(min)d caractères. Une phrase facile à retenir convient bien.",
            min=MIN_LENGTH,
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[DataRequired(_REQUIRED), EqualTo("password", _MATCH)],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Se connecter"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Recevoir un lien"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Enregistrer le mot de passe"))


class AcceptInvitationForm(FlaskForm):
    display_name = StringField(
        _l("Nom affiché"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Activer mon compte"))


class SignUpForm(FlaskForm):
    display_name = StringField(
        _l("Nom affiché"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        description=_l("Votre prénom et nom, ou un pseudonyme."),
        render_kw={"autocomplete": "name"},
    )
    email = _email_field()
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Créer mon compte"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Changer le mot de passe"))


def _code_field(label):
    return StringField(
        label,
        filters=[strip],
        validators=[DataRequired(_REQUIRED), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 14},
    )


class TwoFactorLoginForm(FlaskForm):
    code = _code_field(_l("Code à 6 chiffres ou code de secours"))
    submit = SubmitField(_l("Vérifier"))


class EnableTwoFactorForm(FlaskForm):
    code = _code_field(_l("Code à 6 chiffres affiché par l'application"))
    submit = SubmitField(_l("Activer la double authentification"))


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Confirmer"))


class TwoFactorSettingForm(FlaskForm):
    required = BooleanField(_l("Exiger la double authentification pour les administrateurs"))
    submit = SubmitField(_l("Enregistrer"))
