"""Queue e-mails in the outbox and deliver them."""

from __future__ import annotations

import smtplib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from app.db import db, utcnow
from app.mail.models import OutboxAttachment, OutboxEmail, OutboxStatus


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def queue_email(
    to: str,
    template: str,
    *,
    organisation=None,
    locale: str = "fr",
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    **context,
) -> OutboxEmail:
    """Render `emails/<template>.txt` (and `.html` if present) and add it to the outbox,
    with its attached files.

    The subject is the template's first line. Nothing is sent until `flask outbox send`.
    """
    with force_locale(locale):
        text = render_template(f"emails/{template}.txt", organisation=organisation, **context)
    subject, _, body = text.partition("\n")
    email = OutboxEmail(
        organisation_id=getattr(organisation, "id", None),
        to_address=to,
        subject=subject.strip()[:300],
        body_text=body.strip() + "\n",
        attachments=[
            OutboxAttachment(filename=a.filename, content_type=a.content_type, content=a.content)
            for a in attachments
        ],
    )
    db.session.add(email)
    return email


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4, 8 ... minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _claim(email_id: int) -> bool:
    """Mark one pending e-mail as being sent; false if another sender took it first."""
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, OutboxEmail.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING)
    )
    db.session.commit()
    return result.rowcount == 1


def build_message(email: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(idstring=f"outbox{email.id}")
    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message


def smtp_deliver(message: EmailMessage) -> None:
    cfg = current_app.config
    cls = smtplib.SMTP_SSL if cfg["SMTP_SSL"] else smtplib.SMTP
    with cls(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"]) as smtp:
        if cfg["SMTP_STARTTLS"] and not cfg["SMTP_SSL"]:
            smtp.starttls()
        if cfg["SMTP_USERNAME"]:
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
        smtp.send_message(message)


def console_deliver(message: EmailMessage) -> None:
    sys.stdout.write(f"{'-' * 72}\n{message.as_string()}\n")
    sys.stdout.flush()


def send_pending(
    now: datetime | None = None,
    deliver: Callable[[EmailMessage], None] | None = None,
    limit: int = 500,
) -> SendReport:
    """Deliver the e-mails that are due, each at most once, retrying failures with back-off."""
    cfg = current_app.config
    if deliver is None:
        deliver = smtp_deliver if cfg["MAIL_BACKEND"] == "smtp" else console_deliver
    now = now or utcnow()
    report = SendReport()
    due_ids = db.session.scalars(
        select(OutboxEmail.id)
        .where(OutboxEmail.status == OutboxStatus.PENDING)
        .where(OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.id)
        .limit(limit)
    ).all()
    for email_id in due_ids:
        if not _claim(email_id):
            continue
        email = db.session.get(OutboxEmail, email_id)
        # built before any change so that no write lock is held while delivering
        message = build_message(email, cfg["MAIL_FROM"])
        email.attempts += 1
        try:
            deliver(message)
        except (smtplib.SMTPException, OSError) as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= cfg["OUTBOX_MAX_ATTEMPTS"]:
                email.status = OutboxStatus.FAILED
                report.failed += 1
            else:
                email.status = OutboxStatus.PENDING
                email.next_attempt_at = now + backoff(email.attempts)
                report.retried += 1
        else:
            email.status = OutboxStatus.SENT
            email.sent_at = utcnow()
            email.last_error = None
            report.sent += 1
        db.session.commit()
    return report


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxEmail.status, db.func.count()).group_by(OutboxEmail.status)
    )
    return {str(status): n for status, n in rows}
