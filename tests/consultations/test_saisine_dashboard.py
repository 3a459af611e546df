"""The saisine dashboard's opinion breakdown: an SVG chart and a table of the same figures,
and the irreversible opening behind a two-step confirmation."""

from __future__ import annotations

import re

from app.users.models import Role
from consultations.saisines.models import Opinion
from tests import factories
from tests.consultations.test_saisine_commune import LENS, LIEVIN, make_saisine, submit_as


def test_dashboard_draws_the_opinion_breakdown_as_svg_with_the_table_of_the_same_figures(
    client, org, login
):
    admin = factories.user(org, Role.ADMIN, name="Agent EPCI")
    mayor = factories.user(org, Role.MAYOR, commune=LIEVIN, name="Maire de Liévin")
    saisine = make_saisine(org, admin, "Programme local de l'habitat", communes=[LIEVIN, LENS])
    submit_as(org, mayor, saisine, LIEVIN, Opinion.UNFAVORABLE, "Zones humides oubliées")

    login(client, admin)
    page = client.get(f"/concertation/saisines/{saisine.id}").get_data(as_text=True)

    svg = re.search(r"<svg role=\"img\" aria-labelledby=\"opinion-chart-title.*?</svg>", page, re.S)
    assert svg, "no opinion chart"
    chart = svg.group(0)
    assert "Répartition des avis des communes" in chart
    # one commune of two is unfavourable, the other has given no opinion yet: half each
    assert re.search(r'width="300(\.0)?" height="30" class="opinion--unfavorable"', chart)
    assert re.search(r'width="300(\.0)?" height="30" class="opinion--none"', chart)
    assert "Défavorable : 50 %" in chart
    table = re.search(r"<caption>Avis par commune et pondérés.*?</table>", page, re.S).group(0)
    assert "Défavorable" in table and "50 %" in table


def test_opening_a_saisine_asks_for_confirmation_in_a_details_panel_without_javascript(
    client, org, login
):
    admin = factories.user(org, Role.ADMIN, name="Agent EPCI")
    saisine = make_saisine(org, admin, "Saisine en préparation", open_it=False)
    login(client, admin)
    page = client.get(f"/concertation/saisines/{saisine.id}").get_data(as_text=True)
    panel = re.search(r'<details class="confirm">.*?</details>', page, re.S).group(0)
    assert "<summary" in panel and "Ouvrir la saisine et prévenir les communes" in panel
    assert "ne peut pas être annulée" in panel
    assert f'action="/concertation/saisines/{saisine.id}/ouvrir"' in panel
