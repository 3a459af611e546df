"""Accessibility of every page reachable from the demo's menus, for each demo role.

For each demo account (and for an anonymous visitor), a crawler opens the links of the main
menu and of the footer, then the same-origin links found in the main content of those pages
(GET only, one level deep, a bounded number of pages per role). On every page:

- axe-core (the copy shipped in the axe-playwright-python wheel, injected into the page: no
  download at run time) reports no *serious* or *critical* violation;
- the page has a `lang` attribute and exactly one h1;
- the page does not scroll sideways at 320 CSS px wide (WCAG 1.4.10, the reflow criterion of
  the RGAA), which also covers 200 % zoom on a 1280 px screen (640 CSS px).

The demo's pages do not depend on the database engine, and the server always runs on its own
SQLite file: the crawl runs on the SQLite run of the suite only, to keep CI short.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urldefrag, urlparse

import pytest

from tests.e2e.conftest import _save_artifacts, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)
if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
    pytest.skip(
        "the accessibility crawl does not depend on the database: SQLite run only",
        allow_module_level=True,
    )

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import Page  # noqa: E402

from app.demo import ACCOUNTS, DEMO_PASSWORD, DOMAIN  # noqa: E402

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
#: every menu and footer page is checked; the pages found in their content are bounded per role
MAX_CONTENT_PAGES_PER_ROLE = 8
NARROW = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
# Links that are not pages to check: downloads, e-mails and calendars, feeds, the API.
NOT_A_PAGE = re.compile(
    r"(\.(csv|xlsx|pdf|ics|png|jpe?g|svg|zip|json|xml)$)|/(export|download|telecharger)"
    r"|/api/|/feed|/logout|/static/|\.ics\b|format=(csv|xlsx|pdf)",
    re.IGNORECASE,
)

AXE = Axe()


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.get_by_role("button", name="Se déconnecter", include_hidden=True).wait_for(
        state="attached"
    )


def _same_origin_links(page: Page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        selector, "links => links.map(a => a.href).filter(h => h.startsWith(location.origin))"
    )
    return [urldefrag(h).url for h in hrefs]


def check_page(page: Page) -> list[str]:
    """The accessibility problems of the page open in `page`, one line each."""
    problems = []
    url = _key(page.url).rstrip("?")
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
            problems.append(f"{url}: {violation['id']} ({violation['impact']}) — {targets}")
    if not page.evaluate("document.documentElement.lang"):
        problems.append(f"{url}: no lang attribute")
    h1_count = page.locator("h1").count()
    if h1_count != 1:
        problems.append(f"{url}: {h1_count} h1 instead of one")
    viewport = page.viewport_size
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW["width"]:
        problems.append(f"{url}: {width} px wide at 320 px (sideways scrolling)")
    page.set_viewport_size(viewport)
    return problems


def _open(page: Page, url: str) -> bool:
    """Open `url`; False when it is not an HTML page (a download, an error page)."""
    for attempt in (1, 2):
        try:
            response = page.goto(url)
            break
        except PlaywrightError as exc:
            if "Download is starting" in str(exc) or attempt == 2:
                return False  # a download, not a page; or a page that twice failed to load
    if response is None or response.status >= 400:
        return False
    return "text/html" in (response.headers.get("content-type") or "")


# Pages found in the content of menu pages are the same for every role that may see them:
# each is checked once in the whole crawl (menu pages are checked once per role).
CHECKED_CONTENT_PAGES: set[str] = set()


def _key(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


def crawl(page: Page) -> tuple[list[str], list[str]]:
    """Check the home page, the menu and footer pages, then the links of their content."""
    page.goto("/")
    queue = ["/", *_same_origin_links(page, "nav.site-nav a[href], footer a[href]")]
    seen: set[str] = set()
    visited: list[str] = []
    problems: list[str] = []
    first_level = len(queue)
    index = 0
    content_pages = 0
    while index < len(queue):
        url = queue[index]
        index += 1
        key = _key(url)
        content_page = index > first_level
        if content_page and content_pages >= MAX_CONTENT_PAGES_PER_ROLE:
            break
        if key in seen or NOT_A_PAGE.search(url) or (content_page and key in CHECKED_CONTENT_PAGES):
            continue
        seen.add(key)
        if content_page:
            CHECKED_CONTENT_PAGES.add(key)
        if not _open(page, url):
            continue
        content_pages += content_page
        visited.append(page.url)
        problems.extend(check_page(page))
        if index <= first_level:
            queue.extend(_same_origin_links(page, "main a[href]"))
    return visited, problems


ROLES = [("anonymous", None), *[(local, f"{local}@{DOMAIN}") for local, *_ in ACCOUNTS]]


@pytest.mark.parametrize(("role", "email"), ROLES, ids=[role for role, _ in ROLES])
def test_pages_reachable_from_the_menus_have_no_serious_accessibility_violation(
    browser, live_server, request, role, email
):
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        if email:
            _log_in(page, email)
        visited, problems = crawl(page)
        assert len(visited) >= 3, visited
        assert not problems, "\n".join(problems)
    except BaseException:
        _save_artifacts(page, f"{request.node.nodeid}", None)
        raise
    finally:
        context.close()
