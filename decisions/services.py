"""The decision path's business actions. They flush, never commit, and write audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app import consultation_kinds
from app.audit.services import record
from app.db import db, utcnow
from app.uploads.models import StoredFile
from app.users.models import Membership, Role, User
from decisions import queries, rules
from decisions.models import (
    DecisionStage,
    Deliberation,
    DeliberationResult,
    Dossier,
    DossierDocument,
    DossierLink,
    StageMove,
)


class DecisionError(Exception):
    """A refused action; `code` says why (see decisions.messages)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class DossierData:
    title: str
    #: sanitised HTML
    summary: str
    lead_user_id: int | None
    lead_name: str
    commission: str
    public: bool


@dataclass
class DeliberationData:
    body_name: str
    decided_on: date
    number: str
    result: DeliberationResult
    #: sanitised HTML
    text: str


def vice_presidents(organisation) -> list[User]:
    """The members who may lead a dossier: the organisation's vice-presidents."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                User.organisation_id == organisation.id,
                Membership.role == Role.VICE_PRESIDENT,
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.display_name)
        )
    )


def _clean(text: str | None) -> str:
    """Text without the control characters no database nor XML feed accepts (NUL...)."""
    return rules.xml_safe(text or "").strip()


def _apply(organisation, dossier: Dossier, data: DossierData) -> None:
    if data.lead_user_id is not None and data.lead_user_id not in {
        u.id for u in vice_presidents(organisation)
    }:
        raise DecisionError("lead")
    dossier.title = _clean(data.title)
    dossier.summary = _clean(data.summary)
    dossier.lead_user_id = data.lead_user_id
    dossier.lead_name = "" if data.lead_user_id else _clean(data.lead_name)
    dossier.commission = _clean(data.commission)
    dossier.public = data.public


def create_dossier(
    actor, organisation, data: DossierData, files: list[StoredFile], now: datetime | None = None
) -> Dossier:
    now = now or utcnow()
    dossier = Dossier(organisation_id=organisation.id, created_by_id=actor.id, created_at=now)
    _apply(organisation, dossier, data)
    dossier.documents = [DossierDocument(file=f) for f in files]
    dossier.moves = [
        StageMove(
            to_stage=DecisionStage.IMPULSE, moved_at=now, moved_by_id=getattr(actor, "id", None)
        )
    ]
    db.session.add(dossier)
    db.session.flush()
    record(actor, organisation, "decisions.dossier_create", dossier)
    return dossier


def update_dossier(actor, organisation, dossier: Dossier, data: DossierData, files) -> Dossier:
    _apply(organisation, dossier, data)
    dossier.documents.extend(DossierDocument(file=f) for f in files)
    db.session.flush()
    record(actor, organisation, "decisions.dossier_update", dossier)
    return dossier


def remove_document(actor, organisation, dossier: Dossier, document: DossierDocument) -> None:
    dossier.documents.remove(document)
    db.session.flush()
    record(
        actor,
        organisation,
        "decisions.document_remove",
        dossier,
        {"file": document.file.original_name},
    )


def _check_open(dossier: Dossier, override_reason: str) -> str:
    """Refuse while attached consultations are open and no reason is given; return the
    override reason worth keeping (none when nothing was open)."""
    still_open = queries.open_consultations(dossier)
    if not rules.may_reach_decision(still_open, override_reason):
        raise DecisionError("open", titles=", ".join(e.title for e in still_open))
    return override_reason if still_open else ""


def move_stage(
    actor,
    organisation,
    dossier: Dossier,
    target: DecisionStage,
    reason: str = "",
    override_reason: str = "",
    now: datetime | None = None,
) -> StageMove:
    """Move the dossier to `target`; the decision stage waits for open consultations unless
    an override reason is given."""
    if target not in rules.allowed_targets(dossier.stage, dossier.closed_at is not None):
        raise DecisionError("stage")
    reason, override_reason = _clean(reason), _clean(override_reason)
    if rules.reason_required(dossier.stage, target) and not reason:
        raise DecisionError("reason")
    if target is DecisionStage.DECISION:
        override_reason = _check_open(dossier, override_reason)
    else:
        override_reason = ""
    move = StageMove(
        from_stage=dossier.stage,
        to_stage=target,
        moved_at=now or utcnow(),
        moved_by_id=actor.id,
        reason=reason,
        override_reason=override_reason,
    )
    dossier.moves.append(move)
    dossier.stage = target
    db.session.flush()
    record(
        actor,
        organisation,
        "decisions.stage_move",
        dossier,
        {"from": move.from_stage.value, "to": target.value, "override": override_reason},
    )
    return move


def attach(actor, organisation, dossier: Dossier, kind_key: str, item_id: int) -> DossierLink:
    kind = consultation_kinds.get(kind_key)
    if kind is None or item_id not in kind.entries(organisation, [item_id]):
        raise DecisionError("unknown_item")
    if any(link.kind == kind_key and link.item_id == item_id for link in dossier.links):
        raise DecisionError("already_attached")
    if dossier.closed_at is not None:
        raise DecisionError("closed")
    link = DossierLink(kind=kind_key, item_id=item_id, attached_by_id=actor.id)
    dossier.links.append(link)
    db.session.flush()
    record(actor, organisation, "decisions.attach", dossier, {"kind": kind_key, "id": item_id})
    return link


def detach(actor, organisation, dossier: Dossier, link: DossierLink) -> None:
    if dossier.closed_at is not None:
        raise DecisionError("closed")
    dossier.links.remove(link)
    db.session.flush()
    record(
        actor, organisation, "decisions.detach", dossier, {"kind": link.kind, "id": link.item_id}
    )


def record_deliberation(
    actor,
    organisation,
    dossier: Dossier,
    data: DeliberationData,
    file: StoredFile | None,
    override_reason: str = "",
    now: datetime | None = None,
) -> Deliberation:
    """The final deliberation closes the dossier (and moves it to the decision stage)."""
    now = now or utcnow()
    if not rules.may_record_deliberation(dossier.stage, dossier.closed_at is not None):
        raise DecisionError("deliberation_stage")
    override_reason = _check_open(dossier, _clean(override_reason))
    if not (data.text or file):
        raise DecisionError("deliberation_content")
    if dossier.stage is not DecisionStage.DECISION:
        dossier.moves.append(
            StageMove(
                from_stage=dossier.stage,
                to_stage=DecisionStage.DECISION,
                moved_at=now,
                moved_by_id=actor.id,
                override_reason=override_reason,
            )
        )
        dossier.stage = DecisionStage.DECISION
    deliberation = Deliberation(
        body_name=_clean(data.body_name),
        decided_on=data.decided_on,
        number=_clean(data.number),
        result=data.result,
        text=_clean(data.text),
        file=file,
        override_reason=override_reason,
        recorded_at=now,
        recorded_by_id=actor.id,
    )
    dossier.deliberation = deliberation
    dossier.closed_at = now
    db.session.flush()
    record(
        actor,
        organisation,
        "decisions.deliberation",
        dossier,
        {"number": data.number, "result": data.result.value, "override": override_reason},
    )
    return deliberation
