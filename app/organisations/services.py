"""Setting up an organisation from the reference data."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from app.audit.services import record
from app.db import db
from app.organisations.models import (
    Branding,
    Commune,
    Organisation,
    OrganisationHost,
    OrganisationType,
)
from app.organisations.refdata import EpciRecord
from app.uploads.models import StoredFile


@dataclass
class LoadReport:
    organisation: Organisation
    created: bool
    communes_added: int
    communes_updated: int
    communes_deactivated: int

    @property
    def changed(self) -> bool:
        return self.created or bool(
            self.communes_added or self.communes_updated or self.communes_deactivated
        )


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "organisation"


def load_territory(record_: EpciRecord, slug: str | None = None) -> LoadReport:
    """Create or update the organisation and its communes; running it twice changes nothing.

    Communes are matched on their INSEE code, so names and populations are updated in place
    and every link to a commune survives. A commune that left the EPCI is deactivated, never
    deleted.
    """
    org = db.session.scalar(select(Organisation).where(Organisation.siren == record_.siren))
    created = org is None
    if org is None:
        org = Organisation(
            siren=record_.siren,
            name=record_.name,
            type=OrganisationType.from_reference(record_.type),
            slug=_free_slug(slug or slugify(record_.name)),
        )
        db.session.add(org)
        db.session.flush()
    else:
        if org.name != record_.name:
            org.name = record_.name
        if slug and org.slug != slug:
            org.slug = _free_slug(slug)
    existing = {
        c.insee_code: c
        for c in db.session.scalars(select(Commune).where(Commune.organisation_id == org.id))
    }
    added = updated = 0
    for rec in record_.communes:
        commune = existing.pop(rec.insee_code, None)
        values = {
            "name": rec.name,
            "siren": rec.siren,
            "departement": rec.departement,
            "population": rec.population,
            "postal_codes": rec.postal_codes,
            "active": True,
        }
        if commune is None:
            db.session.add(Commune(organisation_id=org.id, insee_code=rec.insee_code, **values))
            added += 1
        elif any(getattr(commune, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(commune, key, value)
            updated += 1
    deactivated = 0
    for commune in existing.values():
        if commune.active:
            commune.active = False
            deactivated += 1
    db.session.flush()
    report = LoadReport(org, created, added, updated, deactivated)
    if report.changed:
        record(
            None,
            org,
            "territory.load",
            org,
            {"added": added, "updated": updated, "deactivated": deactivated},
        )
    return report


def _free_slug(slug: str) -> str:
    slug = slugify(slug)
    candidate, n = slug, 2
    while db.session.scalar(select(Organisation.id).where(Organisation.slug == candidate)):
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def add_host(org: Organisation, host: str) -> OrganisationHost:
    host = host.strip().lower().split(":")[0]
    entry = db.session.scalar(select(OrganisationHost).where(OrganisationHost.host == host))
    if entry is None:
        entry = OrganisationHost(organisation_id=org.id, host=host)
        db.session.add(entry)
    else:
        entry.organisation_id = org.id
    db.session.flush()
    return entry


def host_owner(host: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation)
        .join(OrganisationHost)
        .where(OrganisationHost.host == host.strip().lower().split(":")[0])
    )


def save_branding(
    actor,
    organisation: Organisation,
    *,
    display_name: str | None,
    accent_colour: str | None,
    logo: StoredFile | None = None,
    remove_logo: bool = False,
) -> Branding:
    """Set the organisation's visual identity (one row per organisation); a new logo wins."""
    branding = organisation.branding
    if branding is None:
        branding = Branding(organisation=organisation)
        db.session.add(branding)
    branding.display_name = display_name or None
    branding.accent_colour = accent_colour.lower() if accent_colour else None
    if logo is not None:
        branding.logo = logo
    elif remove_logo:
        branding.logo = None
    db.session.flush()
    record(
        actor,
        organisation,
        "organisation.branding",
        organisation,
        {
            "display_name": branding.display_name,
            "accent_colour": branding.accent_colour,
            "logo": branding.logo.original_name if branding.logo else None,
        },
    )
    return branding
