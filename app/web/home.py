"""The home page's panels: each domain adds what concerns the signed-in person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Panel = dict
_PROVIDERS: list[Callable] = []


@dataclass
class HomePanel:
    """One block of the home page: a title, lines with optional links, an optional action."""

    title: str
    items: list[tuple[str, str | None]] = field(default_factory=list)
    empty: str | None = None
    action: tuple[str, str] | None = None
    order: int = 100


def home_panel(provider: Callable) -> Callable:
    """Register `provider(user, organisation) -> list[HomePanel]`."""
    _PROVIDERS.append(provider)
    return provider


def panels_for(user, organisation) -> list[HomePanel]:
    panels: list[HomePanel] = []
    for provider in _PROVIDERS:
        panels.extend(provider(user, organisation))
    return sorted(panels, key=lambda p: p.order)


_BADGES: dict[str, Callable] = {}


def menu_badge(endpoint: str) -> Callable:
    """Register `counter(user, organisation, now) -> int`: what awaits the person behind the
    menu entry `endpoint` (shown as a badge next to it when not zero)."""

    def register(counter: Callable) -> Callable:
        _BADGES[endpoint] = counter
        return counter

    return register


def badge_count(endpoint: str, user, organisation, now) -> int:
    counter = _BADGES.get(endpoint)
    if counter is None or not user.is_authenticated:
        return 0
    return counter(user, organisation, now)
