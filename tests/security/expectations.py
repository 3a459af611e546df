"""How the access-control matrix reads its table: one `Route` per endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from tests.security.matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK
from tests.security.world import ROLES

EVERYONE = " ".join(ROLES)
SIGNED_IN = " ".join(r for r in ROLES if r != "anonymous")
#: the other organisation's people, on its own host, with this organisation's identifiers
B_SIDE = "association_b admin_b"


@dataclass(frozen=True)
class Route:
    """The expected outcome for each role of the world.

    Roles listed in `ok` are let in (200 or a redirect elsewhere than the login page),
    `login` are sent to the login page (by default: anonymous), `not_found` get a 404,
    `other` maps roles to another status code; every other role gets a 403.
    `query` adds query-string arguments, by name of a world identifier.
    """

    ok: str = ""
    not_found: str = ""
    login: str = "anonymous"
    other: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    reason: str = ""

    def expected(self, role: str) -> str:
        for roles, code in self.other:
            if role in roles.split():
                return code
        if role in self.ok.split():
            return OK
        if role in self.not_found.split():
            return NOT_FOUND
        if role in self.login.split():
            return LOGIN
        return FORBIDDEN


def public(not_found: str = "", **kwargs) -> Route:
    """Open to everyone (but `not_found`: the other organisation's people, for an object)."""
    ok = " ".join(r for r in ROLES if r not in not_found.split())
    return Route(ok=ok, not_found=not_found, login="", **kwargs)


def others(roles: str) -> str:
    """Every signed-in role but these."""
    return " ".join(r for r in SIGNED_IN.split() if r not in roles.split())
