"""Signing in and out in a real browser, with the demo accounts."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from app.demo import ACCOUNTS, DEMO_PASSWORD, DOMAIN  # noqa: E402
from app.users.models import Role  # noqa: E402

pytestmark = pytest.mark.browser

ORGANISATION = "CA de Lens - Liévin"
WRONG_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
HOME = re.compile(r"^http://[^/]+/$")

# How the "Vos rôles" panel names each role (French, the default language).
ROLE_LABELS = {
    Role.ADMIN: "Agent de l'EPCI (administration)",
    Role.MAYOR: "Maire",
    Role.COMMUNE_STAFF: "Services de la commune (DGS, secrétaire de mairie)",
    Role.VICE_PRESIDENT: "Vice-président(e)",
    Role.DEVELOPMENT_COUNCIL_MEMBER: "Membre du conseil de développement",
    Role.ASSOCIATION_MEMBER: "Membre d'une association",
    Role.JURY_MEMBER: "Membre du jury",
    Role.CITIZEN: "Habitant(e)",
}
COMMUNE_NAMES = {"62510": "Liévin", "62498": "Lens"}


def _expected_role_line(role: Role, insee: str | None) -> str:
    label = ROLE_LABELS[role]
    return f"{label} — {COMMUNE_NAMES[insee]}" if insee else label


def _log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()


@pytest.mark.parametrize(
    ("local", "name", "role", "insee"),
    ACCOUNTS,
    ids=[account[0] for account in ACCOUNTS],
)
def test_every_demo_role_logs_in_sees_its_roles_then_logs_out(page, local, name, role, insee):
    _log_in(page, f"{local}@{DOMAIN}")

    expect(page).to_have_url(HOME)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {name}")
    expect(page.get_by_role("status").filter(has_text="Bienvenue")).to_have_text(
        f"Bienvenue, {name}."
    )
    roles = page.get_by_role("region", name="Vos rôles")
    expect(roles).to_be_visible()
    expect(roles.get_by_role("listitem")).to_have_text([_expected_role_line(role, insee)])

    page.get_by_role("button", name="Se déconnecter").click()

    expect(page).to_have_url(HOME)
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté(e).")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"La concertation de {ORGANISATION}")
    expect(page.get_by_role("navigation").get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    expect(page.get_by_text(name)).to_have_count(0)


def test_wrong_password_shows_the_error_next_to_the_field_and_keeps_the_email(page):
    email = f"admin@{DOMAIN}"
    _log_in(page, email, password="not-the-password")

    expect(page).to_have_url(re.compile(r"/login$"))
    password = page.get_by_label("Mot de passe")
    error = page.locator("#password-error")
    expect(error).to_have_text(WRONG_CREDENTIALS)
    # Next to the field: in the same block, and announced with it by screen readers.
    expect(password.locator("xpath=..").locator(".error")).to_have_text(WRONG_CREDENTIALS)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", re.compile(r"\bpassword-error\b"))
    expect(page.get_by_role("alert")).to_contain_text(WRONG_CREDENTIALS)
    # The e-mail is kept; the password is not sent back.
    expect(page.get_by_label("Adresse e-mail")).to_have_value(email)
    expect(password).to_have_value("")
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def test_login_page_works_with_the_keyboard_only(page):
    page.goto("/login")
    # The e-mail field has autofocus; start instead from the top of the document, as when
    # one moves from the browser's address bar into the page.
    page.evaluate(
        "() => { const b = document.body; b.tabIndex = -1; b.focus();"
        " b.removeAttribute('tabindex'); }"
    )

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # shown when focused

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    page.keyboard.type(f"maire.lens@{DOMAIN}")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(HOME)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Maire de Lens")


def test_english_button_switches_the_login_page_to_english(page):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login\??$"))
    expect(page.get_by_role("button", name="Français")).to_be_visible()


def test_admin_opens_members_and_sees_the_member_list(page):
    _log_in(page, f"admin@{DOMAIN}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille Durand")

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Membres"
    ).click()

    expect(page).to_have_url(re.compile(r"/admin/membres/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Membres de la plateforme")
    # the demo has more members than a page holds (50): the list is paginated
    members = page.get_by_role("table")
    expect(members.locator("tbody tr")).to_have_count(50)
    expect(page.get_by_role("navigation", name="Pagination")).to_be_visible()
    # the search filter finds a given person
    page.get_by_label("Nom ou e-mail").fill("maire.lievin")
    page.get_by_role("button", name="Filtrer").click()
    expect(members.get_by_role("cell", name=f"maire.lievin@{DOMAIN}", exact=True)).to_be_visible()
    expect(members.locator("tbody tr")).to_have_count(1)
