"""The schemas of the API's answers, built from small helpers (JSON Schema 2020-12, as
OpenAPI 3.1 uses it)."""

from __future__ import annotations

from typing import Any

from opendata.serialize import OPINIONS, VOTE_CHOICES

Schema = dict[str, Any]

#: the decision path's stages (decisions.models.DecisionStage)
STAGES = ["impulse", "work", "consultation", "pre_validation", "decision"]


def string(nullable: bool = False, **extra) -> Schema:
    return {"type": ["string", "null"] if nullable else "string", **extra}


def integer(nullable: bool = False, **extra) -> Schema:
    return {"type": ["integer", "null"] if nullable else "integer", **extra}


def number(nullable: bool = False) -> Schema:
    return {"type": ["number", "null"] if nullable else "number"}


def boolean(nullable: bool = False) -> Schema:
    return {"type": ["boolean", "null"] if nullable else "boolean"}


def datetime_(nullable: bool = False) -> Schema:
    return string(nullable, format="date-time")


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Schema], nullable: bool = False) -> Schema:
    return {
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


DOSSIER: dict[str, Schema] = {
    "id": integer(),
    "title": string(),
    "summary": string(),
    "stage": string(enum=STAGES),
    "commission": string(),
    "lead": string(),
    "created_at": datetime_(),
    "updated_at": datetime_(),
    "closed_at": datetime_(True),
    "decision": ref("DecisionSummary"),
}

SCHEMAS: dict[str, Schema] = {
    "Organisation": obj(
        {
            "id": integer(),
            "name": string(),
            "siren": string(),
            "type": string(),
            "slug": string(),
            "communes": integer(),
        }
    ),
    "Commune": obj(
        {
            "insee_code": string(),
            "name": string(),
            "siren": string(True),
            "departement": string(True),
            "population": integer(),
            "postal_codes": array(string()),
            "sector": string(True),
            "has_qpv": boolean(),
        }
    ),
    "OpinionCount": obj({"communes": integer(), "population": integer()}),
    "Results": obj(
        {
            "targets": integer(),
            "answered": integer(),
            "population": integer(),
            "opinions": obj({o: ref("OpinionCount") for o in OPINIONS}),
        }
    ),
    "Saisine": obj(
        {
            "id": integer(),
            "reference": string(),
            "title": string(),
            "kind": string(enum=["opinion", "data", "both"]),
            "phase": string(enum=["scheduled", "open", "closed"]),
            "opens_at": datetime_(),
            "deadline": datetime_(),
            "legal_basis": string(),
            "results_published": boolean(),
            "results": ref("Results"),
        }
    ),
    "AgendaItem": obj(
        {
            "position": integer(),
            "title": string(),
            "opinion": string(),
            "vote_status": string(enum=["none", "pending", "open", "closed"]),
            "adopted": boolean(True),
            "votes": obj({c: integer() for c in VOTE_CHOICES}, nullable=True),
        }
    ),
    "Meeting": obj(
        {
            "id": integer(),
            "body": obj({"id": integer(), "name": string(), "kind": string()}),
            "title": string(),
            "starts_at": datetime_(),
            "minutes_published_at": datetime_(True),
            "items": array(ref("AgendaItem")),
        }
    ),
    "CouncilContribution": obj(
        {
            "id": integer(),
            "title": string(),
            "body_html": string(description="Sanitised HTML."),
            "referral": obj({"kind": string(), "title": string()}, nullable=True),
            "adopted_at": datetime_(True),
            "votes": obj({"for": integer(), "against": integer(), "abstain": integer()}),
            "transmitted_at": datetime_(True),
            "follow_up": obj(
                {
                    "status": string(enum=["pending", "answered"]),
                    "due_on": string(format="date"),
                    "answered_at": datetime_(True),
                    "retained_html": string(),
                    "not_retained_html": string(),
                },
                nullable=True,
            ),
        }
    ),
    "Consultation": obj(
        {
            "id": integer(),
            "slug": string(),
            "title": string(),
            "published": boolean(),
            "phase": string(
                enum=["upcoming", "information", "contributions", "synthesis", "feedback"]
            ),
            "information_starts_at": datetime_(),
            "contributions_start_at": datetime_(),
            "contributions_end_at": datetime_(),
            "synthesis_starts_at": datetime_(),
            "feedback_starts_at": datetime_(),
            "themes": array(string()),
            "communes": array(string()),
            "proposals": integer(),
        }
    ),
    "Proposal": obj(
        {
            "id": integer(),
            "consultation_id": integer(),
            "title": string(),
            "text": string(),
            "theme": string(True),
            "commune": string(True),
            "author": string(True, description="Shown only when the author chose to sign."),
            "created_at": datetime_(),
            "supports": integer(),
            "comments": integer(),
            "feedback_status": string(True),
            "feedback": string(),
        }
    ),
    "AmiCall": obj(
        {
            "id": integer(),
            "year": integer(),
            "title": string(),
            "opens_at": datetime_(),
            "closes_at": datetime_(),
            "published": boolean(),
            "budget_envelope": number(True),
            "themes": array(string()),
            "funded_projects": integer(),
            "granted_total": number(True),
        }
    ),
    "FundedProject": obj(
        {
            "call_id": integer(),
            "year": integer(),
            "number": string(True),
            "title": string(),
            "association": string(),
            "partners": array(string()),
            "theme": string(True),
            "granted": number(True),
            "co_funded": number(True),
            "co_funder": string(True),
        }
    ),
    "DecisionSummary": obj(
        {
            "body": string(),
            "decided_on": string(format="date"),
            "number": string(),
            "result": string(enum=["adopted", "rejected", "deferred"]),
        },
        nullable=True,
    ),
    "TimelineEntry": {
        "type": ["object", "null"],
        "properties": {
            "kind": string(),
            "id": integer(),
            "kind_label": string(),
            "title": string(),
            "starts_at": datetime_(True),
            "ends_at": datetime_(True),
            "is_open": boolean(),
            "summary": string(),
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "public_url": string(True),
            "url": string(True, description="Admins' tokens only."),
        },
        "required": ["kind", "id", "title", "is_open", "summary", "counts"],
    },
    "TimelineItem": {
        "type": "object",
        "properties": {
            "type": string(enum=["consultation", "stage", "deliberation"]),
            "at": string(True, description="Date-time, or date for a deliberation."),
            "entry": ref("TimelineEntry"),
            "from_stage": string(True),
            "to_stage": string(True),
            "reason": string(),
            "override_reason": string(),
            "moved_by": string(True, description="Admins' tokens only."),
            "decision": ref("DecisionSummary"),
            "extra": {"type": "object"},
        },
        "required": ["type", "at", "entry", "decision"],
    },
    "Dossier": obj(DOSSIER),
    "DossierWithTimeline": obj({**DOSSIER, "timeline": array(ref("TimelineItem"))}),
    "Meta": obj(
        {
            "page": integer(True, description="Null on a page reached by cursor."),
            "per_page": integer(),
            "total": integer(),
            "pages": integer(),
        }
    ),
    "Links": obj(
        {
            "self": string(format="uri"),
            "first": string(format="uri"),
            "last": string(format="uri"),
            "next": string(True, format="uri"),
            "prev": string(True, format="uri"),
        }
    ),
    "Error": obj(
        {
            "error": {
                "type": "object",
                "properties": {"code": string(), "message": string(), "parameter": string()},
                "required": ["code", "message"],
            }
        }
    ),
}


def list_of(name: str) -> Schema:
    return obj({"data": array(ref(name)), "meta": ref("Meta"), "links": ref("Links")})


def one(name: str) -> Schema:
    return obj({"data": ref(name)})
