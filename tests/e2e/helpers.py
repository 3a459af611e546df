"""Steps the browser journeys share."""

from __future__ import annotations


def menu(page, name: str) -> None:
    """Follow a link of the main menu, unfolding it first on a phone-sized screen."""
    nav = page.get_by_role("navigation", name="Menu principal")
    toggle = nav.locator("summary")
    if toggle.count() and toggle.first.is_visible():
        if nav.locator("details[open]").count() == 0:
            toggle.first.click()
    nav.get_by_role("link", name=name, exact=True).click()
