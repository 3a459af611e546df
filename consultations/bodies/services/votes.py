"""Formal opinions: votes on agenda items, live in the platform or from a paper record."""

from __future__ import annotations

from datetime import datetime

from app.audit.services import record
from app.db import db
from app.users.models import User
from consultations.bodies import rules
from consultations.bodies.models import (
    AgendaItem,
    BodyMember,
    MeetingStatus,
    Vote,
    VoteChoice,
    VoteStatus,
)
from consultations.bodies.services.common import BodyError, body_org, current_members
from consultations.bodies.services.meetings import attendance_of, proxies_of, quorum_state


def open_vote(actor: User, item: AgendaItem) -> None:
    meeting = item.meeting
    if meeting.status is not MeetingStatus.CONVENED:
        raise BodyError("not_convened")
    if item.vote_status is not VoteStatus.PENDING:
        raise BodyError("no_vote_planned")
    quorum = quorum_state(meeting)
    if quorum.applies and not quorum.met:
        raise BodyError("quorum_not_met", counted=quorum.counted, required=quorum.required)
    item.vote_status = VoteStatus.OPEN
    record(actor, body_org(meeting.body), "meeting.vote_open", meeting, {"item": item.title})


def voices_of(user: User, item: AgendaItem) -> list[tuple[BodyMember, bool]]:
    """The voices `user` may cast on this item: their own if present, and those of members
    who gave them a proxy and are absent. (member, by proxy)"""
    meeting = item.meeting
    members = {m.id: m for m in current_members(meeting.body)}
    own = next((m for m in members.values() if m.user_id == user.id), None)
    if own is None:
        return []
    present = {m for m, a in attendance_of(meeting).items() if a.present}
    voices = []
    if own.id in present:
        voices.append((own, False))
    for proxy in proxies_of(meeting):
        if (
            proxy.holder_id == own.id
            and proxy.giver_id not in present
            and proxy.giver_id in members
        ):
            if own.id in present:
                voices.append((members[proxy.giver_id], True))
    return voices


def cast_vote(
    user: User, item: AgendaItem, member: BodyMember, choice: VoteChoice, now: datetime
) -> Vote:
    """A present member votes, for themselves or for the member whose proxy they hold."""
    if item.vote_status is not VoteStatus.OPEN:
        raise BodyError("vote_not_open")
    allowed = {m.id: by_proxy for m, by_proxy in voices_of(user, item)}
    if member.id not in allowed:
        raise BodyError("no_voice")
    existing = next((v for v in item.votes if v.member_id == member.id), None)
    if existing is not None:
        raise BodyError("already_voted")
    vote = Vote(
        item=item,
        member_id=member.id,
        member=member,
        choice=choice,
        cast_by_id=user.id,
        by_proxy=allowed[member.id],
        created_at=now,
    )
    db.session.add(vote)
    db.session.flush()
    return vote


def enter_paper_votes(
    actor: User, item: AgendaItem, choices: dict[int, VoteChoice], now: datetime
) -> int:
    """The secretary enters the votes of a paper record (during or after the meeting)."""
    if item.vote_status not in (VoteStatus.OPEN, VoteStatus.PENDING):
        raise BodyError("vote_closed")
    meeting = item.meeting
    if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.HELD):
        raise BodyError("not_convened")
    if item.vote_status is VoteStatus.PENDING:
        # entering paper votes opens the vote: the same quorum as open_vote
        quorum = quorum_state(meeting)
        if quorum.applies and not quorum.met:
            raise BodyError("quorum_not_met", counted=quorum.counted, required=quorum.required)
    members = {m.id: m for m in current_members(meeting.body)}
    existing = {v.member_id: v for v in item.votes}
    entered = 0
    for member_id, choice in choices.items():
        if member_id not in members:
            raise BodyError("no_voice")
        vote = existing.get(member_id)
        if vote is None:
            vote = Vote(item=item, member_id=member_id, member=members[member_id])
            db.session.add(vote)
        vote.choice, vote.cast_by_id, vote.from_paper, vote.created_at = choice, actor.id, True, now
        entered += 1
    if item.vote_status is VoteStatus.PENDING:
        item.vote_status = VoteStatus.OPEN
    db.session.flush()
    record(
        actor,
        body_org(meeting.body),
        "meeting.vote_paper",
        meeting,
        {"item": item.title, "votes": entered},
    )
    return entered


def result_of(item: AgendaItem) -> rules.VoteResult:
    weights = {m.id: m.weight for m in current_members(item.meeting.body)}
    for vote in item.votes:
        weights.setdefault(vote.member_id, vote.member.weight)
    return rules.count_votes([(v.member_id, v.choice) for v in item.votes], weights)


def close_vote(actor: User, item: AgendaItem, now: datetime) -> rules.VoteResult:
    if item.vote_status is not VoteStatus.OPEN:
        raise BodyError("vote_not_open")
    result = result_of(item)
    item.vote_status = VoteStatus.CLOSED
    item.adopted = result.adopted
    item.vote_closed_at = now
    record(
        actor,
        body_org(item.meeting.body),
        "meeting.vote_close",
        item.meeting,
        {
            "item": item.title,
            "adopted": result.adopted,
            **{str(choice): count for choice, count in result.counts.items()},
        },
    )
    return result
