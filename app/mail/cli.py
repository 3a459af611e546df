"""`flask outbox send` and `flask outbox status`."""

import click
from flask.cli import AppGroup

from app.mail.services import outbox_counts, send_pending

outbox = AppGroup("outbox", help="Deliver the e-mails waiting in the outbox.")


@outbox.command("send")
@click.option("--limit", default=500, show_default=True, help="At most this many e-mails.")
def send_command(limit: int) -> None:
    """Send the pending e-mails that are due (SMTP, or the console in development)."""
    report = send_pending(limit=limit)
    click.echo(f"{report.sent} sent, {report.retried} to retry, {report.failed} failed.")


@outbox.command("status")
def status_command() -> None:
    """Count the e-mails by status."""
    counts = outbox_counts()
    for status in ("pending", "sending", "sent", "failed"):
        click.echo(f"{status}\t{counts.get(status, 0)}")
    if counts.get("sending"):
        click.echo(
            "E-mails left 'sending' by an interrupted run are not retried, so that nobody "
            "receives one twice; check them in the mail server's log.",
            err=True,
        )
