"""The visual identity form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from app.i18n import _, _l
from app.organisations.rules import HEX_COLOUR, MIN_CONTRAST, contrast_ratio, readable_on_white

LOGO_MAX_BYTES = 500 * 1024


def _readable_on_white(form, field) -> None:
    value = (field.data or "").strip()
    if HEX_COLOUR.match(value) and not readable_on_white(value):
        raise ValidationError(
            _(
                "Cette couleur est trop claire : son contraste avec le blanc est de "
                "%(ratio)s:1, il doit atteindre %(min)s:1 pour rester lisible. "
                "Choisissez une teinte plus foncée.",
                ratio=f"{contrast_ratio(value, '#ffffff'):.2f}".replace(".", ","),
                min=str(MIN_CONTRAST).replace(".", ","),
            )
        )


class BrandingForm(FlaskForm):
    display_name = StringField(
        _l("Nom affiché"),
        description=_l("Laissez vide pour afficher le nom officiel de l'EPCI."),
        filters=[lambda s: s.strip() if s else s],
        validators=[Optional(), Length(max=200, message=_l("200 caractères au plus."))],
    )
    logo = FileField(
        _l("Logo"),
        description=_l("Une image PNG ou JPEG, 500 ko au plus, affichée à côté du nom."),
    )
    remove_logo = BooleanField(_l("Retirer le logo actuel"))
    accent_colour = StringField(
        _l("Couleur principale"),
        description=_l(
            "Au format #rrggbb, par exemple #000091. Elle colore les liens et les boutons : "
            "son contraste avec le blanc doit être d'au moins 4,5:1. Laissez vide pour la "
            "couleur par défaut."
        ),
        # no lower() here: a refused value is shown again as typed (the service lowercases)
        filters=[lambda s: s.strip() if s else s],
        validators=[
            Optional(),
            Regexp(
                HEX_COLOUR,
                message=_l("Indiquez la couleur au format #rrggbb, par exemple #000091."),
            ),
            _readable_on_white,
        ],
    )
    submit = SubmitField(_l("Enregistrer l'identité visuelle"))
