"""Forms for the members' administration and the profile."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.forms import optional_int, options, strip
from app.i18n import _l
from app.users.models import Role

_REQUIRED = _l("Ce champ est obligatoire.")


def role_choices():
    from app.web import role_label

    return options((role.value, role_label(role)) for role in Role)


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Nom affiché"), validators=[DataRequired(_REQUIRED), Length(max=200)]
    )
    locale = SelectField(
        _l("Langue de l'interface et des e-mails"),
        choices=options([("fr", "Français"), ("en", "English")]),
    )
    submit = SubmitField(_l("Enregistrer"))


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        filters=[strip],
        validators=[
            DataRequired(_REQUIRED),
            Email(_l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")),
            Length(max=254),
        ],
    )
    display_name = StringField(
        _l("Nom et prénom"), validators=[DataRequired(_REQUIRED), Length(max=200)]
    )
    role = SelectField(_l("Rôle"), validators=[DataRequired(_REQUIRED)])
    commune_id = SelectField(
        _l("Commune"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Obligatoire pour un(e) maire ou les services d'une commune."),
    )
    association_id = SelectField(
        _l("Association"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Obligatoire pour un membre d'une association."),
    )
    submit = SubmitField(_l("Envoyer l'invitation"))


class AddRoleForm(FlaskForm):
    role = SelectField(_l("Rôle"), validators=[DataRequired(_REQUIRED)])
    commune_id = SelectField(
        _l("Commune"),
        coerce=optional_int,
        validators=[Optional()],
    )
    association_id = SelectField(
        _l("Association"),
        coerce=optional_int,
        validators=[Optional()],
    )
    submit = SubmitField(_l("Ajouter le rôle"))


class ConfirmForm(FlaskForm):
    """A bare form: the CSRF token of a button that changes something."""

    submit = SubmitField(_l("Confirmer"))
