"""The default list of what associations offer and look for, which an admin may add in one
click (and the demo uses)."""

from __future__ import annotations

DEFAULT_TAGS: tuple[str, ...] = (
    "Locaux",
    "Bénévoles",
    "Matériel",
    "Véhicule / transport",
    "Compétences juridiques ou comptables",
    "Communication",
    "Formation",
    "Traduction / interprétariat",
    "Public à orienter",
    "Partenaire pour candidater ensemble",
)
