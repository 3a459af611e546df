"""The cooperation network as a picture: an inline SVG drawn on the server, with no database
and no JavaScript.

The associations sit on a circle in the order of their names; a cooperation is a line between
two of them whose colour and dash pattern (never the colour alone) tell its main origin; a
legend explains them. The same data must also be given as a table next to the picture: the
picture is an illustration, the table is the reference. The output depends only on the input
(same input, same bytes).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: kind -> (stroke colour, dash pattern, line width); colours keep 3:1 against white and the
#: dash patterns tell the kinds apart without colour
STYLES: dict[str, tuple[str, str, str]] = {
    "hearing": ("#0063a6", "9 5", "2.5"),
    "match": ("#c2410c", "", "2.5"),
    "essaimage": ("#18753c", "1 5", "3"),
    "other": ("#595959", "12 4 2 4", "2"),
}
KINDS = tuple(STYLES)
LABEL_MAX = 24
NODE_COLOUR = "#000091"
FONT = 'font-family="Marianne, Arial, sans-serif"'

#: characters XML 1.0 does not allow, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Node:
    id: int
    name: str


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    #: one of KINDS (its style; an unknown kind is drawn as "other")
    kind: str = "other"
    #: what the line's tooltip says (the pair and its origins)
    label: str = ""


def _text(value: object) -> str:
    """A text safe inside XML content or a quoted attribute."""
    return str(escape(_NOT_XML.sub("", str(value))))


def _sort_key(node: Node) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFKD", node.name or "")
    return ("".join(c for c in decomposed if not unicodedata.combining(c)).casefold(), node.id)


def truncate(name: str, limit: int = LABEL_MAX) -> str:
    name = " ".join((name or "").split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _n(value: float) -> str:
    """A coordinate with one decimal, no "-0.0"."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


@dataclass(frozen=True)
class _Placed:
    node: Node
    x: float
    y: float
    angle: float  # radians, 0 = right, clockwise (SVG y points down)


def layout(nodes: Sequence[Node], radius: float, cx: float, cy: float) -> list[_Placed]:
    """The nodes on a circle by name, the first at the top, clockwise; one node at the
    centre."""
    ordered = sorted({n.id: n for n in nodes}.values(), key=_sort_key)
    if len(ordered) == 1:
        return [_Placed(ordered[0], cx, cy, -math.pi / 2)]
    placed = []
    for i, node in enumerate(ordered):
        angle = -math.pi / 2 + 2 * math.pi * i / len(ordered)
        placed.append(
            _Placed(node, cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)
        )
    return placed


def _radius(count: int) -> float:
    # about 18 px of circle per label, never less than 110 px
    return max(110.0, count * 18 / (2 * math.pi))


def _label(p: _Placed, count: int, radius: float) -> str:
    """The node's name outside the circle: level when there are few nodes, along the radius
    (never upside down) when there are many."""
    short = _text(truncate(p.node.name))
    cos, sin = math.cos(p.angle), math.sin(p.angle)
    if count == 1:
        return (
            f'<text x="{_n(p.x)}" y="{_n(p.y - 14)}" text-anchor="middle" '
            f'font-size="13" {FONT}>{short}</text>'
        )
    distance = radius + 12
    lx, ly = p.x - radius * cos + distance * cos, p.y - radius * sin + distance * sin
    if count <= 12:
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        dy = 14 if sin > 0.8 else -6 if sin < -0.8 else 4
        return (
            f'<text x="{_n(lx)}" y="{_n(ly + dy)}" text-anchor="{anchor}" '
            f'font-size="13" {FONT}>{short}</text>'
        )
    degrees = math.degrees(p.angle)
    anchor = "start"
    if cos < 0:
        degrees += 180
        anchor = "end"
    return (
        f'<text x="{_n(lx)}" y="{_n(ly)}" dy="0.35em" text-anchor="{anchor}" '
        f'transform="rotate({_n(degrees)} {_n(lx)} {_n(ly)})" font-size="12" {FONT}>'
        f"{short}</text>"
    )


def _stroke(kind: str) -> str:
    colour, dash, width = STYLES.get(kind, STYLES["other"])
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'stroke="{colour}" stroke-width="{width}" stroke-linecap="round"{dashes}'


def _edges(edges: Sequence[Edge], where: dict[int, _Placed]) -> list[str]:
    out = []
    order = {n: i for i, n in enumerate(where)}
    kept = [e for e in edges if e.source in where and e.target in where and e.source != e.target]
    kept.sort(key=lambda e: (*sorted((order[e.source], order[e.target])), e.kind, e.label))
    for edge in kept:
        a, b = where[edge.source], where[edge.target]
        kind = edge.kind if edge.kind in STYLES else "other"
        title = f"<title>{_text(edge.label)}</title>" if edge.label else ""
        out.append(
            f'<line x1="{_n(a.x)}" y1="{_n(a.y)}" x2="{_n(b.x)}" y2="{_n(b.y)}" '
            f'{_stroke(kind)} fill="none" data-kind="{kind}">{title}</line>'
        )
    return out


def _legend(labels: Mapping[str, str], top: float) -> list[str]:
    out = [f'<g class="network-graph__legend" transform="translate(16 {_n(top)})">']
    for i, kind in enumerate(KINDS):
        y = i * 24
        out.append(
            f'<line x1="0" y1="{y}" x2="48" y2="{y}" {_stroke(kind)}/>'
            f'<text x="60" y="{y + 5}" font-size="13" {FONT}>{_text(labels.get(kind, kind))}</text>'
        )
    out.append("</g>")
    return out


def default_legend() -> dict[str, str]:
    from app.i18n import _

    return {
        "hearing": _("née après une audition commune"),
        "match": _("née après une mise en relation"),
        "essaimage": _("née après une table partagée à l'essaimage"),
        "other": _("autre origine"),
    }


def render_svg(
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    title: str,
    description: str,
    *,
    legend: Mapping[str, str] | None = None,
    empty_text: str = "",
    id_prefix: str = "network-graph",
) -> Markup:
    """The network as one <svg> element: `role="img"` named by its <title> and described by
    its <desc>; each node's full name in its own <title> (a tooltip), its label truncated."""
    legend = legend or default_legend()
    count = len({n.id for n in nodes})
    radius = _radius(count)
    if count <= 1:
        width, plot_height = 360.0, 120.0 if count else 80.0
    else:
        # room for the labels: on every side when they follow the radius, on the left and
        # right only when they stay level
        width = 2 * (radius + 190)
        plot_height = 2 * (radius + (190 if count > 12 else 40))
    cx, cy = width / 2, plot_height / 2 + (10 if count == 1 else 0)
    height = plot_height + 24 * len(KINDS) + 16
    placed = layout(nodes, radius, cx, cy)
    where = {p.node.id: p for p in placed}
    prefix = _text(id_prefix)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network-graph" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" width="{_n(width)}" '
        f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}">',
        f'<title id="{prefix}-title">{_text(title)}</title>',
        f'<desc id="{prefix}-desc">{_text(description)}</desc>',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
    ]
    if not placed and empty_text:
        parts.append(
            f'<text x="{_n(cx)}" y="{_n(cy)}" text-anchor="middle" font-size="14" {FONT}>'
            f"{_text(empty_text)}</text>"
        )
    parts.append('<g class="network-graph__edges">')
    parts.extend(_edges(edges, where))
    parts.append('</g><g class="network-graph__nodes">')
    for p in placed:
        parts.append(
            f"<g><title>{_text(p.node.name)}</title>"
            f'<circle cx="{_n(p.x)}" cy="{_n(p.y)}" r="6" fill="{NODE_COLOUR}" '
            f'stroke="#ffffff" stroke-width="1.5"/>{_label(p, count, radius)}</g>'
        )
    parts.append("</g>")
    parts.extend(_legend(legend, plot_height + 8))
    parts.append("</svg>")
    # every text in the SVG went through _text (escaped) and every number through _n
    return Markup("".join(parts))  # nosec B704
