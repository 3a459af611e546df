"""Loading helpers shared by the council's pages."""

from __future__ import annotations

from flask import abort, g, redirect, url_for
from flask_login import current_user

from app.access import can, require
from app.sanitize import text_to_html
from app.uploads import services as uploads
from app.uploads.messages import upload_message
from participation.council import queries, rules, services
from participation.council.permissions import CouncilCase


def case_of(item) -> CouncilCase:
    return CouncilCase(item, queries.council_of(g.organisation))


def load_contribution(contribution_id: int, action: str = "council.contribution.view"):
    contribution = queries.contribution_in(g.organisation, contribution_id)
    if contribution is None:
        abort(404)
    require(can(current_user, action, contribution))
    return contribution


def load_referral(referral_id: int):
    referral = queries.referral_in(g.organisation, referral_id)
    if referral is None:
        abort(404)
    require(can(current_user, "council.referral.view", referral))
    return referral


def store_uploads(form_field) -> list:
    """Store each uploaded file (type checked by content); errors go to the form field."""
    stored = []
    for upload in form_field.data or []:
        if not upload or not upload.filename:
            continue
        try:
            stored.append(uploads.store(upload, g.organisation.id, current_user.id))
        except uploads.UploadError as exc:
            form_field.errors.append(
                f"{uploads.safe_name(upload.filename)} : {upload_message(exc)}"
            )
    return stored


def referral_data(form) -> services.ReferralData:
    day = form.deadline_on.data
    return services.ReferralData(
        title=form.title.data,
        description=text_to_html(form.description.data or ""),
        deadline=rules.paris_to_utc(day, form.deadline_time.data) if day else None,
    )


def back(contribution):
    return redirect(url_for("council.contribution", contribution_id=contribution.id))
