"""Forms of mutual interest and the message threads."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.i18n import _l

MESSAGE_MAX = 2000  # as ami.network.services.interests.MESSAGE_MAX


def _plain(value):
    """Browsers send line breaks as CRLF: count them as one character, as typed."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class InterestForm(FlaskForm):
    """Mark or withdraw an interest (a button); `next` brings the person back where they were."""

    next = HiddenField()


class MessageForm(FlaskForm):
    """A message of a match's thread: plain text, shown as typed (line breaks kept)."""

    body = TextAreaField(
        _l("Votre message"),
        filters=[_plain],
        validators=[
            DataRequired(_l("Écrivez votre message avant de l'envoyer.")),
            Length(
                max=MESSAGE_MAX,
                message=_l(
                    "Votre message compte plus de %(max)d caractères : raccourcissez-le.",
                    max=MESSAGE_MAX,
                ),
            ),
        ],
        description=_l(
            "Texte simple, %(max)d caractères au plus. Seules les personnes des deux "
            "associations le lisent.",
            max=MESSAGE_MAX,
        ),
        render_kw={"rows": 6, "maxlength": MESSAGE_MAX},
    )
    submit = SubmitField(_l("Envoyer le message"))
