"""The public pages: the organisation's public dossiers, each one's page and the Atom feed
of changes. No login; only what the admin marked public."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Response, abort, g, render_template, request, url_for
from flask_login import current_user

from app.access import can
from app.i18n import _
from app.uploads import services as uploads
from app.web.pagination import paginate
from decisions import messages, queries, rules
from decisions.routes import public_bp as bp

PER_PAGE = 20
ATOM = "http://www.w3.org/2005/Atom"


def _readable(dossier_id: int):
    """A public dossier, or any dossier of the organisation for its admins."""
    dossier = queries.dossier_in(g.organisation, dossier_id)
    if dossier is None:
        abort(404)
    if not (dossier.public or can(current_user, "decisions.manage", dossier)):
        abort(404)
    return dossier


@bp.get("/")
def index():
    filters = queries.Filters.from_args(request.args)
    page = paginate(queries.public_query(g.organisation, filters), PER_PAGE)
    return render_template(
        "decisions/public_list.html",
        page=page,
        filters=filters,
        commissions=queries.commissions(g.organisation, public_only=True),
        years=queries.years(g.organisation, public_only=True),
    )


@bp.get("/<int:dossier_id>")
def dossier(dossier_id: int):
    found = queries.public_dossier(g.organisation, dossier_id)
    if found is None:
        abort(404)
    return render_template(
        "decisions/public_dossier.html", dossier=found, items=queries.timeline(found)
    )


@bp.get("/<int:dossier_id>/documents/<int:document_id>")
def document(dossier_id: int, document_id: int):
    dossier = _readable(dossier_id)
    found = next((d for d in dossier.documents if d.id == document_id), None)
    if found is None:
        abort(404)
    return uploads.send(found.file)


@bp.get("/<int:dossier_id>/deliberation.pdf")
def deliberation_pdf(dossier_id: int):
    dossier = _readable(dossier_id)
    if dossier.deliberation is None or dossier.deliberation.file is None:
        abort(404)
    return uploads.send(dossier.deliberation.file, inline=True)


def _text(parent, tag: str, value: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = rules.xml_safe(value)
    return element


def _event_title(event) -> str:
    if event.kind == "deliberation":
        return _(
            "%(title)s : délibération %(number)s (%(result)s)",
            title=event.dossier_title,
            number=event.decision.number,
            result=messages.result_label(event.decision.result),
        )
    return _(
        "%(title)s : étape « %(stage)s »",
        title=event.dossier_title,
        stage=messages.stage_label(event.to_stage),
    )


def _event_summary(event) -> str:
    if event.kind == "deliberation":
        d = event.decision
        return _(
            "%(body)s, séance du %(day)s : délibération n° %(number)s, %(result)s.",
            body=d.body,
            day=d.decided_on.strftime("%d/%m/%Y"),
            number=d.number,
            result=messages.result_label(d.result),
        )
    if event.from_stage is None:
        return _("Ouverture du dossier.")
    text = _(
        "Passage de « %(from)s » à « %(to)s ».",
        **{
            "from": messages.stage_label(event.from_stage),
            "to": messages.stage_label(event.to_stage),
        },
    )
    return f"{text} {event.reason}".strip()


@bp.get("/flux.atom")
def feed():
    """An Atom 1.0 feed of the public dossiers' stage moves and deliberations."""
    events = queries.feed_events(g.organisation)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "title", _("Décisions de %(name)s", name=g.organisation.name))
    _text(root, "id", url_for("decisions_public.feed", _external=True))
    _text(
        root,
        "updated",
        rules.atom_date(events[0].at) if events else "1970-01-01T00:00:00Z",
    )
    ET.SubElement(
        root,
        f"{{{ATOM}}}link",
        {"rel": "self", "href": url_for("decisions_public.feed", _external=True)},
    )
    ET.SubElement(
        root,
        f"{{{ATOM}}}link",
        {"rel": "alternate", "href": url_for("decisions_public.index", _external=True)},
    )
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", g.organisation.name)
    for event in events:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        page = url_for("decisions_public.dossier", dossier_id=event.dossier_id, _external=True)
        _text(entry, "title", _event_title(event))
        _text(entry, "id", f"{page}#{event.kind}-{event.event_id}")
        _text(entry, "updated", rules.atom_date(event.at))
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": page})
        _text(entry, "summary", _event_summary(event))
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")
