"""The paths a form may send the person back to (`next`): local, and fit for a redirect."""

import pytest

from app.web.routes import safe_next


@pytest.mark.parametrize("target", ["/", "/consultations?page=2", "/ami/appels#appel-3"])
def test_a_local_path_is_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://example.org/",
        "//example.org/",
        "/\\example.org/",
        "consultations",
        "/a\r\nSet-Cookie: x=1",
        "/a\nb",
        "/a\x00b",
        "/a\x7fb",
    ],
)
def test_another_site_a_line_break_or_a_control_character_is_refused(target):
    assert safe_next(target) is None
