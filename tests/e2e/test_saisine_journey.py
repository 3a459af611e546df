"""A saisine from its launch by the EPCI to the dashboard, through a commune's answer.

The EPCI's agent prepares a saisine for Liévin (a forgotten title is reported next to its
field, the rest of what was typed is kept), opens it after a confirmation step and sees it in
the list with its deadline in words. Liévin's DGS prepares the answer and saves it as a draft;
the mayor of Liévin finds the draft, signs and transmits it. The agent reads the dashboard: the
opinion breakdown (chart and table) counts Liévin's answer. axe-core checks every page visited.

Each person uses their own browser context.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.e2e.conftest import _save_artifacts, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from app.demo import DEMO_PASSWORD, DOMAIN  # noqa: E402
from tests.e2e.helpers import menu
from tests.e2e.test_accessibility import check_page  # noqa: E402

pytestmark = pytest.mark.browser

TITLE = "Schéma directeur des pistes cyclables 2027"
MOTIVATION = "La traversée du centre-ville doit être sécurisée avant l'ouverture."


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("button", name="Se déconnecter", include_hidden=True)).to_have_count(1)


def _menu(page: Page, name: str) -> None:
    menu(page, name)


def _accessible(page: Page) -> None:
    problems = check_page(page)
    assert not problems, "\n".join(problems)


@pytest.fixture
def people(browser, live_server, request):
    opened: dict[str, Page] = {}

    def open_(person: str) -> Page:
        context = browser.new_context(
            base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        opened[person] = context.new_page()
        return opened[person]

    yield open_
    report = getattr(request.node, "rep_call", None)
    for person, tab in opened.items():
        if report is not None and report.failed:
            _save_artifacts(tab, f"{request.node.nodeid}-{person}", None)
        tab.context.close()


def test_admin_launches_a_saisine_staff_prepares_the_mayor_signs_and_the_dashboard_counts_it(
    people,
):
    # --- the EPCI prepares and opens the saisine ------------------------------------------
    admin = people("admin")
    _log_in(admin, f"admin@{DOMAIN}")
    _menu(admin, "Saisines")
    _accessible(admin)
    admin.get_by_role("link", name="Nouvelle saisine").click()
    admin.get_by_label("Référence").fill("2026-VELO-01")
    admin.get_by_label("Date d'ouverture").fill(date.today().isoformat())
    admin.get_by_label("Date limite de réponse").fill(
        (date.today() + timedelta(days=10)).isoformat()
    )
    admin.get_by_label("Une liste de communes").check()
    admin.get_by_text("Choisir les communes").click()
    admin.get_by_label("Liévin", exact=True).check()
    admin.get_by_role("button", name="Enregistrer").click()

    # the forgotten title is reported next to its field; what was typed is kept
    title = admin.get_by_label("Objet de la saisine")
    expect(title).to_have_attribute("aria-invalid", "true")
    error_id = title.get_attribute("aria-describedby")
    assert error_id and admin.locator(f"#{error_id.split()[-1]}").inner_text().strip()
    expect(admin.get_by_label("Référence")).to_have_value("2026-VELO-01")
    _accessible(admin)
    title.fill(TITLE)
    admin.get_by_role("button", name="Enregistrer").click()
    expect(admin.locator(".flashes")).to_contain_text("Saisine enregistrée")
    expect(admin.get_by_role("heading", level=1)).to_have_text(TITLE)

    open_button = admin.get_by_role("button", name="Ouvrir la saisine et prévenir les communes")
    expect(open_button).to_be_hidden()  # irreversible: a first click only unfolds a warning
    admin.locator("summary", has_text="Ouvrir la saisine").click()
    expect(admin.locator(".confirm__warning")).to_contain_text("ne peut pas être annulée")
    open_button.click()
    expect(admin.locator(".flashes")).to_contain_text("Saisine ouverte")
    _menu(admin, "Saisines")
    row = admin.locator("tr", has=admin.get_by_role("link", name=TITLE))
    expect(row).to_contain_text(re.compile(r"le \d+ \S+ 20\d\d à \d+ h"))
    expect(row).to_contain_text(re.compile(r"dans 1[01] jours"))

    # --- Liévin's DGS prepares the answer ---------------------------------------------------
    staff = people("staff")
    _log_in(staff, f"dgs.lievin@{DOMAIN}")
    _menu(staff, "Saisines de ma commune")
    _accessible(staff)
    staff.get_by_role("link", name=TITLE).click()
    expect(staff.get_by_role("button", name="Signer et transmettre la réponse")).to_have_count(0)
    staff.get_by_label("Favorable avec réserves").check()
    staff.get_by_label("Motivation").fill(MOTIVATION)
    staff.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(staff.locator(".flashes")).to_be_visible()
    _accessible(staff)

    # --- the mayor signs and transmits it ------------------------------------------------------
    mayor = people("mayor")
    _log_in(mayor, f"maire.lievin@{DOMAIN}")
    _menu(mayor, "Saisines de ma commune")
    mayor.get_by_role("link", name=TITLE).click()
    expect(mayor.get_by_label("Favorable avec réserves")).to_be_checked()
    expect(mayor.get_by_label("Motivation")).to_have_value(MOTIVATION)
    mayor.get_by_role("button", name="Signer et transmettre la réponse").click()
    expect(mayor.locator("div.alert--success")).to_contain_text("signée par Maire de Liévin")
    _accessible(mayor)

    # --- the EPCI reads the dashboard -------------------------------------------------------------
    admin.get_by_role("link", name=TITLE).click()
    expect(admin.locator(".stats")).to_contain_text("1 commune sur 1 a répondu")
    breakdown = admin.get_by_role("table", name="Avis par commune et pondérés par la population")
    expect(breakdown.get_by_role("row").filter(has_text="Favorable avec réserves")).to_contain_text(
        "1"
    )
    lievin = admin.get_by_role("row").filter(has=admin.get_by_role("link", name="Liévin"))
    expect(lievin).to_contain_text("Maire de Liévin")
    _accessible(admin)
