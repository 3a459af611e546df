"""The application as printed: one A4 sheet, both sides (two pages at most).

The field limits of ami.rules are chosen so that the longest allowed application fits;
tests/ami/test_application_pdf.py renders it. Line breaks are kept up to a budget per field
(beyond it they print as " / "), so that a text of many short lines takes no more room than
the same number of characters written as prose.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ami import rules
from ami.messages import track_labels
from ami.models import Application, Track
from app.i18n import _

PARIS = ZoneInfo("Europe/Paris")
#: body text size (points): readable once printed
BODY_SIZE = 9
#: hard line breaks kept in a field, per this many characters of its limit
CHARS_PER_BREAK = 120


@dataclass(frozen=True)
class Layout:
    """How tight the sheet is set; the next layout is tried while the sheet is too long."""

    leading: float
    margin: float  # cm, left and right
    chars_per_break: int  # 0: every line break prints as " / "
    space: float  # points before each field


LAYOUTS = (
    Layout(leading=BODY_SIZE + 1.8, margin=1.5, chars_per_break=CHARS_PER_BREAK, space=2.5),
    Layout(leading=BODY_SIZE + 1.2, margin=1.2, chars_per_break=CHARS_PER_BREAK * 2, space=1.5),
    Layout(leading=BODY_SIZE + 0.8, margin=1.0, chars_per_break=0, space=1),
)
#: an A4 sheet printed recto-verso
MAX_PAGES = 2

_REPLACEMENTS = {
    "\u202f": "\u00a0",
    "\u2009": " ",
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2192": "->",
}


def _encodable(char: str) -> str:
    if char == "\n":
        return char
    if char == "\t":
        return " "
    if unicodedata.category(char) in ("Cc", "Cf"):
        return ""
    try:
        char.encode("cp1252")
        return char
    except UnicodeEncodeError:
        pass
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    return unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?"


def _plain(value) -> str:
    return "".join(_encodable(c) for c in str(value or ""))


def pdf_text(value) -> str:
    """Text the built-in fonts can draw (WinAnsi), escaped for Paragraph markup, one line."""
    return escape(_plain(value)).replace("\n", " ")


def bounded_breaks(value: str, limit: int, chars_per_break: int = CHARS_PER_BREAK) -> str:
    """Paragraph markup of a plain text whose line breaks are kept up to a budget that grows
    with the field's limit; the others print as " / "."""
    budget = limit // chars_per_break if chars_per_break else 0
    lines = [escape(line.strip()) for line in _plain(value).split("\n")]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        if budget > 0:
            out += "<br/>" + line
            budget -= 1
        elif line:
            out += " / " + line
    return out


def _euros(cents: int | None) -> str:
    if cents is None:
        return "-"
    whole = cents % 100 == 0
    value = cents / 100
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    return text.replace(",", "\u00a0").replace(".", ",") + "\u00a0EUR"


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(PARIS)
    return _("%(day)s à %(time)s", day=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M"))


def _styles(layout: Layout) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=BODY_SIZE, leading=layout.leading)
    return {
        "body": body,
        "small": ParagraphStyle("small", body, fontSize=8, leading=9.5, textColor=colors.grey),
        "title": ParagraphStyle(
            "title", body, fontName="Helvetica-Bold", fontSize=12, leading=14.5, spaceAfter=2
        ),
        "h2": ParagraphStyle(
            "h2",
            body,
            fontName="Helvetica-Bold",
            fontSize=9.5,
            leading=11.5,
            spaceBefore=4,
            spaceAfter=1,
            textColor=colors.HexColor("#1f3a5f"),
            keepWithNext=1,
        ),
        "field": ParagraphStyle("field", body, spaceBefore=layout.space),
        "cell": ParagraphStyle("cell", body, leading=layout.leading - 0.3),
        "num": ParagraphStyle("num", body, leading=layout.leading - 0.3, alignment=TA_RIGHT),
        "layout": layout,
    }


def _label(text) -> str:
    return f"<b>{pdf_text(text)}</b>"


def _run_in(label, value_markup: str, styles) -> Paragraph:
    """A bold label followed by its value in the same paragraph."""
    return Paragraph(f"{_label(label)} : {value_markup or '-'}", styles["field"])


def _identifiers(application: Application) -> str:
    association = application.association
    parts = []
    if association.rna_number:
        parts.append(f"RNA {association.rna_number}")
    if association.siret:
        parts.append(f"SIRET {association.siret}")
    return " - ".join(parts) or "-"


def _header(application: Application, organisation_name: str, styles) -> list:
    call = application.call
    status = (
        _("Déposée le %(date)s", date=_moment(application.submitted_at))
        if application.submitted_at
        else _("Brouillon, non déposé")
    )
    facts = [
        [
            _label(_("Numéro")),
            pdf_text(application.number or "-"),
            _label(_("Parcours")),
            pdf_text(track_labels().get(application.track, application.track)),
        ],
        [
            _label(_("Association")),
            pdf_text(application.association.name),
            _label(_("Identifiants")),
            pdf_text(_identifiers(application)),
        ],
        [
            _label(_("Thématique")),
            pdf_text(application.theme.name if application.theme else "-"),
            _label(_("État")),
            pdf_text(status),
        ],
    ]
    cells = [[Paragraph(v, styles["cell"]) for v in row] for row in facts]
    table = Table(cells, colWidths=[2.3 * cm, 7.2 * cm, 2.3 * cm, 6.2 * cm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.HexColor("#b8c2cc")),
            ]
        )
    )
    return [
        Paragraph(pdf_text(f"{organisation_name} - {call.title}"), styles["small"]),
        Paragraph(pdf_text(application.title or _("(sans titre)")), styles["title"]),
        table,
    ]


def _names(rows, attribute: str = "name") -> str:
    return pdf_text(", ".join(getattr(r, attribute) for r in rows)) or "-"


def _text(application: Application, name: str, styles) -> str:
    return bounded_breaks(
        getattr(application, name) or "",
        rules.FIELD_LIMITS[name],
        styles["layout"].chars_per_break,
    )


def _body(application: Application, styles) -> list:
    from ami.messages import field_labels

    labels = field_labels()
    standard = application.track is Track.STANDARD
    flow = [
        Paragraph(pdf_text(_("Territoire")), styles["h2"]),
        _run_in(_("QPV"), _names(application.qpvs), styles),
        _run_in(_("Communes"), _names(application.communes), styles),
        Paragraph(pdf_text(_("Le projet")), styles["h2"]),
        _run_in(labels["public"], _text(application, "public", styles), styles),
    ]
    if standard:
        figures = _(
            "%(label)s : %(n)s - %(share_label)s : %(share)s",
            label=_("Bénéficiaires attendus"),
            n=application.beneficiaries if application.beneficiaries is not None else "-",
            share_label=_("Part de femmes"),
            share=f"{application.women_share} %" if application.women_share is not None else "-",
        )
        flow.append(Paragraph(pdf_text(figures), styles["field"]))
    flow.append(_run_in(labels["objectives"], _text(application, "objectives", styles), styles))
    if standard:
        flow.append(_run_in(labels["actions"], _text(application, "actions", styles), styles))
        flow += [
            Paragraph(pdf_text(_("Partenariats et calendrier")), styles["h2"]),
            _run_in(_("Associations partenaires"), _names(application.partners), styles),
            _run_in(labels["partners_text"], _text(application, "partners_text", styles), styles),
        ]
        period = ""
        if application.starts_on or application.ends_on:
            period = _(
                "du %(start)s au %(end)s",
                start=_day(application.starts_on) or "?",
                end=_day(application.ends_on) or "?",
            )
        calendar = _text(application, "calendar", styles)
        if period:
            calendar = f"<i>{pdf_text(period)}</i>" + (f". {calendar}" if calendar else "")
        flow.append(_run_in(labels["calendar"], calendar, styles))
    flow.append(Paragraph(pdf_text(_("Budget")), styles["h2"]))
    flow.append(_budget(application, styles))
    if standard:
        flow.append(
            _run_in(
                labels["other_funding_details"],
                _text(application, "other_funding_details", styles),
                styles,
            )
        )
    return flow


def _budget(application: Application, styles) -> Table:
    total = application.budget_total_cents
    requested = application.requested_cents
    share = "-"
    if total and requested is not None:
        share = f"{requested * 100 / total:.1f}\u00a0%".replace(".", ",")
    header = [_("Budget total"), _("Montant demandé"), _("Part demandée du total")]
    values = [_euros(total), _euros(requested), share]
    if application.track is Track.STANDARD:
        header.append(_("Autres financements"))
        values.append(_euros(application.other_funding_cents))
    width = 18 * cm / len(header)
    cells = [
        [Paragraph(_label(h), styles["cell"]) for h in header],
        [Paragraph(pdf_text(v), styles["num"]) for v in values],
    ]
    table = Table(cells, colWidths=[width] * len(header), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def _numbered_canvas(footer: str):
    """A canvas that writes "footer ... page n of N" once the number of pages is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont("Helvetica", 7.5)
                self.setFillColor(colors.grey)
                self.drawString(1.5 * cm, 0.7 * cm, footer)
                page = _("Page %(page)s sur %(total)s", page=number, total=total)
                self.drawRightString(A4[0] - 1.5 * cm, 0.7 * cm, _plain(page))
                super().showPage()
            super().save()

    return NumberedCanvas


def application_pdf(application: Application, organisation_name: str) -> bytes:
    """The application on one A4 sheet, both sides: the first layout that fits."""
    content = b""
    for layout in LAYOUTS:
        content = _build(application, organisation_name, layout)
        if page_count(content) <= MAX_PAGES:
            break
    return content


def _build(application: Application, organisation_name: str, layout: Layout) -> bytes:
    styles = _styles(layout)
    flow = _header(application, organisation_name, styles)
    flow.append(Spacer(1, 2))
    flow += _body(application, styles)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=layout.margin * cm,
        rightMargin=layout.margin * cm,
        topMargin=1.1 * cm,
        bottomMargin=1.2 * cm,
        title=_one_line(f"{application.number or ''} {application.title}".strip()),
        author=_one_line(application.association.name),
        subject=_one_line(application.call.title),
    )
    footer = _one_line(
        f"{organisation_name} - {application.call.title} - {application.number or _('brouillon')}"
    )[:120]
    document.build(flow, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


def page_count(content: bytes) -> int:
    """How many pages a PDF written by reportlab holds."""
    import re

    return len(re.findall(rb"/Type /Page(?![s\w])", content))


def _one_line(value: str) -> str:
    return _plain(value).replace("\n", " ")
