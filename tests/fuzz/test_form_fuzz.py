"""Input robustness: random, oversized and malformed values posted to every state-changing route
of the platform never cause a 500, and a refused submission shows again what was typed in each
text field.

The forms are found, not listed: the security suite's world (the demo and what it lacks) is put
into the states that show the forms a quiet demo hides (tests.fuzz.states: a live vote, a
closed mailbox question, a draft saisine...), each demo account crawls the pages it can reach
from the home page (tests.fuzz.formwalk), then opens the pages of the missed endpoints'
blueprints for each demo object (tests.fuzz.reach); every `<form method="post">` is kept once
per endpoint it posts to. An endpoint no page shows a form for is posted to with the fields of
its view's WTForms class. Each form is fuzzed with hypothesis, with its CSRF token, as the
account that saw it. FUZZ_EXAMPLES (default 3) sets the examples per form; FUZZ_FIGURES names
a file to write the figures into.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug import urls  # noqa: F401  (registers the werkzeug.url_quote codec error)

from app.auth.two_factor import PENDING
from app.db import db
from app.demo import ACCOUNTS, DOMAIN
from app.users.models import User
from tests.conftest import login_as
from tests.fuzz.formwalk import Form, crawl, endpoint_of, post_forms
from tests.fuzz.reach import (
    asker,
    forms_on,
    reached,
    seed_pages,
    synthesized,
    write_endpoints,
)
from tests.fuzz.states import prepare_states
from tests.security.world import build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
FIGURES = os.environ.get("FUZZ_FIGURES")  # a file to write the figures into, when set
#: the demo accounts, the second association's and the conseil de développement's president and
#: bureau member (who steer its contributions)
LOCALS = [local for local, *_rest in ACCOUNTS] + ["association2", "codev.president", "codev.bureau"]
#: submitted last: they remove what the other forms work on
LAST_WORDS = ("delete", "remove", "withdraw", "cancel", "close", "end", "revoke", "archive")
BIG = 100_000
#: state-changing endpoints not fuzzed, each with the reason
EXEMPT: dict[str, str] = {}

MALFORMED = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "-99999999999999999999999999",
    "99999999999999999999999999999",
    "2147483648",
    "9223372036854775808",
    "1e308",
    "NaN",
    "31/02/2025",
    "2025-02-31",
    "2025-13-45T25:61",
    "0000-00-00",
    "9999-12-31T23:59",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "\u202e\ufeff",
    "🙂" * 10,
]


def _texts():
    return st.one_of(
        st.text(max_size=60),
        st.sampled_from(MALFORMED),
        st.builds(
            lambda c, n: c * n,
            st.sampled_from(["x", "é", "\x00", "<", "🙂"]),
            st.sampled_from([BIG, 1000, 201]),
        ),
        st.binary(max_size=20).map(lambda b: b + b"\xff\xfe\xed\xa0\x80"),  # invalid UTF-8
    )


def _value(data, f):
    """One value (str, bytes, a list of them, or None for 'missing') for a field."""
    kind = f.kind
    if f.name == "csrf_token":
        return f.value
    if data.draw(st.integers(0, 9)) == 0:
        return None  # missing
    if data.draw(st.integers(0, 12)) == 0:
        return [data.draw(_texts()), data.draw(_texts())]  # a list for a scalar
    if kind in {"select", "radio", "checkbox"} and f.options and data.draw(st.booleans()):
        if f.multiple:
            return data.draw(st.lists(st.sampled_from(f.options), max_size=3))
        return data.draw(st.sampled_from(f.options))
    if kind == "hidden" and data.draw(st.booleans()):
        return f.value
    if kind == "file":
        return data.draw(st.binary(max_size=200))
    return data.draw(_texts())


def _body(form: Form, values: dict) -> tuple[bytes | dict, str | None]:
    if form.enctype == "multipart/form-data":
        from io import BytesIO

        body: dict = {}
        for name, value in values.items():
            field = form.fields.get(name)
            if field is not None and field.kind == "file":
                body[name] = (BytesIO(value if isinstance(value, bytes) else b""), "f.pdf")
            elif isinstance(value, list):
                body[name] = [_as_text(v) for v in value]
            else:
                body[name] = _as_text(value)
        return body, None
    pairs = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return urlencode(pairs).encode(), "application/x-www-form-urlencoded"


def _as_text(value) -> str:
    """Bytes as the server reads them: invalid UTF-8 kept as %XX (Werkzeug's rule)."""
    return value.decode("utf-8", "werkzeug.url_quote") if isinstance(value, bytes) else value


def _typed(value) -> str:
    """What the person typed, as the server can read it: invalid UTF-8 quoted, NULs dropped,
    line ends normalised, surrounding spaces stripped (the forms strip them)."""
    text = _as_text(value).replace("\x00", "")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _shown(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _kept(form: Form, values: dict, html: str) -> list[str]:
    """The text fields whose typed value the re-rendered page does not show."""
    again = {}
    for other in post_forms(form.page, html):
        again.update(other.fields)
    lost = []
    for field in form.text_fields():
        sent = values.get(field.name)
        if sent is None or isinstance(sent, list) or field.name not in again:
            continue
        shown, typed = _shown(again[field.name].value), _typed(sent)
        if shown != typed:
            lost.append(
                f"{field.name}: typed {typed[:30]!r}… ({len(typed)}), shown {shown[:30]!r}…"
            )
    return lost


def _order(item):
    endpoint = item[0]
    return (any(word in endpoint for word in LAST_WORDS), endpoint)


@pytest.fixture
def world(app):
    """The security suite's world (the demo and what it lacks), put into the states that show
    the forms a quiet demo hides (tests.fuzz.states)."""
    built = build_world()
    built.ids["variants"] = prepare_states(built)
    db.session.commit()
    return built


@pytest.fixture
def demo_accounts(app, world):
    users = {}
    for local in LOCALS:
        user = db.session.scalar(select(User).where(User.email == f"{local}@{DOMAIN}"))
        if user is not None:
            users[local] = user.id
    for role, user in world.users.items():
        if user is not None and not role.endswith("_b") and user.id not in users.values():
            users[role] = user.id
    users["two_factor_pending"] = ("pending", world.ids["two_factor_user_id"])
    return users


def _sign_in(client, who) -> None:
    """`who`: a user's id, None (anonymous), or ("pending", id): half logged in, the password
    given, the two-factor code awaited."""
    if who is None:
        with client.session_transaction() as session:
            session.clear()
    elif isinstance(who, tuple):
        user = db.session.get(User, who[1])
        with client.session_transaction() as session:
            session.clear()
            session[PENDING] = {"id": user.get_id(), "at": time.time(), "next": ""}
    else:
        login_as(client, db.session.get(User, who))


def _start(who) -> tuple[str, ...]:
    if who is None:
        return ("/login", "/inscription", "/")
    return ("/login/code",) if isinstance(who, tuple) else ("/",)


def _forms(app, client, accounts) -> dict[str, tuple[int | None, Form]]:
    """The forms the crawl from the home page finds, as each account."""
    found: dict[str, tuple[int | None, Form]] = {}
    for user_id in [None, *accounts.values()]:
        _sign_in(client, user_id)
        for form in crawl(app, client, start=_start(user_id)):
            endpoint = endpoint_of(app, form.action, "POST")
            if endpoint and endpoint not in found:
                found[endpoint] = (user_id, form)
    return found


def _seeded(app, client, world, accounts, found) -> int:
    """Adds the forms of the missed endpoints' blueprints' pages, opened with the world's
    identifiers, as each account; returns how many endpoints they add."""
    before = len(found)
    missing = write_endpoints(app) - set(found)
    pages = seed_pages(app, world, missing, world.ids["variants"])
    for user_id in [None, *accounts.values()]:
        _sign_in(client, user_id)
        for endpoint, form in reached(app, forms_on(app, client, pages)).items():
            found.setdefault(endpoint, (user_id, form))
    return len(found) - before


def _synthesized(app, world, found) -> dict[str, tuple[int | None, Form]]:
    """A post built from the view's WTForms class, for each endpoint no page shows a form of."""
    made = {}
    for endpoint in sorted(write_endpoints(app) - set(found) - set(EXEMPT)):
        user = world.users[asker(endpoint)]
        made[endpoint] = (user.id if user is not None else None, synthesized(app, world, endpoint))
    return made


def test_every_form_answers_without_500_and_keeps_what_was_typed(app, client, world, demo_accounts):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forms = _forms(app, client, demo_accounts)
        crawled = len(forms)
        seeded = _seeded(app, client, world, demo_accounts, forms)
        made = _synthesized(app, world, forms)
        forms.update(made)
        failures: dict[str, list[str]] = {}
        runs = 0
        for endpoint, (user_id, form) in sorted(forms.items(), key=_order):
            runs += _fuzz(app, client, endpoint, user_id, form, failures)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    writes = write_endpoints(app)
    if FIGURES:
        with open(FIGURES, "w") as out:
            out.write(
                f"state-changing routes: {len(writes)}; fuzzed: {len(forms)} "
                f"(forms found by the crawl: {crawled}, on the seeded pages: {seeded}, "
                f"synthesized from the WTForms class: {len(made)})\n"
                f"examples run: {runs}\nsynthesized: {', '.join(sorted(made))}\n"
            )
    unexplained = sorted(writes - set(forms) - set(EXEMPT))
    assert not unexplained, f"state-changing endpoints neither fuzzed nor exempt: {unexplained}"
    assert not failures, "\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))


def test_exempt_endpoints_exist_and_give_a_reason(app):
    for endpoint, reason in EXEMPT.items():
        assert endpoint in write_endpoints(app) and reason


def _fuzz(app, client, endpoint, user_id, form, failures) -> int:
    count = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def post(data):
        nonlocal count
        count += 1
        _sign_in(client, user_id)
        page = client.get(form.page)
        token = form.fields.get("csrf_token")
        if page.status_code == 200 and token is not None:
            fresh = [f for f in post_forms(form.page, page.get_data(as_text=True))]
            tokens = [f.fields["csrf_token"].value for f in fresh if "csrf_token" in f.fields]
            same = [f for f in fresh if f.action == form.action and "csrf_token" in f.fields]
            if same:
                token.value = same[0].fields["csrf_token"].value
            elif tokens:  # one token per session: any form's will do
                token.value = tokens[0]
        values = {}
        for field in form.fields.values():
            value = _value(data, field)
            if value is not None:
                values[field.name] = value
        body, content_type = _body(form, values)
        try:
            response = client.post(form.action, data=body, content_type=content_type)
        except Exception as exc:  # the test app propagates what would be a 500
            db.session.rollback()
            where = traceback.extract_tb(exc.__traceback__)[-1]
            failures.setdefault(endpoint, []).append(
                f"{type(exc).__name__}: {exc} ({where.filename}:{where.lineno})"[:400]
            )
            return
        if response.status_code >= 500:
            failures.setdefault(endpoint, []).append(f"status {response.status_code}")
        elif response.status_code == 200 and response.mimetype == "text/html":
            lost = _kept(form, values, response.get_data(as_text=True))
            if lost:
                failures.setdefault(endpoint, []).append(f"lost {lost}")

    post()
    return count


def test_the_form_parser_reads_fields_values_and_options():
    html = (
        '<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t">'
        '<input name="title" value="a &lt; b"><textarea name="body">\nligne</textarea>'
        '<select name="kind"><option value="a">A</option><option value="b" selected>B</option>'
        '</select><input type="checkbox" name="ok" value="y"><button>Envoyer</button></form>'
        '<form method="get"><input name="q"></form>'
    )
    (form,) = post_forms("/page", html)
    assert form.action == "/x"
    assert form.fields["title"].value == "a < b"
    assert form.fields["body"].value == "ligne"
    assert form.fields["kind"].options == ["a", "b"] and form.fields["kind"].value == "b"
    assert form.fields["ok"].kind == "checkbox" and form.fields["ok"].options == ["y"]
    assert [f.name for f in form.text_fields()] == ["title", "body"]
    assert re.search("csrf", " ".join(form.fields))
