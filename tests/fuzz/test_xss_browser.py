"""XSS in a real browser: the corpus of tests/security/xss_payloads.py typed into every text
field of every form, then every page loaded in headless Chromium with a detector installed
before any script: no payload runs, and plain text comes back as typed.

The forms are found by crawling the demo as each account (tests/fuzz/formwalk.py); each text
field of a form gets the next payloads of the corpus, the other fields keep what the page
offers, and the form is posted with its CSRF token (several rounds per form, so every payload
lands in several fields). Refused forms show the payloads again: their pages are loaded too.
Chromium gets its pages from the Flask test client (Playwright's routing), so the test runs on
the suite's database, SQLite or PostgreSQL. The Content-Security-Policy header is dropped
before the browser sees a page: the test checks the escaping and the sanitiser, not the CSP.

Every page found is loaded, on every run: one tab for all of them, the pages of one account
after another (one login each), the static files (style sheets, scripts, images of /static/)
asked of the application once and then answered from memory, and `load` awaited, not network
silence. Style sheets are kept, since the text read back is the text the browser shows.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.db import db
from app.demo import DOMAIN, load_demo
from app.users.models import User
from tests.conftest import login_as
from tests.fuzz.formwalk import Form, crawl, endpoint_of, post_forms
from tests.fuzz.test_form_fuzz import LAST_WORDS, LOCALS, _body
from tests.security.xss_payloads import DETECTOR, DOM_SCAN, PAYLOADS

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROUNDS = 2  # posts per form
#: a safety net, not a budget: loading every page takes far less (SECURITY.md); a run that
#: exceeds it fails rather than skip pages
PAGE_LIMIT = 600  # seconds
#: fields whose text is sanitised HTML, not plain text
RICH = {
    "description",
    "minutes",
    "html",
    "specification",
    "summary",
    "synthesis",
    "retained",
    "not_retained",
}
#: the anti-robot field people never see: filling it makes a "robot" whose text is dropped
HONEYPOTS = {"website"}
#: fields of a row in a list form (q5-name): the list is re-sorted after a change
_ROW = re.compile(r"\d")


@pytest.fixture
def chromium(browser):
    """The run's Chromium (tests/conftest.py), shared with the browser journeys."""
    return browser


#: the scan of DOM_SCAN and the text shown, in one call to the browser
SCAN_AND_TEXT = f"() => [({DOM_SCAN.strip()})(), document.body.innerText]"


def _accounts() -> dict[str, int]:
    users = {}
    for local in LOCALS:
        user = db.session.scalar(select(User).where(User.email == f"{local}@{DOMAIN}"))
        if user is not None:
            users[local] = user.id
    return users


def _discover(app, client, accounts, pages: list) -> list[tuple[str, int, Form]]:
    """The forms with text fields, once per endpoint; `pages` gets (account, URL) crawled."""
    forms: dict[str, tuple[int, Form]] = {}
    for user_id in accounts.values():
        login_as(client, db.session.get(User, user_id))
        visited: list[str] = []
        for form in crawl(app, client, visited=visited):
            endpoint = endpoint_of(app, form.action, "POST")
            if endpoint and _typed_fields(form) and endpoint not in forms:
                forms[endpoint] = (user_id, form)
        pages.extend((user_id, url) for url in visited)
    ordered = sorted(forms.items(), key=lambda i: (any(w in i[0] for w in LAST_WORDS), i[0]))
    return [(endpoint, user_id, form) for endpoint, (user_id, form) in ordered]


def _typed_fields(form: Form) -> list:
    return [f for f in form.text_fields() if f.name not in HONEYPOTS]


class Submissions:
    """The corpus posted through the forms: what was refused, stored, and lost."""

    def __init__(self, client):
        self.client = client
        self.refused: list[str] = []  # pages of refused forms, which show the payloads again
        self.placed: list[tuple] = []  # (endpoint, field, n, payload, rich) stored
        self.fields: set[str] = set()
        self.lost: list[str] = []
        self.landings: list[tuple[int, str]] = []

    def post(self, endpoint, user_id, form, payloads) -> bool:
        """Post `payloads` (an iterator) into the text fields; True when the form accepted."""
        login_as(self.client, db.session.get(User, user_id))
        current = self._fresh(form) or form
        values = {f.name: f.value for f in current.fields.values() if f.kind != "file"}
        typed = {}
        for field in _typed_fields(current):
            n, payload = next(payloads)
            values[field.name] = payload
            self.fields.add(f"{endpoint}.{field.name}")
            typed[field.name] = (n, payload)
        body, content_type = _body(current, values)
        response = self.client.post(form.action, data=body, content_type=content_type)
        assert response.status_code < 500, (endpoint, response.status_code)
        if response.status_code == 200:
            self.refused.append(response.get_data(as_text=True))
            return False
        if response.status_code not in (302, 303):
            return False
        self.placed.extend((endpoint, k, n, p, k in RICH) for k, (n, p) in typed.items())
        self.landings.append((user_id, response.headers["Location"]))
        self._check_stored(endpoint, form, typed)
        return True

    def _fresh(self, form: Form) -> Form | None:
        page = self.client.get(form.page)
        if page.status_code != 200:
            return None
        same = [
            f for f in post_forms(form.page, page.get_data(as_text=True)) if f.action == form.action
        ]
        return same[0] if same else None

    def _check_stored(self, endpoint, form, typed) -> None:
        """An edit form shows the stored value again: plain text must be what was typed."""
        again = self._fresh(form)
        if again is None:
            return
        for name, (_n, payload) in typed.items():
            field = again.fields.get(name)
            if field is None or not field.value.strip() or name in RICH or _ROW.search(name):
                continue
            # NUL characters are dropped by the request (app/web/requests.py)
            if " ".join(field.value.split()) != " ".join(payload.replace("\x00", "").split()):
                self.lost.append(f"{endpoint}.{name}: {payload!r} stored as {field.value!r}")


def _submit_payloads(client, forms) -> Submissions:
    """Every form gets ROUNDS posts; then the forms that accept take the payloads not yet
    stored, until each payload is stored at least once."""
    done = Submissions(client)
    corpus = itertools.cycle(PAYLOADS)
    accepting = []
    for endpoint, user_id, form in forms:
        for _round in range(ROUNDS):
            if (
                done.post(endpoint, user_id, form, corpus)
                and (endpoint, user_id, form) not in accepting
            ):
                accepting.append((endpoint, user_id, form))
    for _attempt in range(len(PAYLOADS)):
        missing = [p for p in PAYLOADS if p[0] not in {x[2] for x in done.placed}]
        if not missing or not accepting:
            break
        endpoint, user_id, form = accepting[_attempt % len(accepting)]
        done.post(endpoint, user_id, form, iter(missing + list(PAYLOADS)))
    return done


def _route_through(client, errors: list):
    static: dict[str, tuple[int, dict, bytes]] = {}

    def handle(route):
        try:
            _fulfil(client, route, static)
        except Exception as exc:  # reported by the test, not lost in Playwright's thread
            errors.append(f"{route.request.url}: {type(exc).__name__}: {exc}")
            route.fulfill(status=599, body=b"")

    return handle


def _fulfil(client, route, static: dict):
    request = route.request
    parts = urlsplit(request.url)
    if parts.hostname != "localhost":
        route.abort()
        return
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    cacheable = request.method == "GET" and parts.path.startswith("/static/")
    if cacheable and path in static:
        status, headers, body = static[path]
        route.fulfill(status=status, headers=headers, body=body)
        return
    # Chromium does not route the target of a fulfilled redirect: follow it here
    response = client.open(
        path, method=request.method, data=request.post_data_buffer, follow_redirects=True
    )
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in {"content-security-policy", "content-length", "set-cookie"}
    }
    try:
        body = response.get_data()
    finally:
        response.close()  # a static file is served from an open file
    if cacheable and response.status_code == 200:
        static[path] = (response.status_code, headers, body)
    route.fulfill(status=response.status_code, headers=headers, body=body)


def test_no_payload_runs_in_chromium_and_plain_text_is_kept(app, client, chromium):
    load_demo()
    db.session.commit()
    accounts = _accounts()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        crawled: list[tuple[int, str]] = []
        done = _submit_payloads(client, _discover(app, client, accounts, crawled))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    # each (account, URL) once, the pages of one account together: one login per account
    pages = sorted(dict.fromkeys(done.landings + crawled), key=lambda page: page[0])
    context = chromium.new_context(base_url="http://localhost", java_script_enabled=True)
    context.add_init_script(DETECTOR)
    errors: list[str] = []
    context.route("**/*", _route_through(client, errors))
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.dismiss())
    found, texts, loaded = {}, [], 0
    started = time.monotonic()
    try:
        for html in done.refused:
            tab.set_content(html)
            loaded += 1
            if problems := tab.evaluate(DOM_SCAN):
                found.setdefault("refused form", []).extend(problems)
        current = None
        for user_id, url in pages:
            assert time.monotonic() - started < PAGE_LIMIT, (
                f"{loaded} pages of {len(done.refused) + len(pages)} loaded in {PAGE_LIMIT} s"
            )
            if user_id != current:
                login_as(client, db.session.get(User, user_id))
                current = user_id
            tab.goto(url, wait_until="load")
            loaded += 1
            problems, text = tab.evaluate(SCAN_AND_TEXT)
            if problems:
                found.setdefault(url, []).extend(problems)
            texts.append(text)
    finally:
        context.close()
    shown = " ".join(" ".join(texts).split())
    plain = [p for p in done.placed if not p[4]]
    kept = [p for p in plain if " ".join(p[3].split()) in shown]
    _figures(len(done.fields), len(done.placed), loaded, len(kept), len(plain))
    assert not errors, errors[:5]
    assert not found, found
    assert not done.lost, "\n".join(done.lost)
    assert {p[2] for p in done.placed} == {n for n, _p in PAYLOADS}, "a payload was never stored"
    assert loaded == len(done.refused) + len(pages), "every page found is loaded"
    assert len(pages) >= 100


def _figures(fields, placed, loaded, kept, plain) -> None:
    """Written into the file XSS_FIGURES names, when set (for SECURITY.md)."""
    if not os.environ.get("XSS_FIGURES"):
        return
    with open(os.environ["XSS_FIGURES"], "w") as out:
        out.write(
            f"XSS payloads: {len(PAYLOADS)}; text fields covered: {fields}; payloads stored: "
            f"{placed}; pages loaded in Chromium: {loaded}; plain-text payloads shown as typed: "
            f"{kept} of {plain}\n"
        )
