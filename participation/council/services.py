"""The business actions of the conseil de développement. They flush, never commit; audit
entries and e-mails are written in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.audit.services import record
from app.db import db
from app.mail.services import queue_email
from app.organisations.models import Organisation
from app.sanitize import clean_html
from app.users.models import Role, User
from app.voting import VoteChoice, VoteResult, count_votes
from app.web.urls import external_url
from participation.council import queries, rules
from participation.council.models import (
    Contribution,
    ContributionAuthor,
    ContributionStatus,
    ContributionVersion,
    ContributionVote,
    CouncilFunction,
    CouncilOffice,
    FollowUp,
    FollowUpStatus,
    Referral,
    ReferralDocument,
    ReferralKind,
)


class CouncilError(Exception):
    """A refused action; `code` names the reason (see messages in routes)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _org(obj) -> Organisation:
    return db.session.get(Organisation, obj.organisation_id)


def _notify(people: Iterable[User], template: str, org: Organisation, **context) -> int:
    sent = 0
    for person in people:
        queue_email(
            person.email,
            f"participation/{template}",
            organisation=org,
            locale=person.locale,
            person=person,
            **context,
        )
        sent += 1
    return sent


def _is_member(user: User, org_id: int) -> bool:
    return user.organisation_id == org_id and user.has_role(Role.DEVELOPMENT_COUNCIL_MEMBER)


# --- the president and the bureau -----------------------------------------------------------


def set_offices(
    actor: User, org: Organisation, president: User | None, bureau: Iterable[User]
) -> None:
    """Designate the president and the bureau among the council's members."""
    bureau = [u for u in bureau if president is None or u.id != president.id]
    for person in [president, *bureau]:
        if person is not None and not _is_member(person, org.id):
            raise CouncilError("not_a_member", name=person.display_name)
    wanted = {u.id: CouncilFunction.BUREAU for u in bureau}
    if president is not None:
        wanted[president.id] = CouncilFunction.PRESIDENT
    for office in queries.offices_of(org):
        if office.user_id not in wanted:
            db.session.delete(office)
        else:
            office.function = wanted.pop(office.user_id)
    for user_id, function in wanted.items():
        db.session.add(CouncilOffice(organisation_id=org.id, user_id=user_id, function=function))
    db.session.flush()
    record(
        actor,
        org,
        "council.offices_set",
        None,
        {"president": getattr(president, "display_name", None), "bureau": len(bureau)},
    )


# --- referrals ------------------------------------------------------------------------------


@dataclass
class ReferralData:
    title: str
    #: HTML, sanitised here
    description: str
    #: UTC, from a day and time typed in Paris time
    deadline: datetime | None


def create_referral(
    actor: User,
    org: Organisation,
    kind: ReferralKind,
    data: ReferralData,
    files: Iterable = (),
) -> Referral:
    """The EPCI refers a subject to the council, or the council takes one up (auto-saisine).

    The members are told by e-mail; the EPCI's agents too for an auto-saisine."""
    referral = Referral(
        organisation_id=org.id,
        kind=kind,
        title=data.title.strip(),
        description=clean_html(data.description),
        deadline=data.deadline,
        created_by_id=actor.id,
    )
    db.session.add(referral)
    db.session.flush()
    for stored in files:
        add_document(actor, referral, stored)
    record(actor, org, f"council.{kind.value}_create", referral)
    link = external_url(org, "council.referral", referral_id=referral.id)
    people = queries.members_of(org)
    if kind is ReferralKind.OWN_INITIATIVE:
        admins = [a for a in queries.admins_of(org.id) if a.id not in {p.id for p in people}]
        people += admins
    _notify(
        [p for p in people if p.id != actor.id],
        f"council_{kind.value}",
        org,
        referral=referral,
        actor=actor,
        link=link,
    )
    return referral


def update_referral(actor: User, referral: Referral, data: ReferralData, files=()) -> None:
    referral.title = data.title.strip()
    referral.description = clean_html(data.description)
    referral.deadline = data.deadline
    for stored in files:
        add_document(actor, referral, stored)
    db.session.flush()
    record(actor, _org(referral), "council.referral_update", referral)


def add_document(actor: User, referral: Referral, stored) -> ReferralDocument:
    document = ReferralDocument(referral=referral, file_id=stored.id, file=stored)
    db.session.add(document)
    db.session.flush()
    return document


# --- writing contributions ------------------------------------------------------------------


def start_contribution(
    actor: User,
    org: Organisation,
    title: str,
    body: str,
    referral: Referral | None = None,
    note: str = "",
) -> Contribution:
    """A member starts a contribution, on a referral or freely; they are its first author."""
    if not _is_member(actor, org.id):
        raise CouncilError("not_a_member", name=actor.display_name)
    if referral is not None and referral.organisation_id != org.id:
        raise CouncilError("other_organisation")
    contribution = Contribution(
        organisation_id=org.id,
        referral=referral,
        title=title.strip(),
        body=clean_html(body),
        created_by_id=actor.id,
    )
    contribution.authors.append(ContributionAuthor(user_id=actor.id, user=actor))
    db.session.add(contribution)
    db.session.flush()
    _add_version(contribution, actor, note)
    record(actor, org, "council.contribution_create", contribution)
    return contribution


def _add_version(contribution: Contribution, actor: User, note: str) -> ContributionVersion:
    number = max((v.number for v in contribution.versions), default=0) + 1
    version = ContributionVersion(
        contribution=contribution,
        number=number,
        title=contribution.title,
        body=contribution.body,
        note=(note or "").strip()[:500],
        author_id=actor.id,
        author=actor,
    )
    db.session.add(version)
    db.session.flush()
    return version


def add_author(actor: User, contribution: Contribution, user: User) -> ContributionAuthor:
    """A co-author invites another member to write with them."""
    if contribution.status is not ContributionStatus.DRAFT:
        raise CouncilError("not_draft")
    if not _is_member(user, contribution.organisation_id):
        raise CouncilError("not_a_member", name=user.display_name)
    if any(a.user_id == user.id for a in contribution.authors):
        raise CouncilError("already_author", name=user.display_name)
    author = ContributionAuthor(user_id=user.id, user=user)
    contribution.authors.append(author)
    db.session.flush()
    org = _org(contribution)
    record(actor, org, "council.coauthor_add", contribution, {"author": user.display_name})
    link = external_url(org, "council.contribution", contribution_id=contribution.id)
    _notify([user], "council_coauthor", org, contribution=contribution, actor=actor, link=link)
    return author


def save_text(
    actor: User,
    contribution: Contribution,
    title: str,
    body: str,
    note: str,
    expected_version: int | None,
) -> ContributionVersion:
    """A co-author saves the text: a new version, unless someone saved since they opened it."""
    if contribution.status is not ContributionStatus.DRAFT:
        raise CouncilError("not_draft")
    if not any(a.user_id == actor.id for a in contribution.authors):
        raise CouncilError("not_author")
    if expected_version is not None and contribution.lock_version != expected_version:
        latest = contribution.versions[-1] if contribution.versions else None
        raise CouncilError(
            "edited_meanwhile", by=getattr(getattr(latest, "author", None), "display_name", "")
        )
    title, body = title.strip(), clean_html(body)
    if title == contribution.title and body == contribution.body:
        raise CouncilError("unchanged")
    contribution.title, contribution.body = title, body
    db.session.flush()
    version = _add_version(contribution, actor, note)
    record(
        actor,
        _org(contribution),
        "council.contribution_save",
        contribution,
        {"version": version.number},
    )
    return version


# --- adoption -------------------------------------------------------------------------------


def open_vote(actor: User, contribution: Contribution, now: datetime) -> None:
    """The president, the bureau or an agent puts the contribution to the members' vote."""
    if contribution.status is not ContributionStatus.DRAFT:
        raise CouncilError("not_draft")
    if not rules.html_lines(contribution.body):
        raise CouncilError("empty_text")
    contribution.status = ContributionStatus.VOTING
    contribution.vote_opened_at = now
    db.session.flush()
    org = _org(contribution)
    record(actor, org, "council.vote_open", contribution)
    link = external_url(org, "council.contribution", contribution_id=contribution.id)
    _notify(
        queries.members_of(org), "council_vote_opened", org, contribution=contribution, link=link
    )


def cast_vote(
    actor: User, contribution: Contribution, choice: VoteChoice, now: datetime
) -> ContributionVote:
    """A member votes once: for, against, abstention or does not take part."""
    if contribution.status is not ContributionStatus.VOTING:
        raise CouncilError("vote_not_open")
    if not _is_member(actor, contribution.organisation_id):
        raise CouncilError("no_voice")
    if queries.vote_of(contribution, actor) is not None:
        raise CouncilError("already_voted")
    vote = ContributionVote(
        contribution=contribution, user_id=actor.id, user=actor, choice=choice, created_at=now
    )
    db.session.add(vote)
    db.session.flush()
    return vote


def result_of(contribution: Contribution) -> VoteResult:
    """One voice per member; a vote cast by someone who has left the council still counts."""
    votes = queries.votes_of(contribution)
    weights = {m.id: 1 for m in queries.members_of(_org(contribution))}
    weights.update({v.user_id: 1 for v in votes})
    return count_votes([(v.user_id, v.choice) for v in votes], weights)


def close_vote(actor: User, contribution: Contribution, now: datetime) -> VoteResult:
    """Count the votes: adopted with more votes for than against, rejected otherwise."""
    if contribution.status is not ContributionStatus.VOTING:
        raise CouncilError("vote_not_open")
    result = result_of(contribution)
    contribution.votes_for = result.counts[VoteChoice.FOR]
    contribution.votes_against = result.counts[VoteChoice.AGAINST]
    contribution.votes_abstain = result.counts[VoteChoice.ABSTAIN]
    contribution.status = (
        ContributionStatus.ADOPTED if result.adopted else ContributionStatus.REJECTED
    )
    contribution.vote_closed_at = now
    db.session.flush()
    record(
        actor,
        _org(contribution),
        "council.vote_close",
        contribution,
        {"adopted": result.adopted, **{str(c): n for c, n in result.counts.items()}},
    )
    return result


# --- transmission and the EPCI's answer ------------------------------------------------------


def transmit(
    actor: User,
    contribution: Contribution,
    now: datetime,
    months: int = rules.DEFAULT_FOLLOW_UP_MONTHS,
) -> FollowUp:
    """The president or the bureau sends an adopted contribution to the EPCI, which owes an
    answer within `months` months."""
    if contribution.status is not ContributionStatus.ADOPTED:
        raise CouncilError("not_adopted")
    contribution.status = ContributionStatus.TRANSMITTED
    contribution.transmitted_at = now
    follow_up = FollowUp(contribution=contribution, due_on=rules.follow_up_due_on(now, months))
    db.session.add(follow_up)
    db.session.flush()
    org = _org(contribution)
    record(actor, org, "council.transmit", contribution, {"due_on": follow_up.due_on.isoformat()})
    link = external_url(org, "council.follow_up", contribution_id=contribution.id)
    _notify(
        queries.admins_of(org.id),
        "council_transmitted",
        org,
        contribution=contribution,
        follow_up=follow_up,
        link=link,
    )
    return follow_up


def answer_follow_up(
    actor: User, contribution: Contribution, retained: str, not_retained: str, now: datetime
) -> FollowUp:
    """The EPCI publishes what it retains of the contribution and what it does not, and why."""
    follow_up = contribution.follow_up
    if contribution.status is not ContributionStatus.TRANSMITTED or follow_up is None:
        raise CouncilError("not_transmitted")
    retained, not_retained = clean_html(retained), clean_html(not_retained)
    if not (rules.html_lines(retained) or rules.html_lines(not_retained)):
        raise CouncilError("answer_empty")
    first = follow_up.status is FollowUpStatus.PENDING
    follow_up.retained, follow_up.not_retained = retained, not_retained
    follow_up.status = FollowUpStatus.ANSWERED
    follow_up.answered_at = follow_up.answered_at or now
    follow_up.answered_by_id = actor.id
    db.session.flush()
    org = _org(contribution)
    record(
        actor,
        org,
        "council.follow_up_answer" if first else "council.follow_up_update",
        contribution,
    )
    if first:
        link = external_url(org, "council.public_contribution", contribution_id=contribution.id)
        _notify(
            queries.members_of(org),
            "council_follow_up",
            org,
            contribution=contribution,
            follow_up=follow_up,
            link=link,
        )
    return follow_up
