"""The README's screenshots, taken from the demo in Debian's Chromium.

    .venv/bin/python -m tests.e2e.screenshots

starts the platform with its demo data on loopback (the browser tests' fixtures), opens a few
pages as the demo accounts and writes PNG files into docs/screenshots/. It is not part of the
test suite (pytest collects test_*.py only).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from app.demo import DEMO_PASSWORD, DOMAIN

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def _person(browser, live_server, email: str | None, viewport: dict):
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        viewport=viewport,
        is_mobile=viewport is PHONE,
        device_scale_factor=2 if viewport is PHONE else 1,
    )
    page = context.new_page()
    if email:
        page.goto("/login")
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter", exact=True).click()
        page.get_by_role("button", name="Se déconnecter", include_hidden=True).wait_for(
            state="attached"
        )
    return page


def test_take_the_readme_screenshots(browser, live_server):
    OUTPUT.mkdir(parents=True, exist_ok=True)

    # 1. The mayor's home: what awaits them, with the deadlines in words.
    mayor = _person(browser, live_server, f"maire.lievin@{DOMAIN}", DESKTOP)
    mayor.screenshot(path=str(OUTPUT / "home-mayor.png"))
    mayor.context.close()

    # 2. A saisine's dashboard: the opinion breakdown as a chart and a table.
    admin = _person(browser, live_server, f"admin@{DOMAIN}", DESKTOP)
    admin.goto("/concertation/saisines/?status=closed")
    links = admin.locator("main table a")
    if links.count() == 0:
        admin.goto("/concertation/saisines/")
    admin.locator("main table a").first.click()
    admin.locator("#tableau-de-bord").scroll_into_view_if_needed()
    admin.evaluate("window.scrollBy(0, -20)")
    admin.screenshot(path=str(OUTPUT / "saisine-dashboard.png"))
    admin.context.close()

    # 3. The AMI's public call on a phone.
    visitor = _person(browser, live_server, None, PHONE)
    visitor.goto("/ami/")
    visitor.get_by_role("link", name=re.compile(r"^AMI cohésion sociale 20\d\d$")).first.click()
    visitor.screenshot(path=str(OUTPUT / "ami-call-phone.png"))
    visitor.context.close()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider", "-o", "python_files=*.py"]))
