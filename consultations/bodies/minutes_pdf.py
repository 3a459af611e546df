"""The minutes of a meeting as a PDF (A4): attendance, quorum, each item with its votes, then
the written minutes, converted from the sanitised HTML to paragraphs."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.i18n import _
from consultations.bodies.messages import label, vote_choice_labels
from consultations.bodies.models import Meeting, VoteStatus
from consultations.saisines.exports.pdf import _encoded, _numbered_canvas, _styles, pdf_text
from consultations.saisines.rules import to_paris

INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "sub": "sub", "sup": "super"}
BLOCKS = {"p", "h2", "h3", "h4", "li", "blockquote", "pre", "tr", "div"}


class _Blocks(HTMLParser):
    """Sanitised HTML -> [(style, reportlab markup)]: one paragraph per block, inline
    emphasis kept, lists bulleted or numbered, table rows joined by " | "."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._parts: list[str] = []
        self._style = "para"
        self._open: list[str] = []  # inline tags open now
        self._carried: list[str] = []  # inline tags open when the current block began
        self._in_item = 0
        self._lists: list[list] = []  # ["ul" | "ol", counter]
        self._pre = False
        self._cells = 0

    def _flush(self) -> None:
        text = "".join(self._parts).strip()
        if re.sub(r"<[^>]*>", "", text).strip():
            opening = "".join(f"<{t}>" for t in self._carried)
            closing = "".join(f"</{t}>" for t in reversed(self._open))
            self.blocks.append((self._style, opening + text + closing))
        self._parts = []
        self._carried = list(self._open)
        self._style = "para"

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "div") and self._in_item:
            self._parts.append(" ")  # a paragraph inside a list item stays in the item
        elif tag in BLOCKS:
            self._flush()
            self._style = {"h2": "h3", "h3": "h3", "h4": "h3", "blockquote": "quote"}.get(
                tag, "para"
            )
            self._pre = tag == "pre"
            self._cells = 0
            if tag == "li":
                self._in_item += 1
                kind = self._lists[-1] if self._lists else ["ul", 0]
                kind[1] += 1
                self._parts.append(f"{kind[1]}. " if kind[0] == "ol" else "\u2022 ")
        elif tag in ("ul", "ol"):
            self._flush()
            self._lists.append([tag, 0])
        elif tag in ("td", "th"):
            if self._cells:
                self._parts.append(" | ")
            self._cells += 1
        elif tag == "br":
            self._parts.append("<br/>")
        elif tag in INLINE:
            self._parts.append(f"<{INLINE[tag]}>")
            self._open.append(INLINE[tag])

    def handle_endtag(self, tag):
        if tag in ("p", "div") and self._in_item:
            return
        if tag in BLOCKS:
            self._flush()
            self._pre = False
            if tag == "li":
                self._in_item = max(self._in_item - 1, 0)
        elif tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag in INLINE and INLINE[tag] in self._open:
            name = INLINE[tag]
            index = len(self._open) - 1 - self._open[::-1].index(name)
            self._parts.append(f"</{name}>")
            del self._open[index]

    def handle_data(self, data):
        if not self._pre:
            data = re.sub(r"\s+", " ", data)
        self._parts.append(pdf_text(data))

    def close(self):
        super().close()
        self._flush()


def html_paragraphs(html: str, styles) -> list:
    """Paragraph flowables of sanitised HTML (plain text where the markup is refused)."""
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    flow = []
    for style, markup in parser.blocks:
        try:
            flow.append(Paragraph(markup, styles[style]))
        except ValueError:
            flow.append(Paragraph(pdf_text(re.sub(r"<[^>]*>", "", markup)), styles[style]))
    return flow


def _pdf_styles():
    styles = _styles()
    styles["para"] = ParagraphStyle("para", styles["body"], spaceAfter=4)
    styles["quote"] = ParagraphStyle(
        "quote", styles["para"], leftIndent=0.8 * cm, textColor=colors.HexColor("#333333")
    )
    return styles


def _paris(moment) -> str:
    return to_paris(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _header(meeting: Meeting, organisation_name: str, styles) -> list:
    body = meeting.body
    place = ", ".join(
        p
        for p in (
            meeting.venue,
            meeting.host_commune.name if meeting.host_commune else "",
            meeting.online_url,
        )
        if p
    )
    facts = [(_("Date"), _("%(date)s (heure de Paris)", date=_paris(meeting.starts_at)))]
    if place:
        facts.append((_("Lieu"), place))
    if meeting.minutes_published_at:
        facts.append((_("Publié le"), _paris(meeting.minutes_published_at)))
    flow = [
        Paragraph(pdf_text(organisation_name), styles["small"]),
        Paragraph(pdf_text(_("Procès-verbal de séance")), styles["h2"]),
        Paragraph(pdf_text(f"{body.name} — {meeting.title}"), styles["title"]),
        Spacer(1, 8),
    ]
    flow += [Paragraph(f"<b>{pdf_text(k)}</b> : {pdf_text(v)}", styles["body"]) for k, v in facts]
    return flow


def _names(members) -> str:
    names = [
        f"{m.user.display_name} ({m.commune.name})" if m.commune else m.user.display_name
        for m in members
    ]
    return ", ".join(names) or "—"


def _attendance(record, styles) -> list:
    quorum = record.quorum
    flow = [Paragraph(pdf_text(_("Présences")), styles["h2"])]
    counts = _(
        "Présents : %(present)d — représentés : %(represented)d — absents : %(absent)d, sur "
        "%(members)d membres.",
        present=len(record.present),
        represented=len(record.represented),
        absent=len(record.absent),
        members=quorum.members,
    )
    flow.append(Paragraph(pdf_text(counts), styles["body"]))
    if quorum.applies:
        text = (
            _("Le quorum (%(required)d) est atteint.", required=quorum.required)
            if quorum.met
            else _("Le quorum (%(required)d) n'est pas atteint.", required=quorum.required)
        )
    else:
        text = _("Aucun quorum n'est requis pour cette instance.")
    flow.append(Paragraph(pdf_text(text), styles["body"]))
    represented = " ; ".join(
        _("%(giver)s, pouvoir à %(holder)s", giver=_names([m]), holder=h.user.display_name)
        for m, h in record.represented
    )
    for title, names in (
        (_("Présents"), _names(record.present)),
        (_("Représentés"), represented or "—"),
        (_("Absents"), _names(record.absent)),
    ):
        flow += [
            Paragraph(pdf_text(title), styles["h3"]),
            Paragraph(pdf_text(names), styles["body"]),
        ]
    return flow


def _votes_table(item_votes, styles) -> Table:
    choices = vote_choice_labels()
    rows = [[_("Membre"), _("Vote")]]
    for vote in item_votes:
        name = _names([vote.member])
        if vote.by_proxy:
            name = f"{name} ({_('par pouvoir')})"
        rows.append([name, label(choices, vote.choice)])
    cells = [[Paragraph(pdf_text(v), styles["cell"]) for v in row] for row in rows]
    table = Table(cells, colWidths=[11 * cm, 6 * cm], repeatRows=1, hAlign="LEFT")
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


def _result_text(item, result) -> str:
    if item.vote_status == VoteStatus.CLOSED:
        outcome = _("Avis adopté") if item.adopted else _("Avis rejeté")
    else:
        outcome = _("Vote en cours")
    counts = _(
        "pour : %(yes)d, contre : %(no)d, abstentions : %(abstain)d, ne prennent pas part au "
        "vote : %(nv)d",
        yes=result.counts["for"],
        no=result.counts["against"],
        abstain=result.counts["abstain"],
        nv=result.counts["not_voting"],
    )
    return f"<b>{pdf_text(outcome)}</b> — {pdf_text(counts)}"


def _items(record, public_votes: bool, styles) -> list:
    flow = [Paragraph(pdf_text(_("Ordre du jour, avis et votes")), styles["h2"])]
    for item, result, item_votes in record.items:
        flow.append(Paragraph(pdf_text(f"{item.position}. {item.title}"), styles["h3"]))
        flow += html_paragraphs(item.description, styles)
        if item.opinion_text:
            flow.append(Paragraph(pdf_text(item.opinion_text), styles["quote"]))
        if result is not None:
            flow.append(Paragraph(_result_text(item, result), styles["body"]))
            if public_votes and item_votes:
                flow.append(_votes_table(item_votes, styles))
    if not record.items:
        flow.append(Paragraph(pdf_text(_("Aucun point à l'ordre du jour.")), styles["body"]))
    return flow


def minutes_pdf(meeting: Meeting, record, organisation_name: str) -> bytes:
    """`record` is queries.MeetingRecord(meeting)."""
    styles = _pdf_styles()
    flow = _header(meeting, organisation_name, styles)
    flow += _attendance(record, styles)
    flow += _items(record, meeting.body.public_votes, styles)
    flow.append(Paragraph(pdf_text(_("Compte rendu des débats")), styles["h2"]))
    flow += html_paragraphs(meeting.minutes, styles) or [
        Paragraph(pdf_text(_("Le compte rendu n'est pas encore rédigé.")), styles["body"])
    ]
    buffer = io.BytesIO()
    title = f"{meeting.body.name} - {meeting.title}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=(21 * cm, 29.7 * cm),
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=_encoded(title),
        author=_encoded(organisation_name),
        subject=_encoded(_("Procès-verbal de séance")),
    )
    footer = _encoded(f"{organisation_name} - {title}")[:110]
    document.build(flow, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()
