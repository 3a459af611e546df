"""Exports of a saisine's answers (CSV, XLSX) and its printable synthesis (PDF).

The builders take the dashboard rows (`queries.dashboard`) and return bytes; they need an
application context with a locale for the column titles, never a request. Beside the rows,
`answer_table` reads two batched lists (version counts, attachment names), so that an export
costs the same number of queries whatever the number of communes.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import func, select

from app.db import db, utcnow
from app.i18n import _, ngettext
from app.uploads.models import StoredFile
from consultations.saisines import rules
from consultations.saisines.answers import display
from consultations.saisines.forms import kind_labels, opinion_labels
from consultations.saisines.models import (
    Opinion,
    Question,
    QuestionType,
    ResponseAttachment,
    ResponseStatus,
    ResponseVersion,
    Saisine,
    SaisineResponse,
)
from consultations.saisines.rules import TargetStatus

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIMETYPE = "application/pdf"
#: a text that a spreadsheet would run as a formula (CSV or formula injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: larger numbers stay text: spreadsheets keep 15 significant digits
_BIGGEST = Decimal(10) ** 15


class Share(float):
    """A proportion (0 to 1), shown as a percentage."""


# --- labels and small formats --------------------------------------------------------------


def status_labels() -> dict[str, str]:
    return {
        TargetStatus.NOT_OPENED: _("Non ouverte"),
        TargetStatus.OPENED: _("Ouverte, sans réponse"),
        TargetStatus.DRAFT: _("Brouillon en cours"),
        TargetStatus.SUBMITTED: _("Réponse transmise"),
        TargetStatus.LATE: _("Sans réponse (délai dépassé)"),
        TargetStatus.TACIT: _("Avis tacite"),
    }


def signed_as_label(value: str | None) -> str:
    if value in ("mayor", "maire"):
        return _("Maire")
    if value in ("delegation", "délégation"):
        return _("Par délégation")
    return value or ""


def opinion_label(opinion: str | None) -> str:
    """The label of an opinion; no opinion (None, or "none" in a tally) is "Sans avis"."""
    if not opinion or opinion == "none":
        return _("Sans avis")
    return str(opinion_labels().get(opinion, opinion))


def paris_time(moment: datetime | None) -> str:
    return rules.to_paris(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def by_commune_name(rows) -> list:
    """The rows in alphabetical order of the communes, accents aside (É with E)."""

    def key(row):
        name = unicodedata.normalize("NFKD", row.commune.name)
        return "".join(c for c in name if not unicodedata.combining(c)).casefold(), row.commune.name

    return sorted(rows, key=key)


def _submitted(row) -> SaisineResponse | None:
    response = row.response
    return response if response and response.status is ResponseStatus.SUBMITTED else None


def row_opinion(row) -> str:
    """The opinion of a row as text; a tacit opinion says so."""
    if not row.opinion:
        return ""
    label = opinion_label(row.opinion)
    if _submitted(row) is None:
        return _("%(opinion)s (avis tacite)", opinion=label)
    return label


# --- the answer table ------------------------------------------------------------------------


def _version_counts(saisine: Saisine) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(ResponseVersion.response_id, func.count(ResponseVersion.id))
            .join(SaisineResponse, SaisineResponse.id == ResponseVersion.response_id)
            .where(SaisineResponse.saisine_id == saisine.id)
            .group_by(ResponseVersion.response_id)
        ).all()
    )


def _file_names(saisine: Saisine) -> dict[int, dict[str | None, list[str]]]:
    """response id -> question key (None: general attachment) -> file names."""
    rows = db.session.execute(
        select(
            ResponseAttachment.response_id,
            ResponseAttachment.question_key,
            StoredFile.original_name,
        )
        .join(StoredFile, StoredFile.id == ResponseAttachment.file_id)
        .join(SaisineResponse, SaisineResponse.id == ResponseAttachment.response_id)
        .where(SaisineResponse.saisine_id == saisine.id)
        .order_by(ResponseAttachment.id)
    )
    result: dict[int, dict[str | None, list[str]]] = {}
    for response_id, key, name in rows:
        result.setdefault(response_id, {}).setdefault(key or None, []).append(name)
    return result


def _number(value) -> int | Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= _BIGGEST:
        return None
    return int(number) if number == number.to_integral_value() else number


def _answer(question: Question, value, files: dict) -> object:
    if question.type is QuestionType.FILE:
        return " ; ".join(files.get(question.key, []))
    if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
        number = _number(value)
        if number is not None:
            return number
    return display(question, value)


def question_header(question: Question) -> str:
    return f"{question.label} ({question.unit})" if question.unit else question.label


def answer_table(saisine: Saisine, rows) -> tuple[list[str], list[list]]:
    """One row per target commune, one column per question of the current questionnaire."""
    questions = saisine.current_questions
    versions = _version_counts(saisine)
    files = _file_names(saisine)
    statuses = status_labels()
    headers = [_("Commune"), _("Code INSEE"), _("Secteur"), _("Population"), _("Statut")]
    if saisine.asks_opinion:
        headers += [_("Avis"), _("Motivation")]
    headers += [_("Transmise le (heure de Paris)"), _("Signataire"), _("Signé en qualité de")]
    headers += [_("Nombre de versions")]
    headers += [question_header(q) for q in questions] + [_("Pièces jointes générales")]
    keys = {q.key for q in questions if q.type is QuestionType.FILE}
    table = []
    for row in by_commune_name(rows):
        response = _submitted(row)
        given = files.get(response.id, {}) if response else {}
        line = [row.commune.name, row.commune.insee_code, row.sector.name if row.sector else ""]
        line += [row.commune.population, statuses.get(row.status, str(row.status))]
        if saisine.asks_opinion:
            line += [row_opinion(row), response.motivation if response else ""]
        line += [
            paris_time(response.submitted_at) if response else "",
            row.submitted_by.display_name if response and row.submitted_by else "",
            signed_as_label(response.signed_as) if response else "",
            versions.get(response.id, 0) if response else 0,
        ]
        values = response.answers if response else {}
        line += [_answer(q, values.get(q.key), given) for q in questions]
        # general attachments, and files of a question the current version no longer asks
        others = [n for key, names in given.items() if key not in keys for n in names]
        table.append([*line, " ; ".join(others)])
    return headers, table


def synthesis_table(saisine: Saisine, tally: rules.Tally) -> list[list]:
    """The counts as rows of cells, for the spreadsheet's second sheet."""
    lines: list[list] = [[saisine.reference, saisine.title], []]
    lines += [list(pair) for pair in _counts(tally)]
    if saisine.asks_opinion:
        lines += [[], [_("Avis"), _("Communes"), _("Part des communes")]]
        lines[-1] += [_("Population"), _("Part de la population")]
        for key in _opinion_keys(tally):
            count = tally.by_opinion.get(key, rules.OpinionCount())
            share, weighted = Share(tally.share(key)), Share(tally.share(key, weighted=True))
            lines.append([opinion_label(key), count.communes, share, count.population, weighted])
    return lines


def _counts(tally: rules.Tally) -> list[tuple[str, object]]:
    tacit = tally.by_status.get(TargetStatus.TACIT, 0)
    return [
        (_("Communes consultées"), tally.targets),
        (_("Réponses transmises"), tally.answered),
        (_("Taux de réponse"), Share(tally.answer_rate)),
        (_("Communes sans réponse"), tally.targets - tally.answered),
        (_("dont avis tacites"), tacit),
        (_("Population des communes consultées"), tally.population),
    ]


def _opinion_keys(tally: rules.Tally) -> list[str]:
    keys = [str(o) for o in Opinion]
    return keys + ["none"] if "none" in tally.by_opinion else keys


# --- CSV and XLSX ----------------------------------------------------------------------------


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Share):
        return f"{value * 100:.1f} %".replace(".", ",")
    if isinstance(value, Decimal | float):
        return format(value, "f").replace(".", ",")
    return _safe_text(str(value))


def to_csv(headers: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """UTF-8 with a byte order mark and `;` between cells, as French Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in headers])
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _put(sheet, row: int, column: int, value) -> None:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if cell.data_type == "f":  # a text starting with "=" stays a text
        cell.data_type = "s"
    if isinstance(value, Share):
        cell.number_format = "0.0%"


def _fill(sheet, rows: Sequence[Sequence], bold_rows: set[int]) -> None:
    widths: dict[int, int] = {}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            _put(sheet, r, c, value)
            if r in bold_rows:
                sheet.cell(row=r, column=c).font = Font(bold=True)
            longest = max((len(part) for part in str(value or "").splitlines()), default=0)
            widths[c] = max(widths.get(c, 0), longest)
    for c, width in widths.items():
        sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)


def to_xlsx(
    headers: Sequence[str],
    rows: Sequence[Sequence],
    title: str,
    summary: Sequence[Sequence] | None = None,
) -> bytes:
    """The answers on a first sheet (header frozen), the counts on a sheet "Synthèse"."""
    book = Workbook()
    book.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)[:250]
    answers = book.active
    answers.title = _("Réponses")
    _fill(answers, [list(headers), *rows], {1})
    answers.freeze_panes = "A2"
    if rows:
        answers.auto_filter.ref = answers.dimensions
    for line in answers.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str) and "\n" in cell.value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    counts = book.create_sheet(_("Synthèse"))
    summary = list(summary or [])
    # bold: the title and the first line after each blank one
    _fill(counts, summary, {1} | {i + 2 for i, line in enumerate(summary) if not line})
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
            line.append(f"{count.communes}\n{_number_fr(count.population)} {_('hab.')}")
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
