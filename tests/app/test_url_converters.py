"""Identifiers in URLs are bounded by what the database can store."""

import pytest
from werkzeug.exceptions import NotFound

from app.web.converters import MAX_ID, db_int, year_int


def test_an_identifier_up_to_the_database_integer_matches_its_route(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/instances/{MAX_ID}") == ("bodies.detail", {"body_id": MAX_ID})


@pytest.mark.parametrize("number", [MAX_ID + 1, 99999999999999999999])
def test_an_identifier_past_the_database_integer_matches_no_route(app, number):
    adapter = app.url_map.bind("localhost")
    with pytest.raises(NotFound):
        adapter.match(f"/instances/{number}")


@pytest.mark.parametrize("value", ["0", "1", str(MAX_ID)])
def test_a_query_string_identifier_in_range_is_read(value):
    assert db_int(value) == int(value)


@pytest.mark.parametrize("value", [str(MAX_ID + 1), "99999999999999999999", "-1", "x"])
def test_a_query_string_identifier_out_of_range_is_refused(value):
    with pytest.raises(ValueError):
        db_int(value)


@pytest.mark.parametrize(
    ("value", "ok"), [("2026", True), ("9999", True), ("0", False), ("10000", False)]
)
def test_a_year_is_read_only_between_1_and_9999(value, ok):
    if ok:
        assert year_int(value) == int(value)
    else:
        with pytest.raises(ValueError):
            year_int(value)
