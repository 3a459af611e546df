"""Keyboard only: a mayor goes from the skip link to a saisine's answer without a mouse.

Every element that takes the focus shows a visible focus style; the focus never gets stuck
(Tab goes on to the footer); the answer is chosen with the arrow keys and saved with Enter.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from app.demo import DEMO_PASSWORD, DOMAIN  # noqa: E402

pytestmark = pytest.mark.browser

SAISINE = "Modification n° 2 du PLUi — avis des communes"
MAX_TABS = 120

FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName,
    name: (e.getAttribute('aria-label') || e.innerText || e.value || e.name || '')
      .trim().slice(0, 80),
    visible: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
             || style.boxShadow !== 'none',
    inFooter: !!e.closest('footer'),
    isBody: e === document.body,
  };
}"""


def _start_from_the_top(page: Page) -> None:
    """As when one moves from the address bar into the page, once its style sheets are loaded
    (the focus style is read from them: on a busy machine the heading shows before they load)."""
    page.wait_for_load_state("load")
    page.evaluate(
        "() => { const b = document.body; b.tabIndex = -1; b.focus();"
        " b.removeAttribute('tabindex'); }"
    )


def _tab_to(page: Page, name: str, seen: list[dict]) -> None:
    """Press Tab until the element named `name` has the focus; each stop shows its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        assert focused["visible"], f"no visible focus on {focused} at {page.url}"
        if focused["name"] == name:
            return
    raise AssertionError(f"{name!r} never reached with Tab on {page.url}: {seen[-10:]}")


def _no_trap(page: Page) -> None:
    """Tab carries on to the footer, then out of the page."""
    seen: list[dict] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        if focused["inFooter"] or focused["isBody"]:
            return
    raise AssertionError(f"the focus never reached the footer on {page.url}: {seen[-10:]}")


def test_a_mayor_answers_a_saisine_with_the_keyboard_only(page: Page):
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(f"maire.lens@{DOMAIN}")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Maire de Lens")

    # the skip link comes first and takes the focus to the content
    _start_from_the_top(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    _no_trap(page)

    # through the menu to the commune's saisines, then to the saisine
    seen: list[dict] = []
    _start_from_the_top(page)
    _tab_to(page, "Saisines de ma commune", seen)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Saisines")
    _start_from_the_top(page)
    _tab_to(page, SAISINE, seen)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(SAISINE)

    # the opinion with the arrow keys, the motivation typed, the draft saved with Enter
    _start_from_the_top(page)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "opinion":
            break
    else:
        raise AssertionError("the opinion radios are not reachable with Tab")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Favorable avec réserves")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Motivation")).to_be_focused()
    page.keyboard.type("Réserve sur le calendrier des travaux.")
    _tab_to(page, "Enregistrer le brouillon", seen)
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_be_visible()
    expect(page.get_by_label("Motivation")).to_have_value("Réserve sur le calendrier des travaux.")
    _no_trap(page)
    assert len(seen) > 10
