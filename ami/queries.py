"""Read queries shared by the AMI's pages: objects loaded within one organisation."""

from __future__ import annotations

from sqlalchemy import select

from ami.models import AmiCall, Application, Association, JuryMember
from app.db import db


def call_in(org, call_id: int) -> AmiCall | None:
    return db.session.scalar(
        select(AmiCall).where(AmiCall.id == call_id, AmiCall.organisation_id == org.id)
    )


def calls_of(org) -> list[AmiCall]:
    return list(
        db.session.scalars(
            select(AmiCall)
            .where(AmiCall.organisation_id == org.id)
            .order_by(AmiCall.year.desc(), AmiCall.id.desc())
        )
    )


def application_in(org, application_id: int) -> Application | None:
    return db.session.scalar(
        select(Application)
        .join(AmiCall, Application.call_id == AmiCall.id)
        .where(Application.id == application_id, AmiCall.organisation_id == org.id)
    )


def association_in(org, association_id: int) -> Association | None:
    return db.session.scalar(
        select(Association).where(
            Association.id == association_id, Association.organisation_id == org.id
        )
    )


def associations_of(org) -> list[Association]:
    return list(
        db.session.scalars(
            select(Association)
            .where(Association.organisation_id == org.id)
            .order_by(Association.name)
        )
    )


def jury_seat(call: AmiCall, user) -> JuryMember | None:
    """The person's seat on the call's jury, if they sit on it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(JuryMember).where(JuryMember.call_id == call.id, JuryMember.user_id == user.id)
    )
