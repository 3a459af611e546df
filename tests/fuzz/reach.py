"""Reaching the forms the crawl from the home page misses.

Some forms show only on a page the links do not lead to with the right object (the crawl reads
one page per endpoint), or only in a state (a live vote, a question awaiting a reply). After the
world is put into those states (tests.fuzz.states), each account opens the pages of the missed
endpoints' blueprints, built with the security world's identifiers, and their forms are kept.

An endpoint whose form no page shows is still fuzzed: its URL is built from the world's
identifiers and its fields are those of the WTForms class its view builds (`synthesized`).
"""

from __future__ import annotations

import inspect
import re

from wtforms import fields as wt
from wtforms.fields.core import UnboundField

from tests.fuzz.formwalk import SKIPPED_SUFFIXES, Field, Form, endpoint_of, post_forms
from tests.security.matrix import build_url
from tests.security.routes import ROUTES

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
#: who asks for a synthesized post: the first of these the access matrix lets in
PREFERRED = ("admin", "mayor", "staff", "association", "codev", "jury", "citizen", "anonymous")


def write_endpoints(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if r.methods & WRITES}


def _rule(app, endpoint: str, method: str):
    return next(
        r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods
    )


def seed_pages(app, world, missing: set[str], variants: list[dict]) -> list[str]:
    """The GET pages of the missed endpoints' blueprints, with the world's identifiers, then
    with each variant's (the other objects, in other states: tests.fuzz.states)."""
    blueprints = {endpoint.rsplit(".", 1)[0] for endpoint in missing}
    pages: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "GET" not in rule.methods or rule.endpoint.rsplit(".", 1)[0] not in blueprints:
            continue
        for override in [{}, *variants]:
            if override and not set(override) & set(rule.arguments):
                continue
            try:
                url = build_url(app, world, rule, **_only(override, rule.arguments))
            except LookupError:
                continue
            if url not in pages and not url.endswith(SKIPPED_SUFFIXES):
                pages.append(url)
    return pages


def _only(override: dict, arguments) -> dict:
    return {name: value for name, value in override.items() if name in arguments}


def forms_on(app, client, pages) -> list[Form]:
    found = []
    for url in pages:
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            found.extend(post_forms(url, response.get_data(as_text=True)))
        response.close()
    return found


def asker(endpoint: str) -> str:
    allowed = ROUTES[endpoint].ok.split() if endpoint in ROUTES else []
    return next((role for role in PREFERRED if role in allowed), "admin")


def form_classes(view) -> list[type]:
    """The WTForms classes a view builds (`SomeForm(` or `forms.SomeForm(` in its source)."""
    view = inspect.unwrap(view)
    source = inspect.getsource(view)
    classes = []
    for dotted in re.findall(r"([A-Za-z_][\w.]*Form)\(", source):
        head, *rest = dotted.split(".")
        target = view.__globals__.get(head)
        for name in rest:
            target = getattr(target, name, None)
        if isinstance(target, type) and target not in classes:
            classes.append(target)
    return classes


_KINDS = [
    (wt.FileField, "file"),
    (wt.BooleanField, "checkbox"),
    (wt.SelectMultipleField, "select"),
    (wt.SelectField, "select"),
    (wt.RadioField, "radio"),
    (wt.TextAreaField, "textarea"),
    (wt.HiddenField, "hidden"),
    (wt.IntegerField, "number"),
    (wt.DecimalField, "number"),
    (wt.DateTimeField, "datetime-local"),
    (wt.DateField, "date"),
]


def _kind(field_class) -> str:
    for klass, kind in _KINDS:
        if issubclass(field_class, klass):
            return kind
    return "text"


def synthesized(app, world, endpoint: str) -> Form:
    """A form for `endpoint` made from its view's WTForms classes, posted to its URL."""
    action = build_url(app, world, _rule(app, endpoint, "POST"))
    form = Form(page="/", action=f"http://localhost{action}")
    form.fields["csrf_token"] = Field("csrf_token", "hidden")
    for klass in form_classes(app.view_functions[endpoint]):
        for name in dir(klass):
            unbound = getattr(klass, name, None)
            if not isinstance(unbound, UnboundField) or name in form.fields:
                continue
            kind = _kind(unbound.field_class)
            if kind == "file":
                form.enctype = "multipart/form-data"
            options = ["y"] if kind == "checkbox" else []
            form.fields[name] = Field(name, kind, options=options)
    return form


def reached(app, forms: list[Form]) -> dict[str, Form]:
    by_endpoint: dict[str, Form] = {}
    for form in forms:
        endpoint = endpoint_of(app, form.action, "POST")
        if endpoint and endpoint not in by_endpoint:
            by_endpoint[endpoint] = form
    return by_endpoint
