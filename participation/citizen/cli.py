"""`flask participation purge-ips` (run it daily from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import db, utcnow
from participation.citizen.privacy import purge_ip_addresses

participation_cli = AppGroup("participation", help="Citizen consultations: personal data.")


@participation_cli.command("purge-ips")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Retention in days (default: PARTICIPATION_IP_RETENTION_DAYS, 365).",
)
def purge_ips_command(days: int | None) -> None:
    """Erase the IP addresses of proposals, comments and reports older than the retention."""
    retention = current_app.config["PARTICIPATION_IP_RETENTION_DAYS"] if days is None else days
    counts = purge_ip_addresses(utcnow(), retention)
    db.session.commit()
    for name, count in counts.items():
        click.echo(f"{name}: {count} IP address(es) erased")
    click.echo(f"IP addresses older than {retention} days erased: {sum(counts.values())}.")
