"""Identifiers in URLs are bounded by what the database can store."""

import pytest
from werkzeug.exceptions import NotFound

from app.web.converters import MAX_ID


def test_an_identifier_up_to_the_database_integer_matches_its_route(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/instances/{MAX_ID}") == ("bodies.detail", {"body_id": MAX_ID})


@pytest.mark.parametrize("number", [MAX_ID + 1, 99999999999999999999])
def test_an_identifier_past_the_database_integer_matches_no_route(app, number):
    adapter = app.url_map.bind("localhost")
    with pytest.raises(NotFound):
        adapter.match(f"/instances/{number}")
