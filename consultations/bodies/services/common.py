"""Shared by the body services: the refusal exception and small lookups."""

from __future__ import annotations

from app.db import db
from app.organisations.models import Organisation
from consultations.bodies.models import Body, BodyMember


class BodyError(Exception):
    """A business rule refused the action; `code` names the message to show."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def body_org(body: Body) -> Organisation:
    return db.session.get(Organisation, body.organisation_id)


def current_members(body: Body) -> list[BodyMember]:
    return [m for m in body.members if m.current]


def member_of(body: Body, user) -> BodyMember | None:
    return next((m for m in body.members if m.current and m.user_id == user.id), None)
