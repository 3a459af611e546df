"""Calls and their reference lists: themes, QPVs, the call with its funding rules and grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select

from ami.messages import error_messages
from ami.models import (
    AmiCall,
    Application,
    ApplicationStatus,
    BonusKind,
    BonusRule,
    CoFunder,
    Criterion,
    Hearing,
    Qpv,
    Score,
    Theme,
    application_qpv,
    association_qpv,
    association_theme,
    call_theme,
)
from ami.services.common import AmiError
from app.audit.services import record
from app.db import db, utcnow
from app.i18n import _


@error_messages
def _messages(params: dict) -> dict[str, str]:
    return {
        "theme_in_use": _(
            "La thématique « %(name)s » est utilisée par un appel, une association ou une "
            "candidature : elle ne peut pas être supprimée. Vous pouvez la renommer.",
            name=params.get("name", ""),
        ),
        "theme_exists": _("Une thématique porte déjà ce nom."),
        "qpv_in_use": _(
            "Le QPV « %(name)s » est indiqué par une association ou une candidature : il ne peut "
            "pas être supprimé.",
            name=params.get("name", ""),
        ),
        "qpv_exists": _("Un QPV porte déjà ce nom."),
        "closing_before_opening": _("La clôture doit être postérieure à l'ouverture."),
        "co_funders_exceed": _(
            "La somme des parts des cofinanceurs dépasse l'enveloppe de l'appel."
        ),
        "bonus_not_above_base": _(
            "Le taux d'une bonification doit être supérieur au taux de base."
        ),
        "rules_locked": _(
            "La délibération du jury est ouverte : les règles de financement et la grille "
            "d'évaluation ne peuvent plus être modifiées."
        ),
        "criteria_scored": _(
            "Des membres du jury ont déjà noté des candidatures : la grille d'évaluation ne "
            "peut plus être modifiée."
        ),
        "already_published": _("L'appel est déjà publié."),
    }


# --- themes and QPVs --------------------------------------------------------------------------


def themes_of(org) -> list[Theme]:
    return list(
        db.session.scalars(
            select(Theme).where(Theme.organisation_id == org.id).order_by(Theme.position, Theme.id)
        )
    )


def qpvs_of(org) -> list[Qpv]:
    return list(
        db.session.scalars(select(Qpv).where(Qpv.organisation_id == org.id).order_by(Qpv.name))
    )


def _theme_name_taken(org, name: str, exclude_id: int | None = None) -> bool:
    query = select(Theme.id).where(
        Theme.organisation_id == org.id, func.lower(Theme.name) == name.lower()
    )
    if exclude_id is not None:
        query = query.where(Theme.id != exclude_id)
    return db.session.scalar(query) is not None


def add_theme(actor, org, name: str, position: int | None = None) -> Theme:
    name = name.strip()
    if _theme_name_taken(org, name):
        raise AmiError("theme_exists")
    if position is None:
        last = db.session.scalar(
            select(func.max(Theme.position)).where(Theme.organisation_id == org.id)
        )
        position = (last or 0) + 1
    theme = Theme(organisation_id=org.id, name=name, position=position)
    db.session.add(theme)
    db.session.flush()
    record(actor, org, "ami.theme.add", theme, {"name": name})
    return theme


def update_theme(actor, org, theme: Theme, name: str, position: int) -> None:
    name = name.strip()
    if _theme_name_taken(org, name, theme.id):
        raise AmiError("theme_exists")
    details = {"name": [theme.name, name], "position": [theme.position, position]}
    theme.name, theme.position = name, position
    db.session.flush()
    record(actor, org, "ami.theme.update", theme, details)


def theme_in_use(theme: Theme) -> bool:
    checks = (
        exists().where(call_theme.c.theme_id == theme.id),
        exists().where(association_theme.c.theme_id == theme.id),
        exists().where(Application.theme_id == theme.id),
        exists().where(BonusRule.theme_id == theme.id),
        exists().where(Hearing.theme_id == theme.id),
    )
    return bool(db.session.scalar(select(or_(*checks))))


def remove_theme(actor, org, theme: Theme) -> None:
    if theme_in_use(theme):
        raise AmiError("theme_in_use", name=theme.name)
    record(actor, org, "ami.theme.remove", theme, {"name": theme.name})
    db.session.delete(theme)
    db.session.flush()


def _qpv_name_taken(org, name: str, exclude_id: int | None = None) -> bool:
    query = select(Qpv.id).where(
        Qpv.organisation_id == org.id, func.lower(Qpv.name) == name.lower()
    )
    if exclude_id is not None:
        query = query.where(Qpv.id != exclude_id)
    return db.session.scalar(query) is not None


def add_qpv(actor, org, name: str, code: str | None, commune) -> Qpv:
    name = name.strip()
    if _qpv_name_taken(org, name):
        raise AmiError("qpv_exists")
    qpv = Qpv(
        organisation_id=org.id,
        name=name,
        code=(code or "").strip().upper() or None,
        commune_id=getattr(commune, "id", None),
    )
    db.session.add(qpv)
    db.session.flush()
    record(actor, org, "ami.qpv.add", qpv, {"name": name, "code": qpv.code})
    return qpv


def update_qpv(actor, org, qpv: Qpv, name: str, code: str | None, commune) -> None:
    name = name.strip()
    if _qpv_name_taken(org, name, qpv.id):
        raise AmiError("qpv_exists")
    details = {"name": [qpv.name, name], "code": [qpv.code, (code or "").strip().upper() or None]}
    qpv.name = name
    qpv.code = (code or "").strip().upper() or None
    qpv.commune_id = getattr(commune, "id", None)
    qpv.commune = commune
    db.session.flush()
    record(actor, org, "ami.qpv.update", qpv, details)


def qpv_in_use(qpv: Qpv) -> bool:
    checks = (
        exists().where(association_qpv.c.qpv_id == qpv.id),
        exists().where(application_qpv.c.qpv_id == qpv.id),
    )
    return bool(db.session.scalar(select(or_(*checks))))


def remove_qpv(actor, org, qpv: Qpv) -> None:
    if qpv_in_use(qpv):
        raise AmiError("qpv_in_use", name=qpv.name)
    record(actor, org, "ami.qpv.remove", qpv, {"name": qpv.name})
    db.session.delete(qpv)
    db.session.flush()


# --- calls --------------------------------------------------------------------------------------


@dataclass
class CallData:
    """What the admin types for a call. Rows of co-funders, bonus rules and criteria are dicts
    with an `id` (None for a new row) and their fields; amounts in cents, rates in percent."""

    year: int
    title: str
    specification: str
    opens_at: datetime
    closes_at: datetime
    budget_envelope_cents: int
    base_rate: int
    ceiling_cents: int
    blank_page_enabled: bool
    blank_page_ceiling_cents: int
    themes: list = field(default_factory=list)
    co_funders: list[dict] = field(default_factory=list)
    bonus_rules: list[dict] = field(default_factory=list)
    criteria: list[dict] = field(default_factory=list)
    specification_file: object | None = None
    remove_specification_file: bool = False


RULE_FIELDS = ("base_rate", "ceiling_cents", "blank_page_enabled", "blank_page_ceiling_cents")
BONUS_FIELDS = ("kind", "label", "rate", "threshold", "theme_id")
CRITERION_FIELDS = ("label", "description", "weight", "position")


def check_call_data(data: CallData) -> None:
    if data.closes_at <= data.opens_at:
        raise AmiError("closing_before_opening")
    if sum(row["amount_cents"] for row in data.co_funders) > data.budget_envelope_cents:
        raise AmiError("co_funders_exceed")
    if any(row["rate"] <= data.base_rate for row in data.bonus_rules):
        raise AmiError("bonus_not_above_base")


def has_submitted_application(call: AmiCall) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Application.call_id == call.id,
                    Application.status != ApplicationStatus.DRAFT,
                )
            )
        )
    )


def rules_locked(call: AmiCall) -> bool:
    """Funding rules and criteria stay editable until the jury's deliberation opens."""
    return call.deliberation_opened_at is not None and has_submitted_application(call)


def criteria_scored(call: AmiCall) -> bool:
    if call.id is None:
        return False
    return bool(
        db.session.scalar(
            select(exists().where(Score.criterion_id == Criterion.id, Criterion.call_id == call.id))
        )
    )


def _rows_of(items, fields) -> list[tuple]:
    return [tuple(getattr(item, name) for name in fields) for item in items]


def _data_rows(rows, fields) -> list[tuple]:
    return [tuple(row.get(name) for name in fields) for row in rows]


def _sync(existing: list, rows: list[dict], make, fields) -> list:
    """Update the rows kept (matched by id), create the new ones; the rest are dropped."""
    by_id = {item.id: item for item in existing}
    result = []
    for row in rows:
        item = by_id.pop(row.get("id"), None) if row.get("id") is not None else None
        if item is None:
            item = make()
        for name in fields:
            setattr(item, name, row[name])
        result.append(item)
    return result


def _criteria_rows(rows: list[dict]) -> list[dict]:
    ordered = sorted(enumerate(rows), key=lambda pair: (pair[1].get("position") or 0, pair[0]))
    return [
        dict(row, position=index, description=row.get("description") or "")
        for index, (_i, row) in enumerate(ordered)
    ]


def _apply(call: AmiCall, data: CallData, actor) -> dict:
    """Copy `data` onto `call`; refuse rule or grid changes when they are locked."""
    data.criteria = _criteria_rows(data.criteria)
    for row in data.bonus_rules:
        row["kind"] = BonusKind(row["kind"])
        if row["kind"] is not BonusKind.THEME:
            row["theme_id"] = None
        row.setdefault("threshold", 0)
    rules_changed = [getattr(call, f) for f in RULE_FIELDS] != [
        getattr(data, f) for f in RULE_FIELDS
    ] or _rows_of(call.bonus_rules, BONUS_FIELDS) != _data_rows(data.bonus_rules, BONUS_FIELDS)
    criteria_changed = _rows_of(call.criteria, CRITERION_FIELDS) != _data_rows(
        data.criteria, CRITERION_FIELDS
    )
    if call.id is not None and (rules_changed or criteria_changed) and rules_locked(call):
        raise AmiError("rules_locked")
    if criteria_changed and criteria_scored(call):
        raise AmiError("criteria_scored")
    for name in ("year", "title", "specification", "opens_at", "closes_at") + RULE_FIELDS:
        setattr(call, name, getattr(data, name))
    call.budget_envelope_cents = data.budget_envelope_cents
    call.themes = list(data.themes)
    call.co_funders = _sync(call.co_funders, data.co_funders, CoFunder, ("name", "amount_cents"))
    call.bonus_rules = _sync(call.bonus_rules, data.bonus_rules, BonusRule, BONUS_FIELDS)
    call.criteria = _sync(call.criteria, data.criteria, Criterion, CRITERION_FIELDS)
    if data.specification_file is not None:
        call.specification_file = data.specification_file
    elif data.remove_specification_file:
        call.specification_file = None
    return {
        "year": data.year,
        "title": data.title,
        "rules_changed": rules_changed,
        "criteria_changed": criteria_changed,
    }


def create_call(actor, org, data: CallData) -> AmiCall:
    check_call_data(data)
    call = AmiCall(organisation_id=org.id, created_by_id=getattr(actor, "id", None))
    details = _apply(call, data, actor)
    db.session.add(call)
    db.session.flush()
    record(actor, org, "ami.call.create", call, details)
    return call


def update_call(actor, call: AmiCall, data: CallData) -> None:
    check_call_data(data)
    details = _apply(call, data, actor)
    db.session.flush()
    record(actor, call_org(call), "ami.call.update", call, details)


def publish_call(actor, call: AmiCall, now: datetime | None = None) -> None:
    if call.published_at is not None:
        raise AmiError("already_published")
    call.published_at = now or utcnow()
    db.session.flush()
    record(actor, call_org(call), "ami.call.publish", call)


def call_org(call: AmiCall):
    from app.organisations.models import Organisation

    return db.session.get(Organisation, call.organisation_id)


def application_counts(call_ids) -> dict[int, dict[str, int]]:
    """{call_id: {status: count}} in one grouped query."""
    counts: dict[int, dict[str, int]] = {}
    ids = list(call_ids)
    if not ids:
        return counts
    rows = db.session.execute(
        select(Application.call_id, Application.status, func.count())
        .where(Application.call_id.in_(ids))
        .group_by(Application.call_id, Application.status)
    )
    for call_id, status, n in rows:
        counts.setdefault(call_id, {})[str(status)] = n
    return counts


def published_calls(org) -> list[AmiCall]:
    return list(
        db.session.scalars(
            select(AmiCall)
            .where(AmiCall.organisation_id == org.id, AmiCall.published_at.is_not(None))
            .order_by(AmiCall.closes_at.desc(), AmiCall.id.desc())
        )
    )


def is_open(call: AmiCall, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return call.published_at is not None and call.opens_at <= now < call.closes_at
