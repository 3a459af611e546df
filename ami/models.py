"""AMI cohésion sociale tables: themes and QPVs, associations, calls with their funding rules,
applications, hearings, the jury's scores and the decisions.

Amounts are stored in euro cents (integers), rates and shares in whole percent.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import TimestampMixin, db, str_enum
from app.organisations.models import Commune
from app.uploads.models import StoredFile
from app.users.models import User

# --- reference lists ----------------------------------------------------------------------


class Theme(db.Model):
    """A thématique prioritaire (éducation, santé...), shared by the organisation's calls."""

    __tablename__ = "ami_theme"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)


class Qpv(db.Model):
    """A quartier prioritaire de la politique de la ville."""

    __tablename__ = "ami_qpv"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: national code, e.g. QN06201M
    code: Mapped[str | None] = mapped_column(sa.String(12))
    name: Mapped[str] = mapped_column(sa.String(200))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"), index=True)

    commune: Mapped[Commune | None] = relationship(lazy="joined")


association_theme = sa.Table(
    "ami_association_theme",
    db.metadata,
    sa.Column("association_id", sa.ForeignKey("ami_association.id"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("ami_theme.id"), primary_key=True),
)
association_qpv = sa.Table(
    "ami_association_qpv",
    db.metadata,
    sa.Column("association_id", sa.ForeignKey("ami_association.id"), primary_key=True),
    sa.Column("qpv_id", sa.ForeignKey("ami_qpv.id"), primary_key=True),
)


class Association(TimestampMixin, db.Model):
    """An association (porteur de projet, opérateur) known to the organisation; its people hold
    the association_member role tied to it."""

    __tablename__ = "ami_association"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: RNA number: W followed by nine digits
    rna_number: Mapped[str | None] = mapped_column(sa.String(10))
    #: SIRET: fourteen digits, Luhn check digit
    siret: Mapped[str | None] = mapped_column(sa.String(14))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(5), default="")
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id"), index=True)
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(30), default="")
    #: short presentation, plain text
    presentation: Mapped[str] = mapped_column(sa.Text, default="")

    commune: Mapped[Commune | None] = relationship(lazy="joined")
    themes: Mapped[list[Theme]] = relationship(
        secondary=association_theme, order_by="Theme.position", lazy="selectin"
    )
    qpvs: Mapped[list[Qpv]] = relationship(
        secondary=association_qpv, order_by="Qpv.name", lazy="selectin"
    )


# --- calls ----------------------------------------------------------------------------------


class InterestDisclosure(StrEnum):
    """What an association learns of an interest another marked in it (set per call)."""

    #: nothing until it marks interest back: then both are told of the match
    ON_MATCH = "on_match"
    #: it may look at the list of the associations interested in it (no contact before a match)
    LIST = "list"


call_theme = sa.Table(
    "ami_call_theme",
    db.metadata,
    sa.Column("call_id", sa.ForeignKey("ami_call.id"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("ami_theme.id"), primary_key=True),
)


class AmiCall(TimestampMixin, db.Model):
    """A yearly appel à manifestation d'intérêt with its themes, envelope and funding rules."""

    __tablename__ = "ami_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    #: cahier des charges, sanitised HTML
    specification: Mapped[str] = mapped_column(sa.Text, default="")
    specification_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    #: UTC; applications may be submitted from opens_at until closes_at
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    #: the whole envelope, co-funders' shares included (cents)
    budget_envelope_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: share of the project's total budget the EPCI may fund, without bonus (percent)
    base_rate: Mapped[int] = mapped_column(default=50)
    #: the most one application may receive (cents)
    ceiling_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: the "page blanche" track for embryonic projects, with a lighter form
    blank_page_enabled: Mapped[bool] = mapped_column(default=False)
    blank_page_ceiling_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: the call is visible to associations once published
    published_at: Mapped[datetime | None]
    #: jury members see each other's scores once the deliberation is open
    deliberation_opened_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: the associations' network: what an association learns of an interest marked in it
    interest_disclosure: Mapped[InterestDisclosure] = mapped_column(
        str_enum(InterestDisclosure), default=InterestDisclosure.ON_MATCH
    )

    themes: Mapped[list[Theme]] = relationship(
        secondary=call_theme, order_by="Theme.position", lazy="selectin"
    )
    specification_file: Mapped[StoredFile | None] = relationship()
    co_funders: Mapped[list[CoFunder]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CoFunder.id"
    )
    bonus_rules: Mapped[list[BonusRule]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="BonusRule.id"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position"
    )


class CoFunder(db.Model):
    """A partner's share of the envelope (e.g. the Conseil Régional)."""

    __tablename__ = "ami_co_funder"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_call.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)

    call: Mapped[AmiCall] = relationship(back_populates="co_funders")


class BonusKind(StrEnum):
    #: the public reached is mostly women: share of women >= threshold (percent)
    WOMEN_SHARE = "women_share"
    #: associations working together: number of associations on the application >= threshold
    COOPERATION = "cooperation"
    #: the action reaches at least `threshold` QPVs
    QPV_COUNT = "qpv_count"
    #: the action belongs to the given theme (a need particularly poorly covered)
    THEME = "theme"


class BonusRule(db.Model):
    """A bonification: a higher funding rate when the application meets a condition."""

    __tablename__ = "ami_bonus_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_call.id"), index=True)
    kind: Mapped[BonusKind] = mapped_column(str_enum(BonusKind))
    label: Mapped[str] = mapped_column(sa.String(200))
    #: the funding rate when the rule applies (percent)
    rate: Mapped[int]
    threshold: Mapped[int] = mapped_column(default=0)
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ami_theme.id"))

    call: Mapped[AmiCall] = relationship(back_populates="bonus_rules")


class Criterion(db.Model):
    """A criterion of the call's evaluation grid, scored 0 to 5."""

    __tablename__ = "ami_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_call.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    weight: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    call: Mapped[AmiCall] = relationship(back_populates="criteria")


# --- applications ---------------------------------------------------------------------------


class Track(StrEnum):
    STANDARD = "standard"
    BLANK_PAGE = "blank_page"


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


application_qpv = sa.Table(
    "ami_application_qpv",
    db.metadata,
    sa.Column("application_id", sa.ForeignKey("ami_application.id"), primary_key=True),
    sa.Column("qpv_id", sa.ForeignKey("ami_qpv.id"), primary_key=True),
)
application_commune = sa.Table(
    "ami_application_commune",
    db.metadata,
    sa.Column("application_id", sa.ForeignKey("ami_application.id"), primary_key=True),
    sa.Column("commune_id", sa.ForeignKey("commune.id"), primary_key=True),
)
application_partner = sa.Table(
    "ami_application_partner",
    db.metadata,
    sa.Column("application_id", sa.ForeignKey("ami_application.id"), primary_key=True),
    sa.Column("association_id", sa.ForeignKey("ami_association.id"), primary_key=True),
)


class Application(TimestampMixin, db.Model):
    """A dossier de candidature: one sheet, both sides."""

    __tablename__ = "ami_application"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "number"),
        sa.Index("ix_ami_application_call_status", "call_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_call.id"), index=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_association.id"), index=True)
    track: Mapped[Track] = mapped_column(str_enum(Track), default=Track.STANDARD)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.DRAFT
    )
    #: receipt number given at submission, e.g. AMI-2026-007
    number: Mapped[str | None] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ami_theme.id"), index=True)
    #: who the action is for (plain text)
    public: Mapped[str] = mapped_column(sa.Text, default="")
    #: expected number of people reached
    beneficiaries: Mapped[int | None]
    #: share of women in the public reached (percent)
    women_share: Mapped[int | None]
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    actions: Mapped[str] = mapped_column(sa.Text, default="")
    #: other partners, in words (partner associations are linked below)
    partners_text: Mapped[str] = mapped_column(sa.Text, default="")
    calendar: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    budget_total_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    requested_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    other_funding_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    other_funding_details: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: eligibility check by the EPCI
    complete: Mapped[bool | None]
    association_valid: Mapped[bool | None]
    theme_in_call: Mapped[bool | None]
    eligibility_reason: Mapped[str] = mapped_column(sa.Text, default="")
    eligibility_checked_at: Mapped[datetime | None]
    eligibility_checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: the hearing group the application is heard in
    hearing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ami_hearing.id"), index=True)
    hearing_invited_at: Mapped[datetime | None]
    hearing_confirmed_at: Mapped[datetime | None]
    #: follow-up: the year a funded action entered the contrat de ville
    city_contract_year: Mapped[int | None]
    #: optimistic locking: several people of the association may edit the draft
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    call: Mapped[AmiCall] = relationship(lazy="joined")
    association: Mapped[Association] = relationship(lazy="joined", foreign_keys=[association_id])
    theme: Mapped[Theme | None] = relationship(lazy="joined")
    qpvs: Mapped[list[Qpv]] = relationship(
        secondary=application_qpv, order_by="Qpv.name", lazy="selectin"
    )
    communes: Mapped[list[Commune]] = relationship(
        secondary=application_commune, order_by="Commune.name", lazy="selectin"
    )
    partners: Mapped[list[Association]] = relationship(
        secondary=application_partner, order_by="Association.name", lazy="selectin"
    )
    hearing: Mapped[Hearing | None] = relationship(back_populates="applications")
    decision: Mapped[Decision | None] = relationship(
        back_populates="application", uselist=False, lazy="selectin"
    )


# --- hearings -------------------------------------------------------------------------------


class HearingSlot(db.Model):
    """A time and place the jury sits to hear associations."""

    __tablename__ = "ami_hearing_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_call.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(sa.String(300), default="")


class Hearing(db.Model):
    """An audition: a group of (usually three) applications of one theme heard together."""

    __tablename__ = "ami_hearing"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_call.id"), index=True)
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ami_theme.id"))
    slot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ami_hearing_slot.id"))
    position: Mapped[int] = mapped_column(default=0)

    theme: Mapped[Theme | None] = relationship(lazy="joined")
    slot: Mapped[HearingSlot | None] = relationship(lazy="joined")
    applications: Mapped[list[Application]] = relationship(
        back_populates="hearing", order_by="Application.id"
    )


# --- jury -----------------------------------------------------------------------------------


class College(StrEnum):
    ELECTED = "elected"  # vice-président(e), élu(e)s
    EPCI_STAFF = "epci_staff"  # équipe cohésion sociale
    FOUNDATION = "foundation"  # fondation territoriale
    STATE = "state"  # délégué(e) du préfet
    CITIZEN_COUNCIL = "citizen_council"  # conseillers citoyens
    RESOURCE_CENTRE = "resource_centre"  # centre de ressources (IREV)
    OTHER = "other"


class JuryMember(db.Model):
    """A person sitting on a call's jury, in one college."""

    __tablename__ = "ami_jury_member"
    __table_args__ = (sa.UniqueConstraint("call_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_call.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    college: Mapped[College] = mapped_column(str_enum(College))

    user: Mapped[User] = relationship(lazy="joined")


class InterestDeclaration(db.Model):
    """A jury member's declaration about one application: no conflict of interest, or a
    conflict (déport), after which the member may not score it."""

    __tablename__ = "ami_interest_declaration"
    __table_args__ = (sa.UniqueConstraint("jury_member_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jury_member_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_jury_member.id"), index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_application.id"), index=True)
    conflict_of_interest: Mapped[bool]
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    declared_at: Mapped[datetime]


class Score(db.Model):
    """One member's score (0 to 5) on one criterion of one application."""

    __tablename__ = "ami_score"
    __table_args__ = (
        sa.UniqueConstraint("jury_member_id", "application_id", "criterion_id"),
        sa.CheckConstraint("value >= 0 AND value <= 5", name="value_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jury_member_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_jury_member.id"), index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_application.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_criterion.id"))
    value: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    scored_at: Mapped[datetime]


# --- decisions ------------------------------------------------------------------------------


class Outcome(StrEnum):
    FUNDED = "funded"
    NOT_FUNDED = "not_funded"
    REDIRECTED = "redirected"  # réorientation vers un autre dispositif
    INTRODUCED = "introduced"  # mise en réseau avec d'autres associations


decision_introduction = sa.Table(
    "ami_decision_introduction",
    db.metadata,
    sa.Column("decision_id", sa.ForeignKey("ami_decision.id"), primary_key=True),
    sa.Column("association_id", sa.ForeignKey("ami_association.id"), primary_key=True),
)


class Decision(TimestampMixin, db.Model):
    """The jury's decision on one application, recorded by the EPCI."""

    __tablename__ = "ami_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("ami_application.id"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome))
    #: total granted (cents), co-funder's part included
    granted_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: part of the grant paid by a co-funder
    co_funder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ami_co_funder.id"))
    co_funded_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: why (internal to the EPCI and the jury)
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    #: the jury's advice, shown to the association
    advice: Mapped[str] = mapped_column(sa.Text, default="")
    #: the other scheme the project is turned to (réorientation)
    referral_note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    notified_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship(back_populates="decision")
    co_funder: Mapped[CoFunder | None] = relationship(lazy="joined")
    introductions: Mapped[list[Association]] = relationship(
        secondary=decision_introduction, order_by="Association.name", lazy="selectin"
    )
