"""The transactional outbox, delivered to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from app.db import db, utcnow
from app.mail.models import OutboxEmail, OutboxStatus
from app.mail.services import Attachment, backoff, queue_email, send_pending, smtp_deliver
from tests import factories

SMTP_KEYS = (
    "MAIL_BACKEND",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_STARTTLS",
    "SMTP_SSL",
    "SMTP_USERNAME",
    "OUTBOX_MAX_ATTEMPTS",
)
RESET_LINK = "https://lens-lievin.example/reinitialiser/jeton-de-test"


def free_port() -> int:
    """A TCP port of 127.0.0.1 on which nothing listens (once the probe socket is closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    @property
    def envelopes(self):
        return self.mailbox.envelopes

    @property
    def messages(self):
        return self.mailbox.messages


@pytest.fixture
def start_smtp_server():
    """Start a real SMTP server on 127.0.0.1 (a free port unless one is given); stopped after."""
    started: list[SmtpServer] = []

    def start(port: int | None = None) -> SmtpServer:
        server = SmtpServer(port or free_port())
        server.controller.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.controller.stop()


@pytest.fixture
def smtp_config(app):
    """Point the application's SMTP settings at 127.0.0.1:<port>; the config is restored after."""
    saved = {key: app.config[key] for key in SMTP_KEYS}

    def use_port(port: int) -> None:
        app.config.update(
            MAIL_BACKEND="smtp",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=port,
            SMTP_STARTTLS=False,
            SMTP_SSL=False,
            SMTP_USERNAME="",
        )

    yield use_port
    app.config.update(saved)


@pytest.fixture
def smtp_server(start_smtp_server, smtp_config):
    """A running SMTP server that the application sends to."""
    server = start_smtp_server()
    smtp_config(server.port)
    return server


@pytest.fixture
def admin(org):
    return factories.user(org, "admin", name="Camille Martin", email="camille.martin@example.fr")


def queue_reset(org, user, to: str | None = None) -> OutboxEmail:
    """Queue the password-reset e-mail for `user` (not committed)."""
    return queue_email(
        to or user.email,
        "users/password_reset",
        organisation=org,
        locale="fr",
        user=user,
        hours=2,
        link=RESET_LINK,
    )


def outbox_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEmail))


# --- back-off ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(0, 1), (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (9, 256), (10, 360), (50, 360)],
)
def test_backoff_doubles_from_one_minute_up_to_six_hours(attempts, minutes):
    assert backoff(attempts) == timedelta(minutes=minutes)


# --- delivery ------------------------------------------------------------------------------


def test_a_queued_email_is_sent_only_when_send_pending_runs(org, admin, smtp_server):
    queued = queue_reset(org, admin)
    db.session.commit()

    assert smtp_server.envelopes == []
    assert queued.status == OutboxStatus.PENDING
    assert queued.attempts == 0
    assert queued.sent_at is None

    before = utcnow()
    report = send_pending()

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["camille.martin@example.fr"]
    message = smtp_server.messages[0]
    assert message["To"] == "camille.martin@example.fr"
    assert message["Subject"] == "Choisir un nouveau mot de passe"
    assert message["Message-ID"]
    body = message.get_content()
    assert "Bonjour Camille Martin," in body
    assert "CA de Lens - Liévin" in body
    assert "valable 2 heures" in body
    assert RESET_LINK in body

    db.session.expire_all()
    sent = db.session.get(OutboxEmail, queued.id)
    assert sent.status == OutboxStatus.SENT
    assert sent.attempts == 1
    assert sent.last_error is None
    assert sent.sent_at is not None
    assert before <= sent.sent_at <= utcnow()
    assert sent.sent_at.utcoffset() == timedelta(0)


def test_files_attached_to_a_queued_email_are_sent_with_it(org, admin, smtp_server):
    invitation = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    queue_email(
        admin.email,
        "users/password_reset",
        organisation=org,
        user=admin,
        hours=2,
        link=RESET_LINK,
        attachments=[
            Attachment("audition.ics", "text/calendar", invitation),
            Attachment("lettre.pdf", "application/pdf", b"%PDF-1.4 test"),
        ],
    )
    db.session.commit()

    send_pending()

    message = smtp_server.messages[0]
    parts = {p.get_filename(): p for p in message.iter_attachments()}
    assert sorted(parts) == ["audition.ics", "lettre.pdf"]
    assert parts["audition.ics"].get_content_type() == "text/calendar"
    assert parts["audition.ics"].get_payload(decode=True) == invitation
    assert parts["lettre.pdf"].get_payload(decode=True) == b"%PDF-1.4 test"
    assert "Bonjour Camille Martin," in message.get_body(("plain",)).get_content()


def test_send_pending_never_sends_an_email_twice(org, admin, smtp_server):
    queue_reset(org, admin)
    db.session.commit()

    first = send_pending()
    second = send_pending()
    third = send_pending(now=utcnow() + timedelta(days=30))

    assert first.sent == 1
    assert (second.sent, second.retried, second.failed) == (0, 0, 0)
    assert (third.sent, third.retried, third.failed) == (0, 0, 0)
    assert len(smtp_server.envelopes) == 1


def test_each_queued_email_goes_to_its_own_recipient(org, admin, smtp_server):
    queue_reset(org, admin, to="premiere@example.fr")
    queue_reset(org, admin, to="seconde@example.fr")
    db.session.commit()

    report = send_pending()

    assert report.sent == 2
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == [
        "premiere@example.fr",
        "seconde@example.fr",
    ]


def test_an_email_queued_in_a_rolled_back_transaction_is_never_sent(org, admin, smtp_server):
    queue_reset(org, admin, to="gardee@example.fr")
    db.session.commit()

    queue_reset(org, admin, to="annulee@example.fr")
    db.session.flush()  # written to the database, inside the transaction
    db.session.rollback()

    report = send_pending()
    later = send_pending(now=utcnow() + timedelta(days=1))

    assert report.sent == 1
    assert later.sent == 0
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["gardee@example.fr"]]
    assert outbox_rows() == 1


# --- failures and retries ------------------------------------------------------------------


def test_an_email_stays_pending_with_back_off_while_the_server_is_down(
    org, admin, smtp_config, start_smtp_server
):
    port = free_port()  # nothing listens here yet
    smtp_config(port)
    queued = queue_reset(org, admin)
    db.session.commit()
    email_id = queued.id
    now = utcnow()

    report = send_pending(now=now)

    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    db.session.expire_all()
    waiting = db.session.get(OutboxEmail, email_id)
    assert waiting.status == OutboxStatus.PENDING
    assert waiting.attempts == 1
    assert waiting.last_error
    assert "Connection" in waiting.last_error or "Errno" in waiting.last_error
    assert waiting.sent_at is None
    assert waiting.next_attempt_at == now + backoff(1) == now + timedelta(minutes=1)

    server = start_smtp_server(port)  # the server comes back on the same port

    too_early = send_pending(now=now + timedelta(seconds=59))
    assert (too_early.sent, too_early.retried, too_early.failed) == (0, 0, 0)
    assert server.envelopes == []
    db.session.expire_all()
    assert db.session.get(OutboxEmail, email_id).attempts == 1

    due = send_pending(now=now + timedelta(minutes=1))
    assert (due.sent, due.retried, due.failed) == (1, 0, 0)
    assert len(server.envelopes) == 1
    assert server.envelopes[0].rcpt_tos == [admin.email]
    db.session.expire_all()
    delivered = db.session.get(OutboxEmail, email_id)
    assert delivered.status == OutboxStatus.SENT
    assert delivered.attempts == 2
    assert delivered.last_error is None
    assert delivered.sent_at is not None


def test_the_back_off_grows_with_each_failed_attempt(org, admin, smtp_config):
    smtp_config(free_port())
    queued = queue_reset(org, admin)
    db.session.commit()
    email_id = queued.id
    now = utcnow()

    waits = []
    for _ in range(3):
        send_pending(now=now)
        db.session.expire_all()
        waiting = db.session.get(OutboxEmail, email_id)
        waits.append(waiting.next_attempt_at - now)
        now = waiting.next_attempt_at

    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert db.session.get(OutboxEmail, email_id).attempts == 3


def test_an_email_fails_for_good_after_the_maximum_number_of_attempts(
    app, org, admin, smtp_config, start_smtp_server
):
    port = free_port()
    smtp_config(port)
    max_attempts = app.config["OUTBOX_MAX_ATTEMPTS"]
    assert max_attempts > 1
    queued = queue_reset(org, admin)
    db.session.commit()
    email_id = queued.id
    now = utcnow()

    reports = []
    for _ in range(max_attempts):
        reports.append(send_pending(now=now))
        db.session.expire_all()
        now = db.session.get(OutboxEmail, email_id).next_attempt_at

    assert [r.retried for r in reports] == [1] * (max_attempts - 1) + [0]
    assert reports[-1].failed == 1
    failed = db.session.get(OutboxEmail, email_id)
    assert failed.status == OutboxStatus.FAILED
    assert failed.attempts == max_attempts
    assert failed.last_error
    assert failed.sent_at is None

    server = start_smtp_server(port)
    after = send_pending(now=utcnow() + timedelta(days=30))
    assert (after.sent, after.retried, after.failed) == (0, 0, 0)
    assert server.envelopes == []


def test_the_maximum_number_of_attempts_comes_from_the_configuration(app, org, admin, smtp_config):
    smtp_config(free_port())
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2  # restored by smtp_config
    queued = queue_reset(org, admin)
    db.session.commit()
    email_id = queued.id
    now = utcnow()

    first = send_pending(now=now)
    second = send_pending(now=now + timedelta(minutes=1))

    assert (first.retried, first.failed) == (1, 0)
    assert (second.retried, second.failed) == (0, 1)
    db.session.expire_all()
    assert db.session.get(OutboxEmail, email_id).status == OutboxStatus.FAILED


# --- claiming ------------------------------------------------------------------------------


def test_an_email_already_claimed_by_a_sender_is_not_sent_again(org, admin, smtp_server):
    queued = queue_reset(org, admin)
    db.session.commit()
    queued.status = OutboxStatus.SENDING
    queued.attempts = 1
    db.session.commit()

    report = send_pending(now=utcnow() + timedelta(days=1))

    assert (report.sent, report.retried, report.failed) == (0, 0, 0)
    assert smtp_server.envelopes == []
    db.session.expire_all()
    left = db.session.get(OutboxEmail, queued.id)
    assert left.status == OutboxStatus.SENDING
    assert left.attempts == 1


def test_an_email_claimed_by_another_sender_during_the_run_is_skipped(org, admin, smtp_server):
    queue_reset(org, admin, to="premiere@example.fr")
    second = queue_reset(org, admin, to="seconde@example.fr")
    db.session.commit()
    second_id = second.id

    def deliver_while_another_sender_claims_the_second(message):
        # another `flask outbox send` takes the second e-mail after this run listed it as due
        with db.engine.begin() as connection:
            connection.execute(
                update(OutboxEmail.__table__)
                .where(OutboxEmail.__table__.c.id == second_id)
                .values(status=OutboxStatus.SENDING.value)
            )
        smtp_deliver(message)

    report = send_pending(deliver=deliver_while_another_sender_claims_the_second)

    assert report.sent == 1
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["premiere@example.fr"]]
    db.session.expire_all()
    skipped = db.session.get(OutboxEmail, second_id)
    assert skipped.status == OutboxStatus.SENDING
    assert skipped.attempts == 0


# --- console backend -----------------------------------------------------------------------


def test_the_console_backend_prints_the_email_instead_of_using_smtp(
    app, org, admin, smtp_server, capsys
):
    app.config["MAIL_BACKEND"] = "console"  # restored by smtp_config
    queued = queue_reset(org, admin)
    db.session.commit()
    capsys.readouterr()

    report = send_pending()

    printed = capsys.readouterr().out
    assert report.sent == 1
    assert smtp_server.envelopes == []
    assert "To: camille.martin@example.fr" in printed
    assert "Subject: Choisir un nouveau mot de passe" in printed
    assert RESET_LINK in printed
    db.session.expire_all()
    assert db.session.get(OutboxEmail, queued.id).status == OutboxStatus.SENT


# --- command line --------------------------------------------------------------------------


def test_flask_outbox_send_delivers_the_pending_emails(app, org, admin, smtp_server):
    queue_reset(org, admin, to="premiere@example.fr")
    queue_reset(org, admin, to="seconde@example.fr")
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to retry, 0 failed." in result.output
    assert len(smtp_server.envelopes) == 2

    again = runner.invoke(args=["outbox", "send"])
    assert again.exit_code == 0, again.output
    assert "0 sent, 0 to retry, 0 failed." in again.output
    assert len(smtp_server.envelopes) == 2


def test_flask_outbox_send_honours_the_limit(app, org, admin, smtp_server):
    for n in range(3):
        queue_reset(org, admin, to=f"personne{n}@example.fr")
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "send", "--limit", "2"])

    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to retry, 0 failed." in result.output
    assert len(smtp_server.envelopes) == 2


def test_flask_outbox_send_reports_the_emails_to_retry(app, org, admin, smtp_config):
    smtp_config(free_port())
    queue_reset(org, admin)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "0 sent, 1 to retry, 0 failed." in result.output


def test_flask_outbox_status_counts_the_emails_by_status(app, org, admin):
    statuses = [
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
    ]
    for n, status in enumerate(statuses):
        queued = queue_reset(org, admin, to=f"personne{n}@example.fr")
        queued.status = status
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "status"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["pending\t2", "sending\t0", "sent\t1", "failed\t1"]
    assert result.stderr == ""


def test_flask_outbox_status_warns_about_emails_left_sending(app, org, admin):
    queued = queue_reset(org, admin)
    queued.status = OutboxStatus.SENDING
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "status"])

    assert result.exit_code == 0, result.output
    assert "sending\t1" in result.stdout.splitlines()
    assert "not retried" in result.stderr
