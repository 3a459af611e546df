"""`flask bench generate`: fill the database at a given scale."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.i18n import _
from bench.generate import PASSWORD, AlreadyGenerated, generate
from bench.scales import SCALES

bench_cli = AppGroup("bench", help="Données de mesure (générateur de données en volume).")


@bench_cli.command("generate")
@click.option("--scale", type=click.Choice(sorted(SCALES)), default="small", show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def generate_command(scale: str, seed: int) -> None:
    """Génère une organisation (ou toutes) avec des années d'activité, en insertions groupées."""
    try:
        report = generate(scale, seed, echo=click.echo)
    except AlreadyGenerated as exc:
        raise click.ClickException(
            _("L'organisation %(siren)s existe déjà : utilisez une base vide.", siren=str(exc))
        ) from exc
    for table, count in report.counts.items():
        click.echo(f"  {table:40} {count:>9}")
    click.echo(
        f"scale={report.scale} seed={report.seed} organisations={report.organisations} "
        f"communes={report.communes} territory={report.territory_seconds:.1f}s "
        f"total={report.total_seconds:.1f}s"
    )
    click.echo(f"organisation slugs: {', '.join(report.slugs)}")
    click.echo(
        "password of admin@concerto-bench.fr, maire-<insee>@concerto-bench.fr, "
        f"asso-<n>@concerto-bench.fr, jury-<year>-<n>@concerto-bench.fr: {PASSWORD}"
    )
