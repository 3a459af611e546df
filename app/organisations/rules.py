"""Pure rules of the visual identity: colours and their contrast (WCAG 2.x)."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: WCAG 2.1, success criterion 1.4.3 (AA): normal text needs 4.5:1
MIN_CONTRAST = 4.5
WHITE = "#ffffff"


def parse_hex(colour: str) -> tuple[int, int, int]:
    """(r, g, b) from "#rrggbb"; ValueError for anything else."""
    if not HEX_COLOUR.match(colour or ""):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """The WCAG relative luminance, from 0 (black) to 1 (white)."""
    r, g, b = parse_hex(colour)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on_white(colour: str) -> bool:
    """May white text sit on this colour, and this colour's text on white (AA, normal text)?"""
    return contrast_ratio(colour, WHITE) >= MIN_CONTRAST


def darker(colour: str, factor: float = 0.75) -> str:
    """The same hue, darker (for hover states); keeps at least the original contrast."""
    r, g, b = parse_hex(colour)
    return "#" + "".join(f"{round(v * factor):02x}" for v in (r, g, b))
