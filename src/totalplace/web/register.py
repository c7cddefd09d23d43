"""The trade-off register: proposals, comments, each organisation's position (its history kept)
and the board's decision, over the app-state tables; every change audited.

Who may do what (the routes ask these functions, which refuse with :class:`NotAllowed`):
analysts and board members propose and comment; a partner organisation's position is
recorded by one of its analysts or board members; only a board member or an
administrator records the board's decision, once, which closes the proposal. The public
sees only decided proposals (:func:`decisions`): the outcome and reason, no comments or
positions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from totalplace.errors import UsageError
from totalplace.web.people import audit
from totalplace.web.state.models import (
    POSITIONS,
    Comment,
    Decision,
    Organisation,
    Person,
    Position,
    Proposal,
)

__all__ = [
    "LIMITS",
    "OUTCOMES",
    "Closed",
    "DecisionRecord",
    "NotAllowed",
    "NotFound",
    "ProposalDetail",
    "ProposalSummary",
    "comment",
    "decide",
    "decisions",
    "may_decide",
    "may_propose",
    "may_record_position",
    "problems",
    "proposal",
    "proposals",
    "propose",
    "record_position",
]

#: The longest each field may be (characters); the forms and the API models use the same.
LIMITS = {
    "title": 200,
    "summary": 5000,
    "who_pays": 2000,
    "who_benefits": 2000,
    "scenario": 200,
    "text": 5000,
    "reason": 2000,
}
LABELS = {
    "title": "Title",
    "summary": "What changes",
    "who_pays": "Who pays",
    "who_benefits": "Who benefits",
    "scenario": "Scenario",
    "text": "Comment",
    "reason": "Reason",
}
OUTCOMES = ("agreed", "rejected")
READERS = ("administrator", "analyst", "board")


class NotAllowed(UsageError):
    """The person's role or organisation may not do this."""


class NotFound(UsageError):
    """No such proposal."""


class Closed(UsageError):
    """The proposal has been decided: it takes no more comments, positions or decisions."""


@dataclass(frozen=True)
class ProposalSummary:
    """A line of the register: id, title, status, and how many organisations agree, object, abstain."""

    id: int
    title: str
    status: str
    created_at: dt.datetime
    positions: dict[str, int]


@dataclass(frozen=True)
class PositionRecord:
    """One recorded position: the organisation, agree/object/abstain, why, by whom and when."""

    organisation: str
    position: str
    reason: str
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class CommentRecord:
    """One comment: its text, who wrote it (name and organisation) and when."""

    text: str
    by: str
    organisation: str | None
    at: dt.datetime


@dataclass(frozen=True)
class DecisionRecord:
    """The board's decision on a proposal: agreed or rejected, why, by whom and when."""

    proposal_id: int
    title: str
    outcome: str
    reason: str
    by: str
    at: dt.datetime
    summary: str = ""


@dataclass(frozen=True)
class ProposalDetail:
    """A whole proposal: what changes, who pays and benefits, the scenario, the comments in order,
    each organisation's current position with its history, and the decision (None while open)."""

    id: int
    title: str
    summary: str
    who_pays: str
    who_benefits: str
    scenario: str | None
    status: str
    author: str | None
    created_at: dt.datetime
    comments: list[CommentRecord] = field(default_factory=list)
    current: list[PositionRecord] = field(default_factory=list)
    history: dict[str, list[PositionRecord]] = field(default_factory=dict)
    decision: DecisionRecord | None = None


def may_propose(role: str) -> bool:
    """Return whether a person of ``role`` may propose and comment (analysts and board members)."""
    return role in ("analyst", "board")


def may_decide(role: str) -> bool:
    """Return whether a person of ``role`` may record the board's decision."""
    return role in ("board", "administrator")


def may_record_position(role: str, partner: str | None) -> bool:
    """Return whether a person of ``role`` in an organisation that is ``partner`` (None: not a
    partner of the place) may record its position: its analysts and board members."""
    return role in ("analyst", "board") and partner is not None


def problems(values: dict[str, str], required: tuple[str, ...] = ()) -> dict[str, str]:
    """Return field -> what is wrong (empty when every value is present and within its limit)."""
    found = {}
    for name, value in values.items():
        label = LABELS.get(name, name)
        if name in required and not value.strip():
            found[name] = f"Enter {label.lower()}"
        elif len(value) > LIMITS[name]:
            found[name] = f"{label} must be {LIMITS[name]} characters or fewer"
    return found


def _check(values: dict[str, str], required: tuple[str, ...]) -> None:
    found = problems(values, required)
    if found:
        raise UsageError("; ".join(found.values()))


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise NotAllowed("Sign in again: this account is no longer active")
    return person


def _open(session: Session, proposal_id: int) -> Proposal:
    found = session.get(Proposal, proposal_id)
    if found is None:
        raise NotFound(f"There is no proposal {proposal_id}")
    if found.status != "open":
        raise Closed(f"This proposal was {found.status}: it cannot be changed")
    return found


def propose(session: Session, person_id: int, title: str, summary: str, who_pays: str = "",
            who_benefits: str = "", scenario: str | None = None,
            scenarios: Collection[str] | None = None) -> int:  # fmt: skip
    """Return the id of a new open proposal by the person; NotAllowed or UsageError otherwise
    (a scenario not among ``scenarios``, when given, is a UsageError)."""
    person = _person(session, person_id)
    if not may_propose(person.role):
        raise NotAllowed("Only partners' analysts and board members can make a proposal")
    values = {"title": title, "summary": summary, "who_pays": who_pays,
              "who_benefits": who_benefits, "scenario": scenario or ""}  # fmt: skip
    _check(values, ("title", "summary"))
    if scenario and scenarios is not None and scenario not in scenarios:
        raise UsageError("Select a scenario from the list")
    made = Proposal(title=title.strip(), summary=summary.strip(), who_pays=who_pays.strip(),
                    who_benefits=who_benefits.strip(), scenario=(scenario or "").strip() or None,
                    author_id=person.id)  # fmt: skip
    session.add(made)
    session.flush()
    audit(session, person.email, "proposal made", proposal=made.id, title=made.title)
    return made.id


def comment(session: Session, person_id: int, proposal_id: int, text: str) -> None:
    """Add the person's comment to an open proposal; NotAllowed, NotFound, Closed or UsageError."""
    person = _person(session, person_id)
    if not may_propose(person.role):
        raise NotAllowed("Only partners' analysts and board members can comment")
    found = _open(session, proposal_id)
    _check({"text": text}, ("text",))
    session.add(Comment(proposal_id=found.id, person_id=person.id, text=text.strip()))
    audit(session, person.email, "comment added", proposal=found.id)


def record_position(session: Session, person_id: int, proposal_id: int, position: str,
                    reason: str = "") -> None:  # fmt: skip
    """Record the person's organisation's position on an open proposal (a new row: the earlier
    ones stay as its history); NotAllowed, NotFound, Closed or UsageError."""
    person = _person(session, person_id)
    org = person.organisation
    if org is None or not may_record_position(person.role, org.partner):
        raise NotAllowed(
            "Only an analyst or board member of a partner organisation can record its position"
        )
    found = _open(session, proposal_id)
    if position not in POSITIONS:
        raise UsageError("Select whether your organisation agrees, objects or abstains")
    _check({"reason": reason}, ())
    session.add(Position(proposal_id=found.id, organisation_id=org.id, person_id=person.id,
                         position=position, reason=reason.strip()))  # fmt: skip
    audit(session, person.email, "position recorded", proposal=found.id, organisation=org.name,
          position=position)  # fmt: skip


def decide(session: Session, person_id: int, proposal_id: int, outcome: str, reason: str) -> None:
    """Record the board's decision (once) and close the proposal; NotAllowed, NotFound, Closed
    (already decided) or UsageError."""
    person = _person(session, person_id)
    if not may_decide(person.role):
        raise NotAllowed("Only a board member or an administrator can record the board's decision")
    found = _open(session, proposal_id)
    if outcome not in OUTCOMES:
        raise UsageError("Select whether the board agreed or rejected the proposal")
    _check({"reason": reason}, ("reason",))
    session.add(Decision(proposal_id=found.id, outcome=outcome, reason=reason.strip(),
                         person_id=person.id))  # fmt: skip
    found.status = outcome
    audit(session, person.email, "decision recorded", proposal=found.id, outcome=outcome)


def _current_positions() -> object:
    """Return a subquery of the newest position row id per (proposal, organisation)."""
    return (
        select(func.max(Position.id).label("id"))
        .group_by(Position.proposal_id, Position.organisation_id)
        .subquery()
    )


def proposals(session: Session) -> list[ProposalSummary]:
    """Return every proposal, newest first, with the count of each current position."""
    latest = _current_positions()
    counts = session.execute(
        select(Position.proposal_id, Position.position, func.count())
        .where(Position.id.in_(select(latest.c.id)))  # type: ignore[attr-defined]
        .group_by(Position.proposal_id, Position.position)
    ).all()
    tally: dict[int, dict[str, int]] = {}
    for proposal_id, position, count in counts:  # one row per proposal and position: a few
        tally.setdefault(proposal_id, dict.fromkeys(POSITIONS, 0))[position] = int(count)
    rows = session.scalars(select(Proposal).order_by(Proposal.id.desc())).all()
    return [
        ProposalSummary(
            p.id, p.title, p.status, p.created_at, tally.get(p.id, dict.fromkeys(POSITIONS, 0))
        )  # fmt: skip
        for p in rows
    ]


def proposal(session: Session, proposal_id: int) -> ProposalDetail:
    """Return the proposal with its comments, positions (current and history) and decision;
    NotFound if there is none."""
    found = session.get(Proposal, proposal_id)
    if found is None:
        raise NotFound(f"There is no proposal {proposal_id}")
    author = session.get(Person, found.author_id) if found.author_id else None
    comments = [
        CommentRecord(c.text, name, org, c.at)
        for c, name, org in session.execute(
            select(Comment, Person.name, Organisation.name)
            .join(Person, Comment.person_id == Person.id)
            .outerjoin(Organisation, Person.organisation_id == Organisation.id)
            .where(Comment.proposal_id == proposal_id)
            .order_by(Comment.at, Comment.id)
        )
    ]
    history: dict[str, list[PositionRecord]] = {}
    for p, org, name in session.execute(
        select(Position, Organisation.name, Person.name)
        .join(Organisation, Position.organisation_id == Organisation.id)
        .join(Person, Position.person_id == Person.id)
        .where(Position.proposal_id == proposal_id)
        .order_by(Organisation.name, Position.id.desc())
    ):
        history.setdefault(org, []).append(PositionRecord(org, p.position, p.reason, name, p.at))
    return ProposalDetail(
        id=found.id, title=found.title, summary=found.summary, who_pays=found.who_pays,
        who_benefits=found.who_benefits, scenario=found.scenario, status=found.status,
        author=author.name if author else None, created_at=found.created_at, comments=comments,
        current=[records[0] for records in history.values()], history=history,
        decision=_decision(session, found),
    )  # fmt: skip


def _decision(session: Session, found: Proposal) -> DecisionRecord | None:
    row = session.execute(
        select(Decision, Person.name)
        .join(Person, Decision.person_id == Person.id)
        .where(Decision.proposal_id == found.id)
    ).first()
    if row is None:
        return None
    made, name = row
    return DecisionRecord(found.id, found.title, made.outcome, made.reason, name, made.at,
                          found.summary)  # fmt: skip


def decisions(session: Session) -> list[DecisionRecord]:
    """Return what the partnership decided, newest first: agreed and rejected proposals, each
    with the decision and its reason (for the public: no comments, no positions, no names)."""
    rows = session.execute(
        select(Decision, Proposal)
        .join(Proposal, Decision.proposal_id == Proposal.id)
        .where(Proposal.status.in_(OUTCOMES))
        .order_by(Decision.at.desc(), Decision.id.desc())
    ).all()
    return [
        DecisionRecord(p.id, p.title, d.outcome, d.reason, "the partnership board", d.at, p.summary)
        for d, p in rows
    ]
