"""`flask territory load SIREN` and `flask territory list`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.db import db
from app.organisations import queries, services
from app.organisations.refdata import InvalidSiren, UnknownSiren, find_epci

territory = AppGroup("territory", help="Load EPCIs and their communes from the reference data.")


@territory.command("load")
@click.argument("siren")
@click.option("--slug", help="Short name in URLs (default: from the EPCI's name).")
@click.option("--host", "hosts", multiple=True, help="Host name serving this organisation.")
def load_command(siren: str, slug: str | None, hosts: tuple[str, ...]) -> None:
    """Create or update the EPCI with this SIREN and all its communes."""
    try:
        record = find_epci(siren)
    except InvalidSiren:
        click.echo(f"Error: '{siren}' is not a valid SIREN (nine digits, Luhn key).", err=True)
        raise SystemExit(2) from None
    except UnknownSiren:
        click.echo(f"Error: no EPCI with SIREN {siren} in the reference data.", err=True)
        raise SystemExit(2) from None
    report = services.load_territory(record, slug=slug)
    for host in hosts:
        services.add_host(report.organisation, host)
    db.session.commit()
    org = report.organisation
    verb = "Created" if report.created else ("Updated" if report.changed else "Unchanged:")
    click.echo(
        f"{verb} {org.name} (SIREN {org.siren}, slug {org.slug}): "
        f"{len(record.communes)} communes "
        f"({report.communes_added} added, {report.communes_updated} updated, "
        f"{report.communes_deactivated} deactivated)."
    )


@territory.command("list")
def list_command() -> None:
    """List the loaded organisations with their number of communes."""
    rows = queries.organisations_with_counts()
    if not rows:
        click.echo("No organisation loaded yet: flask --app app territory load SIREN")
        return
    for org, count in rows:
        hosts = ", ".join(h.host for h in org.hosts)
        click.echo(
            f"{org.slug}\t{org.siren}\t{org.type}\t{count} communes\t{org.name}"
            + (f"\t{hosts}" if hosts else "")
        )
