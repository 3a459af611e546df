"""CSV for French spreadsheets, shared by every export: formula injection neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from app.i18n import _

#: a cell starting with one of these would be read as a formula by a spreadsheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """A text a spreadsheet would take for a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_cell(value) -> str:
    """One value as French spreadsheets read it: oui/non, decimal comma, safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return format(value, "f").replace(".", ",")
    return safe_text(str(value))


def to_csv(
    headers: Sequence[str], rows: Iterable[Sequence], cell: Callable[[object], str] = csv_cell
) -> bytes:
    """UTF-8 with a byte order mark and `;` between cells, as French Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(h) for h in headers])
    writer.writerows([cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def iter_csv(
    headers: Sequence[str], rows: Iterable[Sequence], cell: Callable[[object], str] = csv_cell
) -> Iterable[bytes]:
    """The same file as to_csv, produced line by line for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def line(values) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(v) for v in values])
        return buffer.getvalue().encode("utf-8")

    yield b"\xef\xbb\xbf" + line(headers)
    for row in rows:
        yield line(row)
