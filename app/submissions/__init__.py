"""Idempotent submissions: a hidden one-time token in the forms that create things, so that the
same POST sent twice (a double click, a browser re-sending after a timeout) creates one object
and the second request lands on the result of the first.

A form gets the token with `OnceField`; its route asks `already_done(token, user)` before it
creates anything, then commits with `commit_once(token, user, url)`, in the same transaction as
the creation.
The token's unique key decides between two copies sent at the same moment: the loser's commit
fails, it rolls back everything it did and shows the winner's result (`winner_url`).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy import select
from wtforms import HiddenField

from app.db import db, utcnow
from app.submissions.models import SubmissionToken

TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def OnceField() -> HiddenField:  # noqa: N802 - a field factory, named like a field
    """The hidden one-time token of a form that creates something."""
    return HiddenField(default=new_token)


def _valid(token: str | None) -> bool:
    return bool(token) and len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()


def already_done(token: str | None, user_id: int) -> str | None:
    """The result URL of the submission already made with this token by this person."""
    if not _valid(token):
        return None
    return db.session.scalar(
        select(SubmissionToken.result_url).where(
            SubmissionToken.token == token, SubmissionToken.user_id == user_id
        )
    )


def winner_url(token: str | None, user_id: int) -> str | None:
    """After a failed commit: the result of the copy that won, if the token is the reason."""
    db.session.rollback()
    return already_done(token, user_id)


def purge(before) -> int:
    """Forget the tokens older than `before` (a double click is a matter of seconds)."""
    result = db.session.execute(
        sa.delete(SubmissionToken).where(SubmissionToken.created_at < before)
    )
    return result.rowcount or 0


def commit_once(token: str | None, user_id: int, result_url: str) -> str | None:
    """Record the submission with what it created, and commit. None when this copy won; else
    the result URL of the copy that won, and everything this one did is rolled back.

    A token already used by someone else is not theirs to replay: it is ignored."""
    if _valid(token):
        used = db.session.execute(
            select(SubmissionToken.user_id, SubmissionToken.result_url).where(
                SubmissionToken.token == token
            )
        ).first()
        if used is not None and used.user_id == user_id:
            db.session.rollback()
            return used.result_url
        if used is None:
            db.session.add(
                SubmissionToken(
                    token=token, user_id=user_id, result_url=result_url, created_at=utcnow()
                )
            )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        done = winner_url(token, user_id)
        if done is None:
            raise
        return done
    return None


def sent_twice_message() -> str:
    from app.i18n import _

    return _("Ce formulaire avait déjà été envoyé : il n'est enregistré qu'une fois.")


def back_to_first_copy(url: str):
    """The answer to a second copy of a form: back to the first copy's result (`url`, as
    `already_done`, `commit_once` or `winner_url` gave it), saying it was recorded once."""
    from flask import flash, redirect

    flash(sent_twice_message(), "info")
    return redirect(url)
