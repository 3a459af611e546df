"""`flask saisines close-due` and `flask saisines remind` (run them from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import db, utcnow
from consultations.saisines import services

saisines_cli = AppGroup("saisines", help="Close saisines at their deadline and send reminders.")


def reminder_days(value: str) -> list[int]:
    try:
        days = sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise click.BadParameter("a comma-separated list of days, e.g. 7,1") from None
    if not days or any(day < 0 for day in days):
        raise click.BadParameter("a comma-separated list of days, e.g. 7,1")
    return days


@saisines_cli.command("close-due")
def close_due_command() -> None:
    """Close the saisines whose deadline has passed and record the tacit opinions."""
    closed = services.close_due(utcnow())
    db.session.commit()
    for saisine in closed:
        click.echo(f"closed {saisine.reference}: {saisine.title}")
    click.echo(f"{len(closed)} saisine(s) closed.")


@saisines_cli.command("remind")
@click.option(
    "--days",
    "days",
    default=None,
    help="Reminder steps in days before the deadline (default: SAISINE_REMINDER_DAYS, 7,1).",
)
def remind_command(days: str | None) -> None:
    """E-mail the communes that have not submitted, once per step (J-7, J-1 by default)."""
    steps = reminder_days(days or current_app.config["SAISINE_REMINDER_DAYS"])
    sent = services.send_reminders(utcnow(), steps)
    db.session.commit()
    click.echo(f"{sent} reminder(s) queued in the outbox; run `flask outbox send` to deliver.")
