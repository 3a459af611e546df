"""A consultation's proposals and questionnaire answers as tables: CSV and XLSX, for admins.

The author's name is given only when they chose to show it. Texts that a spreadsheet would
read as a formula stay texts (CSV or formula injection).
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from app.db import db
from app.i18n import _
from app.organisations.models import Commune
from app.questionnaires import QuestionType
from app.questionnaires.answers import display
from app.tabular import iter_csv
from app.users.models import User
from app.web import PARIS
from participation.citizen.manage_forms import feedback_labels, status_labels
from participation.citizen.models import (
    Comment,
    ConsultationTheme,
    ContentStatus,
    Proposal,
    PublicConsultation,
    QuestionnaireAnswer,
)

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: a text that a spreadsheet would run as a formula
_BIGGEST = Decimal(10) ** 15
_BREAKS = re.compile(r"<br\s*/?>|</(p|li|h[2-4]|blockquote|tr)>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def html_to_text(value: str | None) -> str:
    """Sanitised HTML as plain text: one line per paragraph, no markup."""
    text = _BREAKS.sub("\n", value or "")
    text = html.unescape(_TAGS.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def paris_time(moment: datetime | None) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if moment else ""


# --- proposals -------------------------------------------------------------------------------


def proposal_table(consultation: PublicConsultation) -> tuple[list[str], Iterable[list]]:
    """One row per proposal, whatever its status, oldest first; two queries in all."""
    headers = [
        _("N°"),
        _("Déposée le (heure de Paris)"),
        _("Titre"),
        _("Texte"),
        _("Thématique"),
        _("Commune"),
        _("Soutiens"),
        _("Commentaires publiés"),
        _("Statut"),
        _("Auteur (nom affiché)"),
        _("Suite donnée"),
        _("Ce que nous en retenons"),
    ]
    comments = (
        select(func.count(Comment.id))
        .where(Comment.proposal_id == Proposal.id, Comment.status == ContentStatus.PUBLISHED)
        .scalar_subquery()
    )
    query = (
        select(
            Proposal.id,
            Proposal.created_at,
            Proposal.title,
            Proposal.body_text,
            Proposal.body,
            ConsultationTheme.name,
            Commune.name,
            Proposal.support_count,
            comments,
            Proposal.status,
            Proposal.show_name,
            User.display_name,
            Proposal.feedback_status,
            Proposal.feedback,
        )
        .outerjoin(ConsultationTheme, ConsultationTheme.id == Proposal.theme_id)
        .outerjoin(Commune, Commune.id == Proposal.commune_id)
        .outerjoin(User, User.id == Proposal.author_id)
        .where(Proposal.consultation_id == consultation.id)
        .order_by(Proposal.created_at, Proposal.id)
    )
    return headers, _proposal_rows(query)


def _proposal_rows(query) -> Iterable[list]:
    statuses, feedbacks = status_labels(), feedback_labels()
    rows = db.session.execute(query.execution_options(yield_per=2000))
    for (
        number,
        created,
        title,
        body_text,
        body,
        theme,
        commune,
        supports,
        comments,
        status,
        show_name,
        author,
        feedback_status,
        feedback,
    ) in rows:
        yield [
            number,
            paris_time(created),
            title,
            body_text or html_to_text(body),
            theme or "",
            commune or "",
            supports,
            comments or 0,
            str(statuses.get(status, status)),
            author if show_name and author else "",
            str(feedbacks.get(feedback_status, "")) if feedback_status else "",
            html_to_text(feedback),
        ]


# --- questionnaire answers ---------------------------------------------------------------------


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


def _answer(question, value):
    if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
        number = _number(value)
        if number is not None:
            return number
    return display(question, value)


def answer_table(consultation: PublicConsultation) -> tuple[list[str], list[list]]:
    """One row per participant who answered, one column per question; no names."""
    questions = sorted(consultation.questions, key=lambda q: q.position)
    headers = [_("N°"), _("Répondu le (heure de Paris)"), _("Commune")]
    headers += [f"{q.label} ({q.unit})" if q.unit else q.label for q in questions]
    rows = db.session.execute(
        select(QuestionnaireAnswer, Commune.name)
        .outerjoin(Commune, Commune.id == QuestionnaireAnswer.commune_id)
        .where(QuestionnaireAnswer.consultation_id == consultation.id)
        .order_by(QuestionnaireAnswer.created_at, QuestionnaireAnswer.id)
    )
    table = []
    for number, (answer, commune) in enumerate(rows, start=1):
        values = answer.answers or {}
        line = [number, paris_time(answer.created_at), commune or ""]
        table.append(line + [_answer(q, values.get(q.key)) for q in questions])
    return headers, table


# --- CSV and XLSX ----------------------------------------------------------------------------


def _cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if cell.data_type == "f":  # a text starting with "=" stays a text
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    elif isinstance(value, str) and "\n" in value:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence], title: str, sheet_name: str) -> bytes:
    """One sheet, header frozen and filterable; written row by row (large consultations)."""
    book = Workbook(write_only=True)
    book.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)[:250]
    sheet = book.create_sheet(sheet_name[:31])
    sheet.freeze_panes = "A2"
    for column, header in enumerate(headers, start=1):
        width = min(max(len(str(header)) + 2, 10), 60)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
    if headers:
        last = get_column_letter(len(headers))
        sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- downloads -------------------------------------------------------------------------------


def filename(consultation: PublicConsultation, name: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", consultation.slug).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")[:60]
    return f"consultation-{slug or consultation.id}-{name}"


def download(consultation, headers, rows, kind: str, name: str, sheet: str) -> Response:
    """The table as a CSV or XLSX attachment, kept by no shared cache.

    The CSV is streamed: its lines are written as the rows come from the database (read by
    batches, `yield_per`), so that 100,000 proposals start at once and never sit in memory.
    """
    if kind == "csv":
        content = stream_with_context(iter_csv(headers, rows))
        mimetype = CSV_MIMETYPE
    else:
        content, mimetype = to_xlsx(headers, rows, consultation.title, sheet), XLSX_MIMETYPE
    response = Response(content, mimetype=mimetype)
    response.headers.set(
        "Content-Disposition", "attachment", filename=filename(consultation, f"{name}.{kind}")
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
