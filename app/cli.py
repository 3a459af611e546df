"""Command-line tools: user accounts, the demo organisation, translations."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.db import db
from app.organisations import queries as org_queries
from app.users import services as user_services
from app.users.models import Role

user_cli = AppGroup("user", help="Manage user accounts.")


def _organisation(slug: str | None):
    if slug:
        org = org_queries.by_slug(slug)
        if org is None:
            raise click.UsageError(f"no organisation with slug '{slug}' (see: territory list)")
        return org
    rows = org_queries.organisations_with_counts()
    if len(rows) != 1:
        raise click.UsageError("several or no organisations: name one with --org SLUG")
    return rows[0][0]


def _read_password() -> tuple[str, bool]:
    """A password from standard input, else a generated one (then True)."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if line:
            return line, False
    elif sys.stdin.isatty():
        entered = click.prompt(
            "Password (empty to generate one)",
            default="",
            hide_input=True,
            show_default=False,
        )
        if entered:
            return entered, False
    return user_services.generate_password(), True


@user_cli.command("create")
@click.argument("email")
@click.option("--role", "role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--commune", "insee", help="INSEE code of the commune (mayor, commune_staff).")
@click.option("--association", "association_name", help="Association name (association_member).")
@click.option("--org", "org_slug", help="Organisation slug (needed when there are several).")
@click.option("--name", "display_name", help="Display name (default: the e-mail address).")
def create_user_command(email, role, insee, association_name, org_slug, display_name):
    """Create an account with a role; the password is read from standard input or generated."""
    org = _organisation(org_slug)
    role = Role(role)
    commune = None
    if insee:
        commune = org_queries.commune_by_insee(org, insee)
        if commune is None:
            raise click.UsageError(f"no commune with INSEE code {insee} in {org.name}")
    association = _association(org, association_name) if association_name else None
    password, generated = _read_password()
    try:
        user = user_services.find_user(org, email)
        if user is None:
            user = user_services.create_user(org, email, display_name or email, password=password)
        else:
            generated = False
        user_services.add_role(None, user, role, commune=commune, association=association)
    except user_services.UserError as exc:
        db.session.rollback()
        raise click.UsageError(f"refused: {exc.code} {exc.params or ''}".strip()) from None
    db.session.commit()
    click.echo(f"User {user.email} in {org.slug} has role {role.value}.")
    if generated:
        click.echo(f"Generated password: {password}")


def _association(org, name: str):
    from ami.models import Association

    association = db.session.scalar(
        db.select(Association).where(
            Association.organisation_id == org.id, Association.name == name
        )
    )
    if association is None:
        association = Association(organisation_id=org.id, name=name)
        db.session.add(association)
        db.session.flush()
    return association


@click.command("demo")
def demo_command() -> None:
    """Load the demo organisation (CA de Lens-Liévin) with one account per role."""
    from app.demo import DEMO_PASSWORD, load_demo

    accounts = load_demo()
    db.session.commit()
    click.echo("Demo organisation ready: CA de Lens - Liévin (36 communes).")
    click.echo(f"Every demo account has the password: {DEMO_PASSWORD}")
    for email, label in accounts:
        click.echo(f"  {email:<40} {label}")


translations_cli = AppGroup("translations", help="Keep the fr and en catalogues up to date.")


@translations_cli.command("update")
def translations_update() -> None:
    """Extract the strings and update the catalogues (then translate the new ones in en)."""
    from app.translations.tools import update_catalogues

    for line in update_catalogues():
        click.echo(line)


@translations_cli.command("check")
def translations_check() -> None:
    """List the strings with no English translation; exit 1 if any."""
    from app.translations.tools import missing_translations

    missing = missing_translations("en")
    for msgid in missing:
        click.echo(msgid)
    if missing:
        raise SystemExit(1)
    click.echo("The English catalogue is complete.")
