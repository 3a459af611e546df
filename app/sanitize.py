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


def text_to_html(text: str) -> str:
    """Plain text becomes paragraphs; text that already holds HTML is sanitised as is."""
    from markupsafe import escape

    text = (text or "").strip()
    if not text:
        return ""
    if "<" in text and ">" in text:
        return clean_html(text)
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    html = "".join(
        "<p>" + "<br>".join(str(escape(line)) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return clean_html(html)
