"""The network's directory: an association's entry (opt-in), the directory's search, and the
suggestions page's reads (the organisation's settings and tags: ami.network.services.settings).

Actions take the acting user and plain arguments, flush but never commit, and write their
audit entry in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, lazyload

from ami.messages import error_messages
from ami.models import (
    AmiCall,
    Association,
    Hearing,
    Qpv,
    Theme,
    association_qpv,
    association_theme,
)
from ami.network import queries, rules
from ami.network.models import (
    DirectoryProfile,
    NetworkTag,
    directory_commune,
    directory_need,
    directory_offer,
)
from ami.network.services.common import NetworkError
from app.audit.services import record
from app.db import db, utcnow
from app.i18n import _
from app.organisations.models import Commune
from app.organisations.queries import communes_of

TEXT_MAX = 1000
WEBSITE_MAX = 300


@error_messages
def _messages(params: dict) -> dict[str, str]:
    return {
        "website_invalid": _(
            "L'adresse du site doit commencer par http:// ou https://, par exemple "
            "https://www.exemple.fr."
        ),
        "text_too_long": _("%(max)d caractères au plus.", max=TEXT_MAX),
    }


def valid_website(url: str) -> bool:
    """An http(s) address with a host name (empty is valid: no site)."""
    if not url:
        return True
    if len(url) > WEBSITE_MAX or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and "." in (parts.hostname or "")


# --- an association's entry ------------------------------------------------------------------


@dataclass
class ProfileData:
    """What the association says in its entry (the tags and communes as loaded objects)."""

    listed: bool = False
    offers: list[NetworkTag] = field(default_factory=list)
    offers_text: str = ""
    needs: list[NetworkTag] = field(default_factory=list)
    needs_text: str = ""
    communes: list[Commune] = field(default_factory=list)
    website: str = ""


def _summary(profile: DirectoryProfile) -> dict:
    return {
        "listed": profile.listed,
        "offers": sorted(t.id for t in profile.offers),
        "needs": sorted(t.id for t in profile.needs),
        "communes": sorted(c.id for c in profile.communes),
        "offers_text": profile.offers_text,
        "needs_text": profile.needs_text,
        "website": profile.website,
    }


def save_profile(actor, org, association: Association, data: ProfileData) -> DirectoryProfile:
    """Create or update the association's directory entry. Switching `listed` on dates it;
    tags and communes of another organisation are ignored."""
    offers_text = (data.offers_text or "").strip()
    needs_text = (data.needs_text or "").strip()
    website = (data.website or "").strip()
    if len(offers_text) > TEXT_MAX or len(needs_text) > TEXT_MAX:
        raise NetworkError("text_too_long")
    if not valid_website(website):
        raise NetworkError("website_invalid")
    profile = queries.profile_of(association)
    created = profile is None
    if created:
        profile = DirectoryProfile(association_id=association.id, association=association)
        profile.offers, profile.needs, profile.communes = [], [], []
        db.session.add(profile)
        before = {}
    else:
        before = _summary(profile)
    if data.listed and not profile.listed:
        profile.listed_at = utcnow()
    elif not data.listed:
        profile.listed_at = None
    profile.listed = bool(data.listed)
    profile.offers = _own(data.offers, org)
    profile.needs = _own(data.needs, org)
    profile.communes = _own(data.communes, org)
    profile.offers_text, profile.needs_text, profile.website = offers_text, needs_text, website
    db.session.flush()
    after = _summary(profile)
    changed = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    action = "network.directory.create" if created else "network.directory.update"
    record(actor, org, action, association, changed)
    return profile


def _own(items, org) -> list:
    seen, kept = set(), []
    for item in items:
        if item.organisation_id == org.id and item.id not in seen:
            seen.add(item.id)
            kept.append(item)
    return kept


# --- the directory's search ------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    """The directory's search: words, and one theme, commune, QPV, offered or needed tag."""

    q: str = ""
    theme_id: int | None = None
    commune_id: int | None = None
    qpv_id: int | None = None
    offer_id: int | None = None
    need_id: int | None = None

    def args(self) -> dict:
        """The filters as the page's query string (for the pagination links)."""
        return {
            "q": self.q,
            "theme": self.theme_id or "",
            "commune": self.commune_id or "",
            "qpv": self.qpv_id or "",
            "offer": self.offer_id or "",
            "need": self.need_id or "",
        }

    @property
    def active(self) -> bool:
        return any(v for v in self.args().values())


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def directory_query(org, filters: DirectoryFilters | None = None) -> Select:
    """The listed entries of `org` matching `filters`, by association name: a select() of
    DirectoryProfile (its association, tags and communes eager-loaded)."""
    filters = filters or DirectoryFilters()
    query = (
        select(DirectoryProfile)
        .join(DirectoryProfile.association)
        .options(contains_eager(DirectoryProfile.association))
        .where(Association.organisation_id == org.id, DirectoryProfile.listed.is_(True))
    )
    words = (filters.q or "").strip()
    if words:
        pattern = _like(words)
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Association.name,
                        Association.presentation,
                        DirectoryProfile.offers_text,
                        DirectoryProfile.needs_text,
                    )
                )
            )
        )
    if filters.theme_id:
        query = query.where(_linked(association_theme, "theme_id", filters.theme_id))
    if filters.qpv_id:
        query = query.where(_linked(association_qpv, "qpv_id", filters.qpv_id))
    if filters.offer_id:
        query = query.where(_tagged(directory_offer, filters.offer_id))
    if filters.need_id:
        query = query.where(_tagged(directory_need, filters.need_id))
    if filters.commune_id:
        acts_in = (
            select(directory_commune.c.profile_id)
            .where(
                directory_commune.c.profile_id == DirectoryProfile.id,
                directory_commune.c.commune_id == filters.commune_id,
            )
            .exists()
        )
        query = query.where(or_(Association.commune_id == filters.commune_id, acts_in))
    return query.order_by(func.lower(Association.name), Association.id)


def _linked(table, column: str, value: int):
    return (
        select(table.c.association_id)
        .where(table.c.association_id == Association.id, table.c[column] == value)
        .exists()
    )


def _tagged(table, tag_id: int):
    return (
        select(table.c.profile_id)
        .where(table.c.profile_id == DirectoryProfile.id, table.c.tag_id == tag_id)
        .exists()
    )


def filter_choices(org) -> dict:
    """The lists of the directory's filters, in five queries."""
    return {
        "themes": list(
            db.session.scalars(
                select(Theme)
                .where(Theme.organisation_id == org.id)
                .order_by(Theme.position, Theme.id)
            )
        ),
        "qpvs": list(
            db.session.scalars(select(Qpv).where(Qpv.organisation_id == org.id).order_by(Qpv.name))
        ),
        "tags": queries.tags_of(org),
        "communes": communes_of(org),
    }


# --- suggestions -----------------------------------------------------------------------------


@dataclass
class SuggestionNames:
    """The names a page of suggestions needs, loaded once: {id: name} per kind, and each
    suggested association (by id)."""

    themes: dict[int, str] = field(default_factory=dict)
    qpvs: dict[int, str] = field(default_factory=dict)
    tags: dict[int, str] = field(default_factory=dict)
    communes: dict[int, str] = field(default_factory=dict)
    #: {hearing id: (call title, call year)}
    hearings: dict[int, tuple[str, int]] = field(default_factory=dict)
    associations: dict[int, Association] = field(default_factory=dict)


def suggestions_for(org, association: Association, limit: int = 20):
    """(ranked suggestions, names) for `association`, in a bounded number of queries."""
    everyone = queries.profiles(org, {association.id})
    me = everyone.get(association.id) or rules.Profile(id=association.id, name=association.name)
    others = [p for i, p in everyone.items() if i != association.id]
    heard = queries.heard_together(org, association.id)
    ranked = rules.suggestions(me, others, heard, limit=limit)
    return ranked, _names(org, ranked)


def _names(org, ranked) -> SuggestionNames:
    names = SuggestionNames()
    if not ranked:
        return names
    names.themes = dict(
        db.session.execute(select(Theme.id, Theme.name).where(Theme.organisation_id == org.id))
        .tuples()
        .all()
    )
    names.qpvs = dict(
        db.session.execute(select(Qpv.id, Qpv.name).where(Qpv.organisation_id == org.id))
        .tuples()
        .all()
    )
    names.tags = {t.id: t.name for t in queries.tags_of(org)}
    names.communes = dict(
        db.session.execute(
            select(Commune.id, Commune.name).where(Commune.organisation_id == org.id)
        )
        .tuples()
        .all()
    )
    hearing_ids = {
        i for s in ranked for r in s.reasons if r.code == "heard_together" for i in r.items
    }
    if hearing_ids:
        rows = db.session.execute(
            select(Hearing.id, AmiCall.title, AmiCall.year)
            .join(AmiCall, AmiCall.id == Hearing.call_id)
            .where(Hearing.id.in_(hearing_ids), AmiCall.organisation_id == org.id)
        )
        names.hearings = {hid: (title, year) for hid, title, year in rows}
    ids = [s.association_id for s in ranked]
    names.associations = {
        a.id: a
        for a in db.session.scalars(
            select(Association)
            .where(Association.id.in_(ids), Association.organisation_id == org.id)
            # the page shows their name and uses their commune's id: not their commune,
            # themes and QPVs (three queries)
            .options(lazyload("*"))
        )
    }
    return names
