"""The printable synthesis of a saisine (PDF, A4)."""

from __future__ import annotations

import io
import unicodedata
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.db import utcnow
from app.i18n import _, ngettext
from consultations.saisines import rules
from consultations.saisines.exports.table import (
    Share,
    _counts,
    _opinion_keys,
    _submitted,
    by_commune_name,
    opinion_label,
    paris_time,
    row_opinion,
    signed_as_label,
    status_labels,
)
from consultations.saisines.forms import kind_labels
from consultations.saisines.models import (
    Opinion,
    Saisine,
)
from consultations.saisines.rules import TargetStatus

# --- PDF -------------------------------------------------------------------------------------

#: characters outside WinAnsi with a close enough equivalent; the others lose their accents
_REPLACEMENTS = {
    "\u202f": "\u00a0",  # narrow no-break space
    "\u2009": " ",
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2192": "->",
    "\u2190": "<-",
}


def _encodable(char: str) -> str:
    if char in "\n\t":
        return char
    if unicodedata.category(char) in ("Cc", "Cf"):
        return ""
    try:
        char.encode("cp1252")
        return char
    except UnicodeEncodeError:
        pass
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    ascii_text = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return ascii_text or "?"


def pdf_text(value) -> str:
    """Text the built-in fonts can draw (WinAnsi), escaped for Paragraph markup."""
    text = "".join(_encodable(c) for c in str(value or ""))
    return escape(text).replace("\n", "<br/>")


def _number_fr(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _percent_fr(value: float) -> str:
    return f"{value * 100:.1f}\u00a0%".replace(".", ",")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", base["Normal"], fontName="Helvetica", fontSize=10, leading=13)
    return {
        "title": ParagraphStyle("title", body, fontName="Helvetica-Bold", fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2",
            body,
            fontName="Helvetica-Bold",
            fontSize=12.5,
            leading=16,
            spaceBefore=12,
            spaceAfter=6,
            textColor=colors.HexColor("#1f3a5f"),
        ),
        "h3": ParagraphStyle(
            "h3", body, fontName="Helvetica-Bold", fontSize=10.5, spaceBefore=10, keepWithNext=1
        ),
        "body": body,
        "small": ParagraphStyle("small", body, fontSize=8.5, leading=11, textColor=colors.grey),
        "meta": ParagraphStyle(
            "meta", body, fontSize=8.5, leading=11, textColor=colors.grey, keepWithNext=1
        ),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=10.5),
        "num": ParagraphStyle("num", body, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
    }


def _table(rows: list[list], styles, widths, text_columns=(0,)) -> Table:
    """A table with a shaded header; numbers (all but `text_columns`) aligned right."""
    cells = [
        [
            Paragraph(pdf_text(v), styles["cell" if c in text_columns else "num"])
            for c, v in enumerate(row)
        ]
        for row in rows
    ]
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _opinion_rows(tally: rules.Tally) -> list[list]:
    rows = [
        [
            _("Avis"),
            _("Communes"),
            _("Part des communes"),
            _("Population"),
            _("Part de la population"),
        ]
    ]
    for key in _opinion_keys(tally):
        count = tally.by_opinion.get(key, rules.OpinionCount())
        rows.append(
            [
                opinion_label(key),
                str(count.communes),
                _percent_fr(tally.share(key)),
                _number_fr(count.population),
                _percent_fr(tally.share(key, weighted=True)),
            ]
        )
    return rows


def _sector_rows(saisine: Saisine, sector_tallies: dict[str, rules.Tally]) -> list[list]:
    keys = [str(o) for o in Opinion] if saisine.asks_opinion else []
    header = [_("Secteur"), _("Communes"), _("Réponses")] + [opinion_label(k) for k in keys]
    rows = [header]
    for name, tally in sector_tallies.items():
        line = [name, str(tally.targets), f"{tally.answered} ({_percent_fr(tally.answer_rate)})"]
        for key in keys:
            count = tally.by_opinion.get(key, rules.OpinionCount())
            inhabitants = _("%(n)s hab.", n=_number_fr(count.population))
            line.append(f"{count.communes}\n{inhabitants}")
        rows.append(line)
    return rows


def _header(saisine: Saisine, organisation_name: str, styles) -> list:
    kind = kind_labels().get(saisine.kind, saisine.kind)
    facts = [
        (_("Référence"), saisine.reference),
        (_("Nature"), str(kind)),
        (_("Ouverture"), paris_time(saisine.opens_at)),
        (_("Date limite"), paris_time(saisine.deadline)),
    ]
    if saisine.legal_basis:
        facts.append((_("Fondement"), saisine.legal_basis))
    flow = [
        Paragraph(pdf_text(organisation_name), styles["small"]),
        Paragraph(pdf_text(_("Synthèse de la saisine")), styles["h2"]),
        Paragraph(pdf_text(saisine.title), styles["title"]),
        Spacer(1, 8),
    ]
    flow += [Paragraph(f"<b>{pdf_text(k)}</b> : {pdf_text(v)}", styles["body"]) for k, v in facts]
    generated = _("Synthèse établie le %(date)s (heure de Paris)", date=paris_time(utcnow()))
    return [*flow, Spacer(1, 4), Paragraph(pdf_text(generated), styles["small"])]


def _opinions_given(rows, styles) -> list:
    flow = []
    for row in by_commune_name(rows):
        response = _submitted(row)
        if response is None or not response.opinion:
            continue
        meta = _(
            "Signé par %(name)s (%(capacity)s) le %(date)s",
            name=row.submitted_by.display_name if row.submitted_by else "",
            capacity=signed_as_label(response.signed_as),
            date=paris_time(response.submitted_at),
        )
        heading = f"{row.commune.name} : {opinion_label(response.opinion)}"
        flow += [
            Paragraph(pdf_text(heading), styles["h3"]),
            Paragraph(pdf_text(meta), styles["meta"]),
            Paragraph(pdf_text(response.motivation or _("Sans motivation.")), styles["body"]),
        ]
    return flow


def _silent(rows, styles) -> list:
    statuses = status_labels()
    lines = [[_("Commune"), _("Code INSEE"), _("Population"), _("Situation")]]
    for row in by_commune_name(rows):
        if _submitted(row) is not None:
            continue
        situation = statuses.get(row.status, str(row.status))
        if row.opinion:
            situation = row_opinion(row)
        lines.append(
            [
                row.commune.name,
                row.commune.insee_code,
                _number_fr(row.commune.population),
                situation,
            ]
        )
    if len(lines) == 1:
        return [
            Paragraph(pdf_text(_("Toutes les communes consultées ont répondu.")), styles["body"])
        ]
    widths = [7 * cm, 2.5 * cm, 2.7 * cm, 4.8 * cm]
    return [_table(lines, styles, widths, text_columns=(0, 1, 3))]


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
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.grey)
                self.drawString(2 * cm, 1.2 * cm, footer)
                page = _("Page %(page)s sur %(total)s", page=number, total=total)
                self.drawRightString(A4[0] - 2 * cm, 1.2 * cm, page)
                super().showPage()
            super().save()

    return NumberedCanvas


def synthesis_pdf(
    saisine: Saisine,
    rows,
    tally: rules.Tally,
    sector_tallies: dict[str, rules.Tally],
    organisation_name: str,
) -> bytes:
    """A printable synthesis: the saisine, its counts, the opinions given, the silent communes."""
    styles = _styles()
    flow = _header(saisine, organisation_name, styles)
    flow.append(Paragraph(pdf_text(_("Participation")), styles["h2"]))
    counts = [
        [label, _percent_fr(v) if isinstance(v, Share) else _number_fr(v)]
        for label, v in _counts(tally)
    ]
    flow.append(_table([[_("Indicateur"), _("Valeur")], *counts], styles, [9 * cm, 4 * cm]))
    if saisine.asks_opinion:
        flow.append(
            Paragraph(pdf_text(_("Avis, par commune et pondérés par la population")), styles["h2"])
        )
        flow.append(
            _table(_opinion_rows(tally), styles, [5 * cm, 2.4 * cm, 3 * cm, 3 * cm, 3.4 * cm])
        )
        tacit = tally.by_status.get(TargetStatus.TACIT, 0)
        if tacit:
            note = ngettext(
                "Ces chiffres comprennent %(num)d avis tacite.",
                "Ces chiffres comprennent %(num)d avis tacites.",
                tacit,
            )
            flow.append(Paragraph(pdf_text(note), styles["small"]))
    if sector_tallies:
        flow.append(Paragraph(pdf_text(_("Par secteur")), styles["h2"]))
        widths = [3.1 * cm, 2.2 * cm, 2.3 * cm] + [2.35 * cm] * len(Opinion)
        if not saisine.asks_opinion:
            widths = [8 * cm, 3 * cm, 4 * cm]
        flow.append(_table(_sector_rows(saisine, sector_tallies), styles, widths))
    if saisine.asks_opinion:
        flow.append(Paragraph(pdf_text(_("Avis rendus et motivations")), styles["h2"]))
        given = _opinions_given(rows, styles)
        flow += given or [Paragraph(pdf_text(_("Aucun avis rendu.")), styles["body"])]
    flow.append(Paragraph(pdf_text(_("Communes n'ayant pas répondu")), styles["h2"]))
    flow += _silent(rows, styles)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=_encoded(f"{saisine.reference} - {saisine.title}"),
        author=_encoded(organisation_name),
        subject=_encoded(_("Synthèse de la saisine")),
    )
    footer = _encoded(f"{organisation_name} - {saisine.reference}")[:110]
    document.build(flow, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


def _encoded(value: str) -> str:
    return "".join(_encodable(c) for c in value).replace("\n", " ").replace("\t", " ")
