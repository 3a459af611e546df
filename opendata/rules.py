"""Pure rules of the open data API: tokens, paging parameters and their errors' messages."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from app.i18n import _

#: every token starts with this, so that a leaked one is easy to recognise in a log or a commit
TOKEN_PREFIX = "cct_"
PREFIX_SHOWN = 12
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_hash(stored: str, token: str) -> bool:
    """Constant-time comparison of a stored hash with the hash of a presented token."""
    return hmac.compare_digest(stored, token_hash(token))


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; "" when the header is malformed,
    None when there is no header."""
    if header is None:
        return None
    scheme, _sep, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or " " in value or len(value) > 200:
        return ""
    return value


class QueryParameterError(ValueError):
    """A query parameter the API refuses: the route turns it into a 400 naming the parameter,
    with the message of its kind."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name

    def message(self) -> str:
        raise NotImplementedError


class ParameterError(QueryParameterError):
    """A query parameter out of its bounds."""

    def __init__(self, name: str, low: int, high: int):
        super().__init__(name)
        self.low = low
        self.high = high

    def message(self) -> str:
        return _(
            "Le paramètre %(name)s doit être un nombre entier entre %(low)d et %(high)d.",
            name=self.name,
            low=self.low,
            high=self.high,
        )


class ChoiceError(QueryParameterError):
    """A query parameter that is not one of its values."""

    def __init__(self, name: str, choices: list[str]):
        super().__init__(name)
        self.choices = choices

    def message(self) -> str:
        return _(
            "Le paramètre %(name)s doit valoir l'une de ces valeurs : %(choices)s.",
            name=self.name,
            choices=", ".join(self.choices),
        )


class CursorError(QueryParameterError):
    """A cursor that is malformed, altered, expired (another secret key) or made for another
    list or order."""

    def __init__(self, name: str = "cursor"):
        super().__init__(name)

    def message(self) -> str:
        return _(
            "Le paramètre %(name)s n'est pas un curseur valide pour cette liste : reprenez "
            "depuis le lien « next » d'une réponse, ou depuis la première page.",
            name=self.name,
        )


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int
    #: the cursor as sent (checked by the list, which knows its order); None: by page number
    cursor: str | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _bounded_int(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise ParameterError(name, low, high)
    value = int(raw)
    if not low <= value <= high:
        raise ParameterError(name, low, high)
    return value


MAX_PAGE = 100_000


#: a cursor longer than this cannot be one of ours
MAX_CURSOR_LENGTH = 400


def paging(args) -> Paging:
    """page (from 1), per_page (1 to MAX_PER_PAGE) and cursor read from the query string; a
    cursor, when given, wins over the page number."""
    page = _bounded_int("page", args.get("page"), 1, 1, MAX_PAGE)
    per_page = _bounded_int("per_page", args.get("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    cursor = args.get("cursor") or None
    if cursor is not None and len(cursor) > MAX_CURSOR_LENGTH:
        raise CursorError()
    return Paging(page, per_page, cursor)


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))
