"""URL converters: identifiers that a database row can actually have."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: the largest value of a PostgreSQL `integer` column (SQLite takes 64 bits)
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` bounded by MAX_ID: a larger number is a 404, never a database overflow."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def init_converters(app) -> None:
    """Replace the `int` converter; call before any route is registered."""
    app.url_map.converters["int"] = BoundedIntConverter


def db_int(value: str) -> int:
    """`request.args.get(name, type=db_int)`: an identifier, else the default (None)."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def year_int(value: str) -> int:
    """`request.args.get(name, type=year_int)`: a calendar year, else the default."""
    number = int(value)
    if not 1 <= number <= 9999:
        raise ValueError(value)
    return number
