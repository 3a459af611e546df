"""Organisations (EPCI), their communes, sectors and host names."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, str_enum
from app.uploads.models import StoredFile


class OrganisationType(StrEnum):
    METRO = "METRO"
    CU = "CU"
    CA = "CA"
    CC = "CC"

    @classmethod
    def from_reference(cls, code: str) -> OrganisationType:
        """The type of an EPCI as the reference data spells it.

        MET69 is the Métropole de Lyon, a collectivity with the status of a métropole.
        """
        return cls.METRO if code == "MET69" else cls(code)


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official name, as in INSEE's reference (e.g. "CA de Lens - Liévin")
    name: Mapped[str] = mapped_column(sa.String(200))
    #: SIREN number, nine digits
    siren: Mapped[str] = mapped_column(sa.String(9), unique=True)
    #: METRO (métropole), CU, CA (agglomération), CC
    type: Mapped[OrganisationType] = mapped_column(str_enum(OrganisationType))
    #: short name used in URLs and the CLI
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    #: administrators must use two-factor authentication (they are sent to set it up)
    admins_need_two_factor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    communes: Mapped[list[Commune]] = relationship(
        back_populates="organisation", order_by="Commune.name"
    )
    hosts: Mapped[list[OrganisationHost]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    sectors: Mapped[list[Sector]] = relationship(
        back_populates="organisation", order_by="Sector.name"
    )
    #: loaded with the organisation (one query per request, as before): every page shows it
    branding: Mapped[Branding | None] = relationship(
        back_populates="organisation", lazy="joined", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        """The name shown in the header: the identity's override, else the official name."""
        if self.branding is not None and self.branding.display_name:
            return self.branding.display_name
        return self.name

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Branding(TimestampMixin, db.Model):
    """The organisation's visual identity: the name shown, its logo, its accent colour."""

    __tablename__ = "organisation_branding"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), unique=True)
    #: shown instead of the official name in the header (e.g. "Agglo de Lens-Liévin")
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    #: a PNG or JPEG image stored through app.uploads
    logo_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    #: "#rrggbb", at least 4.5:1 against white
    accent_colour: Mapped[str | None] = mapped_column(sa.String(7))

    organisation: Mapped[Organisation] = relationship(back_populates="branding")
    logo: Mapped[StoredFile | None] = relationship()


class OrganisationHost(db.Model):
    """A host name under which an organisation is served (concertation.agglo-lenslievin.fr)."""

    __tablename__ = "organisation_host"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: lower-case host name, without port
    host: Mapped[str] = mapped_column(sa.String(253), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="hosts")


class Sector(db.Model):
    """A group of communes, such as a conseil de territoire."""

    __tablename__ = "sector"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    organisation: Mapped[Organisation] = relationship(back_populates="sectors")
    communes: Mapped[list[Commune]] = relationship(back_populates="sector")


class Commune(TimestampMixin, db.Model):
    __tablename__ = "commune"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "insee_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: code officiel géographique (5 characters: 2A/2B for Corsica)
    insee_code: Mapped[str] = mapped_column(sa.String(5))
    name: Mapped[str] = mapped_column(sa.String(200))
    #: SIREN of the commune itself
    siren: Mapped[str | None] = mapped_column(sa.String(9))
    departement: Mapped[str | None] = mapped_column(sa.String(3))
    #: population municipale
    population: Mapped[int] = mapped_column(default=0)
    #: space-separated postal codes
    postal_codes: Mapped[str] = mapped_column(sa.String(200), default="")
    #: optional sector (conseil de territoire)
    sector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sector.id"), index=True)
    #: the commune has at least one quartier prioritaire de la politique de la ville
    has_qpv: Mapped[bool] = mapped_column(default=False)
    #: false once the commune no longer belongs to the EPCI in the reference data
    active: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Organisation] = relationship(back_populates="communes")
    sector: Mapped[Sector | None] = relationship(back_populates="communes")

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    def __repr__(self) -> str:
        return f"<Commune {self.insee_code} {self.name}>"
