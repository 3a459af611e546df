"""The decision letter sent to an association (PDF, A4)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from babel.dates import format_date
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ami.models import Outcome
from app.db import utcnow
from app.i18n import _
from consultations.saisines.exports.pdf import pdf_text


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", base["Normal"], fontName="Helvetica", fontSize=10.5, leading=14)
    return {
        "org": ParagraphStyle(
            "org",
            body,
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=15,
            textColor=colors.HexColor("#1f3a5f"),
        ),
        "right": ParagraphStyle("right", body, alignment=TA_RIGHT),
        "address": ParagraphStyle("address", body, leftIndent=9.5 * cm),
        "subject": ParagraphStyle("subject", body, fontName="Helvetica-Bold", spaceBefore=6),
        "body": ParagraphStyle("body2", body, spaceAfter=8),
        "h3": ParagraphStyle("h3", body, fontName="Helvetica-Bold", spaceBefore=6, spaceAfter=4),
        "signature": ParagraphStyle("signature", body, leftIndent=9.5 * cm, spaceBefore=18),
    }


def _euros(cents: int) -> str:
    from ami.routes import euros

    return euros(cents)


def decision_text(decision) -> str:
    """The decision, in words, for the letter and the e-mail."""
    application = decision.application
    title = application.title
    outcome = decision.outcome
    if outcome is Outcome.FUNDED:
        return _(
            "Après audition et délibération du jury, j'ai le plaisir de vous informer qu'une "
            "subvention de %(amount)s est attribuée à votre action « %(title)s ».",
            amount=_euros(decision.granted_cents),
            title=title,
        )
    if outcome is Outcome.REDIRECTED:
        return _(
            "Après audition et délibération du jury, votre action « %(title)s » n'est pas "
            "retenue au titre de cet appel ; le jury vous invite à la présenter à un autre "
            "dispositif, mieux adapté : %(scheme)s",
            title=title,
            scheme=decision.referral_note,
        )
    if outcome is Outcome.INTRODUCED:
        return _(
            "Après audition et délibération du jury, votre action « %(title)s » n'est pas "
            "financée au titre de cet appel ; le jury vous propose de rencontrer d'autres "
            "associations du territoire qui mènent des actions proches.",
            title=title,
        )
    return _(
        "Après audition et délibération du jury, j'ai le regret de vous informer que votre "
        "action « %(title)s » n'a pas été retenue pour un financement au titre de cet appel.",
        title=title,
    )


def letter_filename(application) -> str:
    return f"decision-{application.number or application.id}.pdf"


def _address(association) -> list[str]:
    lines = [association.name]
    if association.contact_name:
        lines.append(association.contact_name)
    if association.address:
        lines.append(association.address)
    town = " ".join(
        p for p in (association.postal_code, getattr(association.commune, "name", "")) if p
    )
    if town:
        lines.append(town)
    return lines


def decision_letter(decision, organisation, today=None) -> bytes:
    """The formal letter notifying the decision."""
    application = decision.application
    call = application.call
    association = application.association
    styles = _styles()
    today = today or utcnow()
    date_text = format_date(
        today.astimezone(ZoneInfo("Europe/Paris")).date(), "d MMMM y", locale="fr"
    )
    flow = [
        Paragraph(pdf_text(organisation.name), styles["org"]),
        Paragraph(pdf_text(_("Direction de la cohésion sociale")), styles["body"]),
        Spacer(1, 18),
        Paragraph(pdf_text("\n".join(_address(association))), styles["address"]),
        Spacer(1, 18),
        Paragraph(pdf_text(_("Le %(date)s", date=date_text)), styles["right"]),
        Spacer(1, 12),
        Paragraph(
            pdf_text(
                _(
                    "Objet : AMI cohésion sociale %(year)s — votre candidature %(number)s",
                    year=call.year,
                    number=application.number or "",
                )
            ),
            styles["subject"],
        ),
        Spacer(1, 12),
        Paragraph(pdf_text(_("Madame, Monsieur,")), styles["body"]),
        Paragraph(
            pdf_text(
                _(
                    "Vous avez répondu à l'appel à manifestation d'intérêt « %(call)s ». ",
                    call=call.title,
                )
            ),
            styles["body"],
        ),
        Paragraph(pdf_text(decision_text(decision)), styles["body"]),
    ]
    if decision.outcome is Outcome.FUNDED and decision.co_funder and decision.co_funded_cents:
        flow.append(
            Paragraph(
                pdf_text(
                    _(
                        "Cette subvention comprend une part de %(amount)s apportée par %(name)s.",
                        amount=_euros(decision.co_funded_cents),
                        name=decision.co_funder.name,
                    )
                ),
                styles["body"],
            )
        )
    if decision.introductions:
        flow.append(Paragraph(pdf_text(_("Associations à rencontrer")), styles["h3"]))
        for other in decision.introductions:
            contact = other.contact_email or ""
            line = f"{other.name} — {contact}" if contact else other.name
            flow.append(Paragraph(pdf_text(line), styles["body"]))
    if decision.advice:
        flow.append(Paragraph(pdf_text(_("Les conseils du jury")), styles["h3"]))
        flow.append(Paragraph(pdf_text(decision.advice), styles["body"]))
    flow += [
        Paragraph(
            pdf_text(
                _(
                    "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations "
                    "distinguées."
                )
            ),
            styles["body"],
        ),
        Paragraph(
            pdf_text(_("Le Président, par délégation") + "\n" + organisation.name),
            styles["signature"],
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=_("Décision — candidature %(number)s", number=application.number or ""),
        author=organisation.name,
    )
    document.build(flow)
    return buffer.getvalue()
