"""Extraction and checks of the catalogues (used by `flask translations` and the tests)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from app.config import PROJECT_ROOT
from app.translations import CATALOGUE_DIR

KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
SOURCE_DIRS = ("app", "consultations", "participation", "ami", "decisions", "opendata", "templates")
METHODS = [
    ("**/tests/**", "ignore"),
    ("**.py", "python"),
    ("**.html", "jinja2"),
    ("**.txt", "jinja2"),
]


def extract() -> Catalog:
    catalog = Catalog(locale=None, project="Concerto", version="1")
    options = {
        "**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"},
        "**.txt": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"},
    }
    for folder in SOURCE_DIRS:
        root = PROJECT_ROOT / folder
        if not root.is_dir():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(root), METHODS, options_map=options, keywords=KEYWORDS, strip_comment_tags=True
        ):
            catalog.add(
                message,
                None,
                [(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(locale: str) -> Path:
    return CATALOGUE_DIR / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def save(catalog: Catalog, locale: str) -> None:
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False)
    path.write_bytes(buffer.getvalue())


def update_catalogues() -> list[str]:
    template = extract()
    lines = []
    for locale in ("fr", "en"):
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.project, catalog.version = "Concerto", "1"
        save(catalog, locale)
        lines.append(f"{locale}: {len(catalog)} strings")
    return lines


def missing_translations(locale: str) -> list[str]:
    """Strings in the code with no (or a fuzzy) translation in the catalogue."""
    catalog = load(locale)
    missing = []
    for message in extract():
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None or translated.fuzzy or not _complete(translated.string):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def _complete(value) -> bool:
    if isinstance(value, (tuple, list)):
        return all(value)
    return bool(value)
