"""The registry of consultation kinds: how the decision path sees each domain's consultations.

Domains do not import each other. Each one that runs consultations (saisines of communes,
agenda items of bodies, referrals to the conseil de développement, citizen consultations)
registers a `ConsultationKind` at start-up; the dossiers of `decisions` attach items by
(kind key, id) and ask the kind, in bulk, for what to show on their timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import has_request_context, url_for


@dataclass(frozen=True)
class Candidate:
    """An item an admin may attach to a dossier."""

    id: int
    label: str


@dataclass(frozen=True)
class TimelineEntry:
    """What a dossier's timeline shows of one attached consultation."""

    kind: str
    id: int
    #: e.g. "Saisine des communes", "Conférence des maires"
    kind_label: str
    title: str
    #: when it started (opening, sitting) and, if it has one, when it ended (deadline)
    starts_at: datetime | None
    ends_at: datetime | None
    #: still running: its result is not known yet
    is_open: bool
    #: the result in one sentence ("12 favorables, 2 défavorables, 3 tacites ; 14 réponses")
    summary: str
    #: counts behind the summary, for the API (plain numbers keyed by English names)
    counts: dict[str, int]
    #: the page for the organisation's agents
    url: str | None = None
    #: a page anyone may read, if there is one
    public_url: str | None = None
    #: whether its result may be shown to anyone (saisine results published, minutes made
    #: public, contribution transmitted, consultation published); otherwise the public pages
    #: show only its title and dates
    public: bool = True

    @property
    def date(self) -> datetime | None:
        """The moment it is placed at on the timeline: when it ended, or else began."""
        return self.ends_at or self.starts_at


@dataclass(frozen=True)
class ConsultationKind:
    #: stored in the dossier's attachments: never change it once used
    key: str
    #: a callable so that the label is translated at request time
    label: Callable[[], str]
    #: candidates(organisation) -> the items an admin may attach, newest first
    candidates: Callable[[Any], list[Candidate]]
    #: entries(organisation, ids) -> {id: TimelineEntry}, in a bounded number of queries;
    #: ids of another organisation (or deleted) are simply missing from the answer
    entries: Callable[[Any, Sequence[int]], dict[int, TimelineEntry]]
    order: int = 100


_KINDS: dict[str, ConsultationKind] = {}


def register(kind: ConsultationKind) -> ConsultationKind:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"two consultation kinds named {kind.key}")
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> ConsultationKind | None:
    return _KINDS.get(key)


def all_kinds() -> list[ConsultationKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.key))


#: providers(organisation) -> [(body kind, body name)]: the bodies a dossier may name as its
#: commission or as the body that deliberates (filled in by the bodies' domain)
_BODY_PROVIDERS: list[Callable[[Any], list[tuple[str, str]]]] = []


def body_provider(func: Callable[[Any], list[tuple[str, str]]]):
    if func not in _BODY_PROVIDERS:
        _BODY_PROVIDERS.append(func)
    return func


def body_names(organisation, kinds: Sequence[str] | None = None) -> list[str]:
    """The names of the organisation's bodies (of these kinds), for suggestions."""
    names = []
    for provider in _BODY_PROVIDERS:
        names += [name for kind, name in provider(organisation) if kinds is None or kind in kinds]
    return sorted(set(names))


def link(endpoint: str, **values) -> str | None:
    """url_for when a request is being served (the demo and the CLI have none)."""
    if not has_request_context():
        return None
    return url_for(endpoint, **values)
