"""Loading helpers shared by the saisines pages."""

from __future__ import annotations

from datetime import time

from flask import abort, g
from flask_login import current_user

from app.access import can, require
from app.db import db, utcnow
from app.uploads import services as uploads
from app.uploads.messages import upload_message
from consultations.saisines import queries, rules, services

END_OF_DAY = time(23, 59)


def load_managed(saisine_id: int):
    """The saisine of the current organisation that the admin manages, closed if due."""
    saisine = queries.saisine_in(g.organisation, saisine_id)
    if saisine is None:
        abort(404)
    require(can(current_user, "saisines.manage", saisine))
    if services.close_if_due(saisine, utcnow()):
        db.session.commit()
    return saisine


def deadline_from(day, at) -> object:
    return rules.paris_to_utc(day, at or END_OF_DAY)


def store_uploads(files, field, allowed=None) -> list:
    """Store each uploaded file; errors go to the form field. Returns the stored files."""
    stored = []
    for upload in files or []:
        if not upload or not upload.filename:
            continue
        try:
            stored.append(
                uploads.store(upload, g.organisation.id, current_user.id, allowed=allowed)
            )
        except uploads.UploadError as exc:
            field.errors.append(f"{uploads.safe_name(upload.filename)} : {upload_message(exc)}")
    return stored
