"""The API's operations: the one list of endpoints, used by the description and by the
human page, and how each is described."""

from __future__ import annotations

from opendata import rules
from opendata.openapi.schemas import STAGES, Schema, list_of, one, ref

PAGE_PARAMETERS = [
    {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": rules.MAX_PAGE, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": rules.MAX_PER_PAGE,
            "default": rules.DEFAULT_PER_PAGE,
        },
    },
]


CURSOR_PARAMETER = {
    "name": "cursor",
    "in": "query",
    "required": False,
    "description": (
        "Keyset pagination: an opaque cursor taken from the `next`, `prev` or `last` link of "
        "a previous response (it wins over `page`). Every page is then read in constant time, "
        "however far in the list; `meta.page` is null. A malformed, altered or foreign cursor "
        "is a 400 (parameter `cursor`): start again from the first page."
    ),
    "schema": {"type": "string", "maxLength": rules.MAX_CURSOR_LENGTH},
}

#: the large lists, also read by cursor (their `next` link always carries one)
CURSOR_PATHS = {
    "/saisines",
    "/meetings",
    "/council/contributions",
    "/consultations",
    "/consultations/{consultation_id}/proposals",
}


def id_parameter(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


def _json(schema: Schema) -> dict:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict:
    return {"description": description, "content": _json(ref("Error"))}


def operation(
    summary: str,
    schema: Schema,
    *,
    tag: str,
    paged: bool = False,
    ids: tuple[str, ...] = (),
    csv: bool = False,
    cursor: bool = False,
) -> dict:
    responses = {
        "200": {
            "description": "OK",
            "content": {"text/csv": {"schema": {"type": "string"}}} if csv else _json(schema),
        },
        "401": _error("Unknown, revoked or malformed token."),
        "429": _error("Too many requests."),
    }
    if paged:
        responses["400"] = _error("A query parameter is out of bounds.")
    if ids:
        responses["404"] = _error("No such resource, or not public.")
    parameters = [id_parameter(name) for name in ids] + (PAGE_PARAMETERS if paged else [])
    if cursor:
        parameters.append(CURSOR_PARAMETER)
    op = {"summary": summary, "tags": [tag], "responses": responses}
    if parameters:
        op["parameters"] = parameters
    return {"get": op}


#: (path, summary, response schema, tag, paged, path ids, CSV): the one list of endpoints, used
#: by the description and by the human page
ENDPOINTS = [
    ("/organisation", "The organisation (EPCI)", one("Organisation"), "territory", False, ()),
    ("/communes", "Its member communes", list_of("Commune"), "territory", True, ()),
    ("/saisines", "Saisines with their results", list_of("Saisine"), "saisines", True, ()),
    (
        "/saisines/{saisine_id}",
        "One saisine with its results",
        one("Saisine"),
        "saisines",
        False,
        ("saisine_id",),
    ),
    (
        "/meetings",
        "Meetings with published minutes: opinions and votes",
        list_of("Meeting"),
        "bodies",
        True,
        (),
    ),
    ("/meetings/{meeting_id}", "One meeting", one("Meeting"), "bodies", False, ("meeting_id",)),
    (
        "/council/contributions",
        "Contributions of the conseil de développement transmitted to the EPCI, with the "
        "EPCI's follow-up",
        list_of("CouncilContribution"),
        "council",
        True,
        (),
    ),
    (
        "/council/contributions/{contribution_id}",
        "One contribution of the conseil de développement",
        one("CouncilContribution"),
        "council",
        False,
        ("contribution_id",),
    ),
    (
        "/consultations",
        "Citizen consultations",
        list_of("Consultation"),
        "consultations",
        True,
        (),
    ),
    (
        "/consultations/{consultation_id}",
        "One consultation",
        one("Consultation"),
        "consultations",
        False,
        ("consultation_id",),
    ),
    (
        "/consultations/{consultation_id}/proposals",
        "Its published proposals",
        list_of("Proposal"),
        "consultations",
        True,
        ("consultation_id",),
    ),
    ("/ami/calls", "AMI calls", list_of("AmiCall"), "ami", True, ()),
    ("/ami/calls/{call_id}", "One AMI call", one("AmiCall"), "ami", False, ("call_id",)),
    (
        "/ami/calls/{call_id}/projects",
        "Its funded projects (notified decisions)",
        list_of("FundedProject"),
        "ami",
        True,
        ("call_id",),
    ),
    ("/ami/projects", "Every funded project", list_of("FundedProject"), "ami", True, ()),
    ("/dossiers", "Dossiers of the decision path", list_of("Dossier"), "dossiers", True, ()),
    (
        "/dossiers/{dossier_id}",
        "One dossier with its timeline: consultations, stage moves, deliberation",
        one("DossierWithTimeline"),
        "dossiers",
        False,
        ("dossier_id",),
    ),
]

CSV_ENDPOINTS = [
    ("/communes.csv", "Communes (CSV)", "territory", ()),
    ("/saisines.csv", "Saisines and their results (CSV)", "saisines", ()),
    ("/meetings.csv", "Opinions and votes of the bodies, one line per item (CSV)", "bodies", ()),
    (
        "/consultations/{consultation_id}/proposals.csv",
        "Published proposals of a consultation (CSV)",
        "consultations",
        ("consultation_id",),
    ),
    ("/ami/projects.csv", "Funded AMI projects (CSV)", "ami", ()),
    ("/dossiers.csv", "Dossiers and their decisions (CSV)", "dossiers", ()),
    (
        "/council/contributions.csv",
        "Contributions of the conseil de développement (CSV)",
        "council",
        (),
    ),
]


#: query parameters of some lists besides the paging
FILTERS = {
    "/dossiers": [
        {
            "name": "stage",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": STAGES},
        }
    ],
}
