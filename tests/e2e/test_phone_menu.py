"""The main menu on a phone: folded behind "Menu" without JavaScript, opened from the keyboard.

Also the visual identity in a browser: the accent colour saved on the admin's page is applied
through /identite/couleurs.css under the strict CSP (no inline style).
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from app.demo import DEMO_PASSWORD, DOMAIN  # noqa: E402

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


def _admin(browser, live_server, viewport):
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(f"admin@{DOMAIN}")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return context, page


def test_on_a_phone_the_menu_folds_and_opens_from_the_keyboard(browser, live_server):
    # the menu is a <details> styled by concerto.css: no script of the platform touches it
    context, page = _admin(browser, live_server, PHONE)
    try:
        nav = page.get_by_role("navigation", name="Menu principal")
        toggle = nav.locator("summary", has_text="Menu")
        expect(toggle).to_be_visible()
        expect(nav.get_by_role("link", name="Identité visuelle")).to_be_hidden()
        toggle.focus()
        page.keyboard.press("Enter")
        expect(nav.get_by_role("link", name="Identité visuelle")).to_be_visible()
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.closest('nav') !== null")
        assert focused
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        results = Axe().run(page)
        serious = [
            v["id"]
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert not serious
    finally:
        context.close()


def test_on_a_wide_screen_the_menu_is_always_shown_without_its_toggle(browser, live_server):
    context, page = _admin(browser, live_server, DESKTOP)
    try:
        nav = page.get_by_role("navigation", name="Menu principal")
        expect(nav.locator("summary")).to_be_hidden()
        nav.get_by_role("link", name="Identité visuelle").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Identité visuelle")
        page.get_by_label("Couleur principale").fill("#1f4e79")
        page.get_by_role("button", name="Enregistrer l'identité visuelle").click()
        expect(page.get_by_text("L'identité visuelle est enregistrée.")).to_be_visible()
        # polled: the colour style sheet may still be loading when the message shows
        expect(page.locator(".brand-name")).to_have_css("color", "rgb(31, 78, 121)")
        # back to the default colour: the server is shared with the other browser tests
        page.get_by_label("Couleur principale").fill("")
        page.get_by_role("button", name="Enregistrer l'identité visuelle").click()
        expect(page.get_by_text("L'identité visuelle est enregistrée.")).to_be_visible()
    finally:
        context.close()
