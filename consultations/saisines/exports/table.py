"""A saisine's answers as a table (a row per commune, a column per question): CSV, XLSX."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from app.db import db
from app.i18n import _
from app.tabular import csv_cell
from app.tabular import to_csv as tabular_csv
from app.uploads.models import StoredFile
from consultations.saisines import rules
from consultations.saisines.answers import display
from consultations.saisines.forms import opinion_labels
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


#: larger numbers stay text: spreadsheets keep 15 significant digits
_BIGGEST = Decimal(10) ** 15


class Share(float):
    """A proportion (0 to 1), shown as a percentage."""


# --- labels and small formats --------------------------------------------------------------


def status_labels() -> dict[str, str]:
    return {
        TargetStatus.NOT_OPENED: _("Pas encore ouverte"),
        TargetStatus.OPENED: _("Ouverte par la commune"),
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


def _csv_cell(value) -> str:
    if isinstance(value, Share):
        return f"{value * 100:.1f} %".replace(".", ",")
    return csv_cell(value)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    return tabular_csv(headers, rows, _csv_cell)


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
