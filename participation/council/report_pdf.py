"""The council's annual activity report (PDF, A4): referrals, contributions, the EPCI's
follow-ups and their delays, and the members' participation in the council's votes."""

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

from app.i18n import _
from participation.council import rules
from participation.council.messages import kind_labels, status_labels
from participation.council.models import ContributionStatus, FollowUpStatus
from participation.council.queries import AnnualReport

# --- drawing text with the built-in fonts (WinAnsi) ------------------------------------------

_REPLACEMENTS = {"\u202f": "\u00a0", "\u2009": " ", "\u2011": "-", "\u2212": "-", "\u2192": "->"}


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
    return unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?"


def pdf_text(value) -> str:
    """Text the built-in fonts can draw, escaped for Paragraph markup."""
    return escape("".join(_encodable(c) for c in str(value or ""))).replace("\n", "<br/>")


def _plain(value: str) -> str:
    return "".join(_encodable(c) for c in value).replace("\n", " ").replace("\t", " ")


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
        "body": body,
        "small": ParagraphStyle("small", body, fontSize=8.5, leading=11, textColor=colors.grey),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=10.5),
        "num": ParagraphStyle("num", body, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
    }


def _table(rows: list[list], styles, widths, text_columns=(0,)) -> Table:
    cells = [
        [
            Paragraph(pdf_text(v), styles["cell" if c in text_columns or r == 0 else "num"])
            for c, v in enumerate(row)
        ]
        for r, row in enumerate(rows)
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


def _day(moment) -> str:
    if moment is None:
        return "—"
    day = rules.paris_date(moment) if hasattr(moment, "hour") else moment
    return day.strftime("%d/%m/%Y")


def _para(text: str, styles, style: str = "body") -> Paragraph:
    return Paragraph(pdf_text(text), styles[style])


# --- the sections ---------------------------------------------------------------------------


def _summary(report: AnnualReport, styles) -> list:
    referred = [r for r in report.referrals if r.kind == "referral"]
    outcomes = [c for c in report.votes]
    adopted = [c for c in outcomes if c.status is not ContributionStatus.REJECTED]
    transmitted = [c for c in report.contributions if rules.in_year(c.transmitted_at, report.year)]
    answered = [
        c
        for c in report.follow_ups
        if c.follow_up.answered_at and rules.in_year(c.follow_up.answered_at, report.year)
    ]
    rows = [
        [_("Indicateur"), _("Nombre")],
        [_("Saisines du conseil par l'EPCI"), str(len(referred))],
        [_("Auto-saisines du conseil"), str(len(report.referrals) - len(referred))],
        [_("Contributions travaillées dans l'année"), str(len(report.contributions))],
        [_("Votes du conseil"), str(len(outcomes))],
        [_("Contributions adoptées"), str(len(adopted))],
        [_("Contributions rejetées"), str(len(outcomes) - len(adopted))],
        [_("Contributions transmises à l'EPCI"), str(len(transmitted))],
        [_("Réponses de l'EPCI publiées"), str(len(answered))],
        [_("Réponses de l'EPCI en retard à ce jour"), str(_overdue_count(report))],
    ]
    return [_para(_("Synthèse"), styles, "h2"), _table(rows, styles, [12 * cm, 3 * cm])]


def _overdue_count(report: AnnualReport) -> int:
    return sum(1 for c in report.follow_ups if _overdue(c, report))


def _overdue(contribution, report: AnnualReport) -> bool:
    follow_up = contribution.follow_up
    return rules.is_overdue(
        follow_up.status is FollowUpStatus.PENDING, follow_up.due_on, report.now
    )


def _referrals(report: AnnualReport, styles) -> list:
    flow = [_para(_("Saisines et auto-saisines"), styles, "h2")]
    if not report.referrals:
        return [*flow, _para(_("Aucune saisine dans l'année."), styles)]
    kinds = kind_labels()
    rows = [[_("Sujet"), _("Nature"), _("Reçue le"), _("Date attendue")]]
    rows += [
        [r.title, kinds.get(r.kind, r.kind), _day(r.created_at), _day(r.deadline)]
        for r in report.referrals
    ]
    return [*flow, _table(rows, styles, [8 * cm, 3.4 * cm, 2.8 * cm, 2.8 * cm], (0, 1))]


def _contributions(report: AnnualReport, styles) -> list:
    flow = [_para(_("Contributions"), styles, "h2")]
    if not report.contributions:
        return [*flow, _para(_("Aucune contribution dans l'année."), styles)]
    statuses = status_labels()
    rows = [[_("Contribution"), _("État"), _("Vote (pour / contre / abst.)"), _("Transmise le")]]
    for c in report.contributions:
        counted = c.vote_closed_at is not None
        votes = f"{c.votes_for} / {c.votes_against} / {c.votes_abstain}" if counted else "—"
        title = c.title + (f"\n({c.referral.title})" if c.referral else "")
        rows.append([title, statuses.get(c.status, c.status), votes, _day(c.transmitted_at)])
    return [*flow, _table(rows, styles, [7.5 * cm, 3.2 * cm, 3.5 * cm, 2.8 * cm], (0, 1))]


def _follow_up_state(contribution, report: AnnualReport) -> str:
    follow_up = contribution.follow_up
    if follow_up.status is FollowUpStatus.ANSWERED:
        late = rules.paris_date(follow_up.answered_at) > follow_up.due_on
        return _("répondu en retard") if late else _("répondu dans le délai")
    return _("en retard") if _overdue(contribution, report) else _("en attente")


def _follow_ups(report: AnnualReport, styles) -> list:
    flow = [_para(_("Suites données par l'EPCI"), styles, "h2")]
    if not report.follow_ups:
        return [*flow, _para(_("Aucune contribution transmise dans l'année."), styles)]
    rows = [
        [
            _("Contribution"),
            _("Transmise le"),
            _("Réponse due le"),
            _("Répondu le"),
            _("Délai"),
            _("Situation"),
        ]
    ]
    delays = []
    for c in report.follow_ups:
        follow_up = c.follow_up
        delay = rules.delay_days(c.transmitted_at, follow_up.answered_at)
        if delay is not None:
            delays.append(delay)
        rows.append(
            [
                c.title,
                _day(c.transmitted_at),
                _day(follow_up.due_on),
                _day(follow_up.answered_at),
                _("%(n)d j", n=delay) if delay is not None else "—",
                _follow_up_state(c, report),
            ]
        )
    widths = [5.2 * cm, 2.2 * cm, 2.2 * cm, 2.2 * cm, 1.6 * cm, 3.6 * cm]
    flow.append(_table(rows, styles, widths, (0, 5)))
    if delays:
        average = round(sum(delays) / len(delays))
        flow.append(_para(_("Délai moyen de réponse : %(n)d jours.", n=average), styles, "small"))
    return flow


def _attendance(report: AnnualReport, styles) -> list:
    flow = [
        _para(_("Participation des membres aux votes du conseil"), styles, "h2"),
        _para(
            _(
                "Les séances du conseil de développement ne sont pas enregistrées sur la "
                "plateforme : la participation de chaque membre est mesurée par les votes du "
                "conseil sur ses contributions, clos dans l'année. Un membre est compté présent "
                "à un vote s'il y a pris part, y compris en indiquant qu'il ne prend pas part au "
                "vote."
            ),
            styles,
            "small",
        ),
        Spacer(1, 4),
    ]
    if not report.votes:
        return [*flow, _para(_("Aucun vote du conseil clos dans l'année."), styles)]
    rows = [[_("Membre"), _("Votes"), _("Participation")]]
    for line in report.attendance:
        name = line.name if line.member else _("%(name)s (ancien membre)", name=line.name)
        rate = f"{round(100 * line.votes / line.of)} %" if line.of else "—"
        rows.append([name, f"{line.votes} / {line.of}", rate])
    return [*flow, _table(rows, styles, [10 * cm, 3 * cm, 3 * cm])]


def annual_report_pdf(report: AnnualReport) -> bytes:
    styles = _styles()
    org_name = report.organisation.name
    title = _("Rapport d'activité %(year)d du conseil de développement", year=report.year)
    generated = _(
        "Établi le %(date)s à partir des données de la plateforme.", date=_day(report.now)
    )
    flow = [
        _para(org_name, styles, "small"),
        _para(title, styles, "title"),
        Spacer(1, 4),
        _para(generated, styles, "small"),
    ]
    flow += _summary(report, styles)
    flow += _referrals(report, styles)
    flow += _contributions(report, styles)
    flow += _follow_ups(report, styles)
    flow += _attendance(report, styles)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=_plain(title),
        author=_plain(org_name),
    )
    document.build(flow, canvasmaker=_numbered_canvas(_plain(f"{org_name} - {title}")[:110]))
    return buffer.getvalue()
