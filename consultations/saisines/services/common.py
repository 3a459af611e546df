"""What every saisine service shares: the refusal exception and the organisation."""

from __future__ import annotations

from app.db import db
from app.organisations.models import Organisation
from consultations.saisines.models import Saisine


class SaisineError(Exception):
    """A business rule refused the action; `code` names the message to show."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def saisine_org(saisine: Saisine) -> Organisation:
    return db.session.get(Organisation, saisine.organisation_id)
