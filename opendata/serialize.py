"""Public data as plain JSON-ready dicts: what each resource says, and nothing personal.

Names of people never appear, except a proposal's author when they chose to show it on the
public page (`show_name`), as that page does.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ami.models import AmiCall, Application
from app.organisations.models import Commune, Organisation
from consultations.bodies.models import AgendaItem, Meeting
from consultations.saisines import rules as saisine_rules
from consultations.saisines.models import Saisine
from participation.citizen import rules as citizen_rules
from participation.citizen.models import Proposal, PublicConsultation

VOTE_CHOICES = ("for", "against", "abstain", "not_voting")
OPINIONS = ("favorable", "favorable_with_reservations", "unfavorable", "abstention", "none")


def when(value: datetime | None) -> str | None:
    """UTC date and time, ISO 8601 with its offset."""
    return value.isoformat() if value is not None else None


def euro_amount(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def euros(cents: int | None) -> float | None:
    return None if cents is None else float(Decimal(cents) / 100)


def organisation(org: Organisation, communes: int) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "siren": org.siren,
        "type": str(org.type),
        "slug": org.slug,
        "communes": communes,
    }


def commune(c: Commune) -> dict:
    return {
        "insee_code": c.insee_code,
        "name": c.name,
        "siren": c.siren,
        "departement": c.departement,
        "population": c.population,
        "postal_codes": c.postal_code_list,
        "sector": c.sector.name if c.sector else None,
        "has_qpv": c.has_qpv,
    }


def tally(result: saisine_rules.Tally | None) -> dict:
    result = result or saisine_rules.Tally()
    return {
        "targets": result.targets,
        "answered": result.answered,
        "population": result.population,
        "opinions": {
            opinion: {
                "communes": result.by_opinion.get(opinion, saisine_rules.OpinionCount()).communes,
                "population": result.by_opinion.get(
                    opinion, saisine_rules.OpinionCount()
                ).population,
            }
            for opinion in OPINIONS
        },
    }


def saisine(s: Saisine, result: saisine_rules.Tally | None, now: datetime) -> dict:
    return {
        "id": s.id,
        "reference": s.reference,
        "title": s.title,
        "kind": str(s.kind),
        "phase": str(saisine_rules.phase(s.status, s.opens_at, s.deadline, now)),
        "opens_at": when(s.opens_at),
        "deadline": when(s.deadline),
        "legal_basis": s.legal_basis,
        "results_published": s.results_published,
        "results": tally(result),
    }


def agenda_item(item: AgendaItem, counts: dict[str, int]) -> dict:
    voted = str(item.vote_status) == "closed" or bool(counts)
    return {
        "position": item.position,
        "title": item.title,
        "opinion": item.opinion_text,
        "vote_status": str(item.vote_status),
        "adopted": item.adopted,
        "votes": {choice: counts.get(choice, 0) for choice in VOTE_CHOICES} if voted else None,
    }


def meeting(m: Meeting, counts: dict[int, dict[str, int]]) -> dict:
    from opendata.queries import item_opinions

    return {
        "id": m.id,
        "body": {"id": m.body.id, "name": m.body.name, "kind": str(m.body.kind)},
        "title": m.title,
        "starts_at": when(m.starts_at),
        "minutes_published_at": when(m.minutes_published_at),
        "items": [agenda_item(item, counts.get(item.id, {})) for item in item_opinions(m)],
    }


def consultation(c: PublicConsultation, proposals: int, now: datetime) -> dict:
    return {
        "id": c.id,
        "slug": c.slug,
        "title": c.title,
        "published": c.published,
        "phase": str(citizen_rules.phase(c, now)),
        "information_starts_at": when(c.information_starts_at),
        "contributions_start_at": when(c.contributions_start_at),
        "contributions_end_at": when(c.contributions_end_at),
        "synthesis_starts_at": when(c.synthesis_starts_at),
        "feedback_starts_at": when(c.feedback_starts_at),
        "themes": [t.name for t in c.themes],
        "communes": sorted(x.insee_code for x in c.communes),
        "proposals": proposals,
    }


def proposal(p: Proposal, comments: int) -> dict:
    return {
        "id": p.id,
        "consultation_id": p.consultation_id,
        "title": p.title,
        "text": p.body_text,
        "theme": p.theme.name if p.theme else None,
        "commune": p.commune.insee_code if p.commune else None,
        "author": p.author.display_name if p.show_name and p.author else None,
        "created_at": when(p.created_at),
        "supports": p.support_count,
        "comments": comments,
        "feedback_status": p.feedback_status,
        "feedback": p.feedback,
    }


def call(c: AmiCall, totals: tuple[int, int] | None) -> dict:
    funded, granted = totals or (0, 0)
    return {
        "id": c.id,
        "year": c.year,
        "title": c.title,
        "opens_at": when(c.opens_at),
        "closes_at": when(c.closes_at),
        "published": c.published_at is not None,
        "budget_envelope": euros(c.budget_envelope_cents),
        "themes": [t.name for t in c.themes],
        "funded_projects": funded,
        "granted_total": euros(granted),
    }


def funded_project(a: Application) -> dict:
    decision = a.decision
    return {
        "call_id": a.call_id,
        "year": a.call.year,
        "number": a.number,
        "title": a.title,
        "association": a.association.name,
        "partners": [p.name for p in a.partners],
        "theme": a.theme.name if a.theme else None,
        "granted": euros(decision.granted_cents),
        "co_funded": euros(decision.co_funded_cents),
        "co_funder": decision.co_funder.name if decision.co_funder else None,
    }


def plain(value):
    """Dates and date-times as ISO 8601 strings, recursively (the decision path's data)."""
    from datetime import date

    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def dossier(summary: dict, timeline: list[dict] | None = None) -> dict:
    data = plain(summary)
    if timeline is not None:
        data["timeline"] = plain(timeline)
    return data


def council_contribution(c) -> dict:
    follow_up = c.follow_up
    return {
        "id": c.id,
        "title": c.title,
        "body_html": c.body,
        "referral": {"kind": str(c.referral.kind), "title": c.referral.title}
        if c.referral
        else None,
        "adopted_at": when(c.vote_closed_at),
        "votes": {"for": c.votes_for, "against": c.votes_against, "abstain": c.votes_abstain},
        "transmitted_at": when(c.transmitted_at),
        "follow_up": {
            "status": str(follow_up.status),
            "due_on": follow_up.due_on.isoformat(),
            "answered_at": when(follow_up.answered_at),
            "retained_html": follow_up.retained,
            "not_retained_html": follow_up.not_retained,
        }
        if follow_up
        else None,
    }
