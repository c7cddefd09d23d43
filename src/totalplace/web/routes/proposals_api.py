"""The trade-off register under /api/v1: the same people may do the same things as on the pages.

Bodies are JSON, validated by bounded models (unknown fields refused); a change needs the
session's CSRF token in the ``X-CSRF-Token`` header. Refusals are JSON ``{"error": ...}``:
401 not signed in, 403 not allowed, 404 no such proposal, 409 already decided, 422 invalid.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from totalplace.errors import UsageError
from totalplace.web import register
from totalplace.web.routes.proposals import RecordId, scenario_choices, signed_in, status_of

router = APIRouter(prefix="/api/v1", tags=["proposals"])
L = register.LIMITS


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProposalIn(_Body):
    """A new proposal: what changes, who pays, who benefits, and a scenario's name if one."""

    title: str = Field(min_length=1, max_length=L["title"])
    summary: str = Field(min_length=1, max_length=L["summary"])
    who_pays: str = Field("", max_length=L["who_pays"])
    who_benefits: str = Field("", max_length=L["who_benefits"])
    scenario: str | None = Field(None, max_length=L["scenario"])


class CommentIn(_Body):
    """A comment on an open proposal."""

    text: str = Field(min_length=1, max_length=L["text"])


class PositionIn(_Body):
    """The author's organisation's position on an open proposal, and why."""

    position: Literal["agree", "object", "abstain"]
    reason: str = Field("", max_length=L["reason"])


class DecisionIn(_Body):
    """The board's decision on an open proposal, and why (shown to the public)."""

    outcome: Literal["agreed", "rejected"]
    reason: str = Field(min_length=1, max_length=L["reason"])


class ProposalLine(BaseModel):
    """A proposal in the register: its status and how many organisations agree, object, abstain."""

    id: int
    title: str
    status: str
    created_at: dt.datetime
    positions: dict[str, int]


class PositionOut(BaseModel):
    """A recorded position of an organisation."""

    organisation: str
    position: str
    reason: str
    by: str
    at: dt.datetime


class CommentOut(BaseModel):
    """A comment, who wrote it and when."""

    text: str
    by: str
    organisation: str | None
    at: dt.datetime


class DecisionOut(BaseModel):
    """The board's decision on a proposal and why."""

    proposal_id: int
    title: str
    summary: str
    outcome: str
    reason: str
    at: dt.datetime


class ProposalOut(BaseModel):
    """A whole proposal: comments in order, current positions, each organisation's history
    (newest first), and the decision (null while open)."""

    id: int
    title: str
    summary: str
    who_pays: str
    who_benefits: str
    scenario: str | None
    status: str
    author: str | None
    created_at: dt.datetime
    comments: list[CommentOut]
    current: list[PositionOut]
    history: dict[str, list[PositionOut]]
    decision: DecisionOut | None


class Created(BaseModel):
    """What a change made: the proposal's id and where to read it."""

    id: int
    href: str


def _refuse(error: UsageError) -> HTTPException:
    return HTTPException(status_code=status_of(error), detail=str(error))


def _detail(request: Request, proposal_id: int) -> ProposalOut:
    with request.app.state.db.session() as session:
        try:
            found = register.proposal(session, proposal_id)
        except register.NotFound as missing:
            raise _refuse(missing) from None
    decision = found.decision
    return ProposalOut(
        id=found.id, title=found.title, summary=found.summary, who_pays=found.who_pays,
        who_benefits=found.who_benefits, scenario=found.scenario, status=found.status,
        author=found.author, created_at=found.created_at,
        comments=[CommentOut(**vars(c)) for c in found.comments],
        current=[PositionOut(**vars(p)) for p in found.current],
        history={k: [PositionOut(**vars(p)) for p in v] for k, v in found.history.items()},
        decision=DecisionOut(proposal_id=decision.proposal_id, title=decision.title,
                             summary=decision.summary, outcome=decision.outcome,
                             reason=decision.reason, at=decision.at) if decision else None,
    )  # fmt: skip


@router.get("/proposals", response_model=list[ProposalLine])
def list_proposals(request: Request) -> list[ProposalLine]:
    """Return every proposal, newest first, with the count of each current position
    (signed-in people)."""
    signed_in(request)
    with request.app.state.db.session() as session:
        return [ProposalLine(**vars(row)) for row in register.proposals(session)]


@router.get("/proposals/{proposal_id}", response_model=ProposalOut)
def get_proposal(request: Request, proposal_id: RecordId) -> ProposalOut:
    """Return a proposal with its comments, positions (current and history) and decision
    (signed-in people)."""
    signed_in(request)
    return _detail(request, proposal_id)


@router.post("/proposals", response_model=Created, status_code=201)
def create_proposal(request: Request, body: ProposalIn) -> Created:
    """Make a proposal (analysts and board members); return its id."""
    _, me = signed_in(request, "analyst", "board")
    try:
        with request.app.state.db.session() as session:
            made = register.propose(session, me.id, body.title, body.summary, body.who_pays,
                                    body.who_benefits, body.scenario or None,
                                    scenario_choices(request))  # fmt: skip
    except UsageError as refused:
        raise _refuse(refused) from None
    return Created(id=made, href=f"/api/v1/proposals/{made}")


def _change(request: Request, proposal_id: int, action: object) -> Created:
    _, me = signed_in(request)
    try:
        with request.app.state.db.session() as session:
            action(session, me.id)  # type: ignore[operator]
    except UsageError as refused:
        raise _refuse(refused) from None
    return Created(id=proposal_id, href=f"/api/v1/proposals/{proposal_id}")


@router.post("/proposals/{proposal_id}/comments", response_model=Created, status_code=201)
def add_comment(request: Request, proposal_id: RecordId, body: CommentIn) -> Created:
    """Comment on an open proposal (analysts and board members)."""
    return _change(request, proposal_id,
                   lambda s, me: register.comment(s, me, proposal_id, body.text))  # fmt: skip


@router.post("/proposals/{proposal_id}/positions", response_model=Created, status_code=201)
def add_position(request: Request, proposal_id: RecordId, body: PositionIn) -> Created:
    """Record the caller's organisation's position on an open proposal (analysts and board
    members of a partner organisation); the earlier positions stay as its history."""
    return _change(request, proposal_id,
                   lambda s, me: register.record_position(s, me, proposal_id, body.position,
                                                          body.reason))  # fmt: skip


@router.post("/proposals/{proposal_id}/decision", response_model=Created, status_code=201)
def add_decision(request: Request, proposal_id: RecordId, body: DecisionIn) -> Created:
    """Record the board's decision (board members and administrators; once: it closes the
    proposal; 409 if it was decided already)."""
    return _change(request, proposal_id,
                   lambda s, me: register.decide(s, me, proposal_id, body.outcome, body.reason))  # fmt: skip


@router.get("/decisions", response_model=list[DecisionOut])
def list_decisions(request: Request) -> list[DecisionOut]:
    """Return what the partnership decided, newest first (everyone: no comments, no positions,
    no names)."""
    with request.app.state.db.session() as session:
        rows = register.decisions(session)
    return [
        DecisionOut(
            proposal_id=d.proposal_id,
            title=d.title,
            summary=d.summary,
            outcome=d.outcome,
            reason=d.reason,
            at=d.at,
        )  # fmt: skip
        for d in rows
    ]
