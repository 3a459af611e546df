"""Forms of mutual interest and the message threads."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class InterestForm(FlaskForm):
    """Mark or withdraw an interest (a button); `next` brings the person back where they were."""

    next = HiddenField()
