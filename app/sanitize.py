"""The one sanitiser for every piece of HTML written by a person."""

from __future__ import annotations

import bleach

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "em",
        "h2",
        "h3",
        "h4",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})


def _link_attrs(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[],
)


def clean_html(html: str) -> str:
    """Keep the harmless formatting of `html`, drop scripts, event handlers and bad URLs."""
    cleaned = _cleaner.clean(html or "")
    return bleach.linkify(cleaned, callbacks=[_link_attrs], parse_email=False)


BLOCK_TAGS = ("<p", "<ul", "<ol", "<h2", "<h3", "<h4", "<table", "<blockquote", "<pre")


def text_to_html(text: str) -> str:
    """Text typed in a plain text area becomes paragraphs; simple HTML in it is kept, cleaned.

    Blank lines separate paragraphs and single line breaks are kept, unless the text already
    holds block-level HTML (paragraphs, lists, tables), which is then only sanitised.
    """
    text = (text or "").strip()
    if not text:
        return ""
    if any(tag in text.lower() for tag in BLOCK_TAGS):
        return clean_html(text)
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return clean_html("".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs))
