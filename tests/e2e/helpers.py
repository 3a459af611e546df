"""Steps the browser journeys share."""

from __future__ import annotations


def menu(page, name: str) -> None:
    """Follow a link of the main menu, unfolding it first on a phone-sized screen.

    The page is first fully loaded: before its style sheet applies, the menu's toggle shows on
    every screen.
    """
    page.wait_for_load_state("load")
    nav = page.get_by_role("navigation", name="Menu principal")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        nav.locator("summary").first.click()
    link.click()
