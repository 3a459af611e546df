"""The name a person's file is shown under: never a path, never a header breaker."""

import pytest

from app.uploads.services import safe_name


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("compte-rendu.pdf", "compte-rendu.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\maire\\avis.docx", "avis.docx"),
        ("avis\r\nX-Injected: 1.pdf", "avis X-Injected: 1.pdf"),
        ("nul\x00.pdf", "nul .pdf"),
        ("\u202egnp.exe", "gnp.exe"),
        ("..", "document"),
        ("", "document"),
        ("  délibération  finale.pdf ", "délibération finale.pdf"),
    ],
)
def test_the_shown_name_keeps_only_a_harmless_file_name(given, shown):
    assert safe_name(given) == shown


def test_a_long_name_is_cut_to_200_characters():
    assert len(safe_name("a" * 5000 + ".pdf")) == 200
