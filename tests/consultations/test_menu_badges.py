"""The menu shows, next to "Saisines de ma commune", how many open saisines await an answer."""

from __future__ import annotations

import re

from app.users.models import Role
from consultations.saisines.models import Opinion
from tests import factories
from tests.consultations.test_saisine_commune import LENS, LIEVIN, make_saisine, submit_as


def _badge(page: str) -> str | None:
    entry = re.search(r"Saisines de ma commune</a>(.*?)</li>", page, re.S).group(1)
    found = re.search(
        r'class="badge badge--count">(\d+)<span class="visually-hidden"> (.*?)<', entry
    )
    return f"{found.group(1)} {found.group(2)}" if found else None


def test_the_menu_counts_open_saisines_without_a_transmitted_answer(client, org, login):
    admin = factories.user(org, Role.ADMIN, name="Agent EPCI")
    mayor = factories.user(org, Role.MAYOR, commune=LIEVIN, name="Maire de Liévin")
    answered = make_saisine(org, admin, "Pacte fiscal", communes=[LIEVIN])
    make_saisine(org, admin, "Programme local de l'habitat", communes=[LIEVIN])
    make_saisine(org, admin, "Schéma des mobilités", communes=[LIEVIN, LENS])
    make_saisine(org, admin, "Saisine de Lens seulement", communes=[LENS])
    make_saisine(org, admin, "Saisine en préparation", communes=[LIEVIN], open_it=False)
    submit_as(org, mayor, answered, LIEVIN, Opinion.FAVORABLE)

    login(client, mayor)
    assert _badge(client.get("/").get_data(as_text=True)) == "2 saisines à traiter"


def test_no_badge_when_nothing_awaits_and_none_for_the_epci(client, org, login):
    admin = factories.user(org, Role.ADMIN, name="Agent EPCI")
    staff = factories.user(org, Role.COMMUNE_STAFF, commune=LIEVIN, name="DGS de Liévin")
    make_saisine(org, admin, "Saisine de Lens seulement", communes=[LENS])
    login(client, staff)
    assert _badge(client.get("/").get_data(as_text=True)) is None
    login(client, admin)
    assert "badge--count" not in client.get("/").get_data(as_text=True)
