"""The reference data of every French EPCI and its communes, shipped with the package."""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "epci_communes.csv.gz"
SIREN_RE = re.compile(r"^\d{9}$")


@dataclass(frozen=True)
class CommuneRecord:
    insee_code: str
    name: str
    siren: str
    departement: str
    population: int
    postal_codes: str


@dataclass(frozen=True)
class EpciRecord:
    siren: str
    name: str
    type: str
    communes: tuple[CommuneRecord, ...]


class UnknownSiren(LookupError):
    pass


class InvalidSiren(ValueError):
    pass


def siren_checksum_ok(siren: str) -> bool:
    """Luhn check of a SIREN number."""
    total = 0
    for index, char in enumerate(reversed(siren)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_siren(siren: str) -> str:
    siren = siren.replace(" ", "")
    if not SIREN_RE.match(siren) or not siren_checksum_ok(siren):
        raise InvalidSiren(siren)
    return siren


@cache
def _all_rows(path: Path = DATA_FILE) -> dict[str, list[dict[str, str]]]:
    by_siren: dict[str, list[dict[str, str]]] = {}
    with gzip.open(path, "rb") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
            by_siren.setdefault(row["epci_siren"], []).append(row)
    return by_siren


def find_epci(siren: str, path: Path = DATA_FILE) -> EpciRecord:
    """The EPCI with this SIREN and its communes; raises InvalidSiren or UnknownSiren."""
    siren = validate_siren(siren)
    rows = _all_rows(path).get(siren)
    if not rows:
        raise UnknownSiren(siren)
    communes = tuple(
        CommuneRecord(
            insee_code=row["commune_insee"],
            name=row["commune_name"],
            siren=row["commune_siren"],
            departement=row["departement"],
            population=int(row["population"] or 0),
            postal_codes=row["postal_codes"],
        )
        for row in rows
    )
    first = rows[0]
    return EpciRecord(
        siren=siren, name=first["epci_name"], type=first["epci_type"], communes=communes
    )
