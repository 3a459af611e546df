"""The three scales of generated data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    #: SIREN numbers of the organisations, or None for every EPCI of the reference data
    sirens: tuple[str, ...] | None
    years: int
    saisines: int
    #: share of the targeted communes that answer a closed saisine
    answer_rate: float
    meetings: int
    consultations: int
    proposals: int
    supports: int
    comments: int
    citizens: int
    calls: int
    applications: int
    associations: int
    jurors: int


SCALES = {
    "metro": Scale(
        name="metro",
        sirens=("200054807",),  # Métropole d'Aix-Marseille-Provence, 92 communes
        years=5,
        saisines=300,
        answer_rate=0.85,
        meetings=100,
        consultations=3,
        proposals=100_000,
        supports=300_000,
        comments=20_000,
        citizens=20_000,
        calls=5,
        applications=500,
        associations=300,
        jurors=6,
    ),
    "national": Scale(
        name="national",
        sirens=None,
        years=1,
        saisines=2,
        answer_rate=0.8,
        meetings=2,
        consultations=1,
        proposals=40,
        supports=80,
        comments=10,
        citizens=20,
        calls=1,
        applications=8,
        associations=8,
        jurors=3,
    ),
    "small": Scale(
        name="small",
        sirens=("246200364",),  # CA de Lens - Liévin, 36 communes
        years=1,
        saisines=8,
        answer_rate=0.8,
        meetings=4,
        consultations=1,
        proposals=600,
        supports=1_500,
        comments=100,
        citizens=200,
        calls=1,
        applications=30,
        associations=30,
        jurors=4,
    ),
}
