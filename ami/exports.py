"""The applications of a call or a year as a table: CSV (French spreadsheets) and XLSX."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ami import rules
from ami.messages import outcome_labels, status_labels, track_labels
from app.i18n import _
from app.tabular import safe_text, to_csv  # noqa: F401  (to_csv: used by the routes)

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: a text that a spreadsheet would run as a formula (CSV or formula injection)


def headers() -> list[str]:
    return [
        _("Appel"),
        _("Numéro"),
        _("Association"),
        _("RNA"),
        _("SIRET"),
        _("Commune de l'association"),
        _("Thématique"),
        _("Parcours"),
        _("QPV"),
        _("Communes"),
        _("Part de femmes (%)"),
        _("Budget total (€)"),
        _("Montant demandé (€)"),
        _("Statut"),
        _("Motif de non-recevabilité"),
        _("Taux de financement (%)"),
        _("Montant maximal selon les règles (€)"),
        _("Décision"),
        _("Montant attribué (€)"),
        _("Cofinanceur"),
        _("Part du cofinanceur (€)"),
        _("Entrée au contrat de ville"),
    ]


def _euros(cents: int | None) -> Decimal | None:
    value = rules.cents_to_euros(cents)
    return None if value is None else value.quantize(Decimal("0.01"))


def row_of(application) -> list:
    call = application.call
    association = application.association
    decision = application.decision
    allowed = rules.funding(call, application)
    statuses, tracks, outcomes = status_labels(), track_labels(), outcome_labels()
    return [
        call.title,
        application.number or "",
        association.name,
        association.rna_number or "",
        association.siret or "",
        association.commune.name if association.commune else "",
        application.theme.name if application.theme else "",
        str(tracks.get(application.track, application.track)),
        " ; ".join(q.name for q in application.qpvs),
        " ; ".join(c.name for c in application.communes),
        application.women_share,
        _euros(application.budget_total_cents),
        _euros(application.requested_cents),
        str(statuses.get(application.status, application.status)),
        application.eligibility_reason or "",
        allowed.rate,
        _euros(allowed.max_cents),
        str(outcomes.get(decision.outcome, decision.outcome)) if decision else "",
        _euros(decision.granted_cents) if decision else None,
        decision.co_funder.name if decision and decision.co_funder else "",
        _euros(decision.co_funded_cents) if decision and decision.co_funder else None,
        application.city_contract_year,
    ]


def table(applications) -> tuple[list[str], list[list]]:
    return headers(), [row_of(a) for a in applications]


# --- CSV and XLSX ----------------------------------------------------------------------------


def _put(sheet, row: int, column: int, value) -> None:
    if isinstance(value, str):
        value = safe_text(ILLEGAL_CHARACTERS_RE.sub("", value))
    cell = sheet.cell(row=row, column=column, value=value)
    if cell.data_type == "f":  # never a formula
        cell.data_type = "s"
    if isinstance(value, Decimal):
        cell.number_format = "#,##0.00"


def to_xlsx(head: Sequence[str], rows: Sequence[Sequence], title: str) -> bytes:
    """One sheet, the header in bold and frozen, a filter on the columns."""
    book = Workbook()
    book.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)[:250]
    sheet = book.active
    sheet.title = _("Candidatures")
    widths: dict[int, int] = {}
    for r, line in enumerate([list(head), *rows], start=1):
        for c, value in enumerate(line, start=1):
            _put(sheet, r, c, value)
            if r == 1:
                sheet.cell(row=r, column=c).font = Font(bold=True)
            widths[c] = max(widths.get(c, 0), len(str(value or "")))
    for c, width in widths.items():
        sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
