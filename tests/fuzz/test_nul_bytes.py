"""NUL characters never reach a view: the request drops them from forms and query strings
(PostgreSQL refuses them in text, which made a 500 of a form's message)."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import ImmutableMultiDict

from app.web.requests import without_nul


def test_nul_characters_are_dropped_from_keys_and_values():
    cleaned = without_nul(
        ImmutableMultiDict([("ti\x00tle", "a\x00b"), ("tag", "x"), ("tag", "\x00y")]),
        ImmutableMultiDict,
    )
    assert cleaned.getlist("tag") == ["x", "y"] and cleaned["title"] == "ab"


def test_values_without_nul_are_returned_as_they_are():
    values = ImmutableMultiDict([("a", "b")])
    assert without_nul(values, ImmutableMultiDict) is values


def test_a_request_never_shows_a_view_a_nul_character(app):
    with app.test_request_context("/?q=a%00b", method="POST", data={"body": "x\x00y"}):
        assert request.args["q"] == "ab"
        assert request.form["body"] == "xy"


def test_a_search_with_a_nul_character_answers_normally(client, org):
    assert client.get("/login?next=%00").status_code == 200
