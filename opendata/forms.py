"""One form per use case: naming a new token, confirming a revocation."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.forms import strip
from app.i18n import _l


class TokenForm(FlaskForm):
    name = StringField(
        _l("Nom du jeton"),
        description=_l(
            "Pour vous souvenir de l'outil qui l'utilise, par exemple « tableau de bord SIG »."
        ),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un nom à ce jeton.")), Length(max=100)],
    )
    submit = SubmitField(_l("Créer le jeton"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Révoquer"))
