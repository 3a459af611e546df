"""Downloads of a saisine's answers (CSV, XLSX) and of its printable synthesis (PDF)."""

from __future__ import annotations

import re
import unicodedata

from flask import Response, g

from app.access import permission_required
from app.db import utcnow
from app.i18n import _
from consultations.saisines import exports, queries, rules
from consultations.saisines.models import Saisine
from consultations.saisines.routes import manage_bp as bp
from consultations.saisines.routes.common import load_managed


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def _filename(saisine: Saisine, name: str) -> str:
    return f"saisine-{_slug(saisine.reference) or saisine.id}-{name}"


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    # the answers of the communes: kept by no shared cache
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _table(saisine_id: int):
    saisine = load_managed(saisine_id)
    rows = queries.dashboard(saisine, utcnow())
    return saisine, rows, exports.answer_table(saisine, rows)


@bp.get("/<int:saisine_id>/export.csv")
@permission_required("saisines.manage")
def export_csv(saisine_id: int):
    saisine, _rows, (headers, data) = _table(saisine_id)
    return _download(
        exports.to_csv(headers, data), exports.CSV_MIMETYPE, _filename(saisine, "reponses.csv")
    )


@bp.get("/<int:saisine_id>/export.xlsx")
@permission_required("saisines.manage")
def export_xlsx(saisine_id: int):
    saisine, rows, (headers, data) = _table(saisine_id)
    tally, _sectors = rules.tallies(rows, _("Sans secteur"))
    content = exports.to_xlsx(
        headers,
        data,
        f"{saisine.reference} - {saisine.title}",
        summary=exports.synthesis_table(saisine, tally),
    )
    return _download(content, exports.XLSX_MIMETYPE, _filename(saisine, "reponses.xlsx"))


@bp.get("/<int:saisine_id>/synthese.pdf")
@permission_required("saisines.manage")
def synthesis_pdf(saisine_id: int):
    saisine = load_managed(saisine_id)
    rows = queries.dashboard(saisine, utcnow())
    tally, sector_tallies = rules.tallies(rows, _("Sans secteur"))
    content = exports.synthesis_pdf(saisine, rows, tally, sector_tallies, g.organisation.name)
    return _download(content, exports.PDF_MIMETYPE, _filename(saisine, "synthese.pdf"))
