"""Find the platform's forms as each role sees them: a small crawler over the test client and a
small HTML form parser (the standard library's html.parser).

Used by the form fuzzing test: every page reachable by links from the home page, as each demo
account, is read once per endpoint; each `<form method="post">` found is kept with its fields.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from werkzeug.exceptions import HTTPException

#: links never followed while crawling: files, and what ends the session
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".svg", ".png", ".jpg", ".zip", ".json")
SKIPPED_ENDPOINTS = {"auth.logout", "static"}


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, number, date, file, email, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    page: str  # the URL of the page that shows the form
    action: str  # the URL it posts to
    fields: dict[str, Field] = field(default_factory=dict)
    enctype: str = ""

    def text_fields(self) -> list[Field]:
        return [
            f
            for f in self.fields.values()
            if f.kind in {"text", "textarea", "search", "email", "url", "tel", ""}
        ]


class FormParser(HTMLParser):
    """The post forms of a page, with their fields, options and current values."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._option: str | None = None
        self._selected: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urljoin(self.page, a.get("action") or self.page)
                self._form = Form(self.page, action, enctype=a.get("enctype", ""))
                self.forms.append(self._form)
            return
        form = self._form
        if form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._start_option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "reset", "image"}:
                return
            known = form.fields.get(name)
            if kind in {"checkbox", "radio"} and known is not None:
                known.options.append(a.get("value", "on"))
                return
            value = a.get("value", "")
            options = [a.get("value", "on")] if kind in {"checkbox", "radio"} else []
            form.fields[name] = Field(
                name,
                kind,
                value
                if kind not in {"checkbox", "radio"}
                else ("" if "checked" not in a else value),
                options,
            )
        elif tag == "textarea":
            self._textarea = form.fields[name] = Field(name, "textarea")
        elif tag == "select":
            self._select = form.fields[name] = Field(name, "select", multiple="multiple" in a)
            self._selected = []

    def _start_option(self, a):
        self._option = a.get("value")
        if self._option is not None:
            self._select.options.append(self._option)
            if "selected" in a:
                self._selected.append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._select is not None and self._option is None and data.strip():
            pass

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None:  # the newline after <textarea> is not part of it
                value = self._textarea.value
                self._textarea.value = (
                    value.removeprefix("\r\n")
                    if value.startswith("\r\n")
                    else value.removeprefix("\n")
                )
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self._select.value = self._selected[0] if self._selected else ""
            self._select = None
        elif tag == "option":
            self._option = None


def post_forms(page: str, html: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(html)
    parser.close()
    return parser.forms


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links


def endpoint_of(app, url: str, method: str = "GET") -> str | None:
    parts = urlsplit(url)
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(parts.path, method=method)
    except HTTPException:
        return None
    return endpoint


def crawl(
    app, client, *, start=("/",), per_endpoint: int = 1, limit: int = 300, visited=None
) -> list[Form]:
    """The post forms of the pages reachable from the home page, at most `per_endpoint` pages
    of each endpoint (a list's second page, another saisine: same form)."""
    seen_pages: set[str] = set()
    per: dict[str, int] = {}
    found: list[Form] = []
    queue = deque(start)
    while queue and len(seen_pages) < limit:
        url = queue.popleft()
        if url in seen_pages:
            continue
        endpoint = endpoint_of(app, url)
        if endpoint is None or endpoint in SKIPPED_ENDPOINTS:
            continue
        if per.get(endpoint, 0) >= per_endpoint:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        seen_pages.add(url)
        response = client.get(url)
        if visited is not None:
            visited.append(url)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()  # a file served from disk is open until then
        if response.status_code != 200 or not html:
            continue
        found.extend(post_forms(url, html))
        for href in links(html):
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or parts.path.endswith(SKIPPED_SUFFIXES):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen_pages:
                queue.append(local)
    return found
