"""The trade-off register's pages (/proposals, signed-in people) and what the partnership
decided (/decisions, everyone). Who may do what is :mod:`totalplace.web.register`'s."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.errors import UsageError
from totalplace.web import register
from totalplace.web.access import Viewer
from totalplace.web.deps import account, require_signed_in, viewer
from totalplace.web.people import Account
from totalplace.web.templating import page_context

router = APIRouter()

#: A record's id in a path: bounded so that no number reaches the database it cannot hold.
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]

#: No form field is read beyond this many characters (each field's own limit is far lower
#: and explained on the form; this only bounds what a forged request can make us hold).
HARD_LIMIT = 20_000


def signed_in(request: Request, *roles: str) -> tuple[Viewer, Account]:
    """Return the viewer and account of a signed-in person with one of ``roles`` (any if none);
    401 or 403 otherwise."""
    who = require_signed_in(request, *roles)
    found = account(request)
    if found is None:  # deactivated between the two looks
        raise HTTPException(status_code=401, detail="Sign in to see this page")
    return who, found


def status_of(error: UsageError) -> int:
    """Return the HTTP status of a refusal from the register."""
    if isinstance(error, register.NotAllowed):
        return 403
    if isinstance(error, register.NotFound):
        return 404
    if isinstance(error, register.Closed):
        return 409
    return 400


def scenario_choices(request: Request) -> list[str]:
    """Return the names of the workspace's scenarios (the files in its scenarios folder)."""
    from totalplace.scenario.spec import scenario_names

    return [path.stem for path in scenario_names(request.app.state.workspace)]


def _render(request: Request, template: str, who: Viewer, title: str, status: int = 200,
            **extra: Any) -> Response:  # fmt: skip
    context = page_context(request, who, title, **extra)
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )


@router.get("/proposals", response_class=HTMLResponse)
def list_page(request: Request) -> Response:
    """Show the register: every proposal, its status and the positions so far (signed-in people)."""
    who, me = signed_in(request)
    with request.app.state.db.session() as session:
        rows = register.proposals(session)
    return _render(request, "pages/proposals.html", who, "Proposals", rows=rows,
                   may_propose=register.may_propose(me.role))  # fmt: skip


def _new_form(request: Request, who: Viewer, values: dict[str, str], errors: dict[str, str],
              status: int = 200) -> Response:  # fmt: skip
    return _render(request, "pages/proposals_new.html", who, "Make a proposal", status=status,
                   values=values, errors=errors, limits=register.LIMITS,
                   scenarios=scenario_choices(request))  # fmt: skip


@router.get("/proposals/new", response_class=HTMLResponse)
def new_page(request: Request) -> Response:
    """Show the form for a new proposal (analysts and board members)."""
    who, _ = signed_in(request, "analyst", "board")
    return _new_form(request, who, {}, {})


@router.post("/proposals", response_class=HTMLResponse)
def create(
    request: Request,
    title: str = Form("", max_length=HARD_LIMIT),
    summary: str = Form("", max_length=HARD_LIMIT),
    who_pays: str = Form("", max_length=HARD_LIMIT),
    who_benefits: str = Form("", max_length=HARD_LIMIT),
    scenario: str = Form("", max_length=HARD_LIMIT),
) -> Response:
    """Make a proposal (analysts and board members) and show it."""
    who, me = signed_in(request, "analyst", "board")
    values = {"title": title, "summary": summary, "who_pays": who_pays,
              "who_benefits": who_benefits, "scenario": scenario}  # fmt: skip
    choices = scenario_choices(request)
    errors = register.problems(values, ("title", "summary"))
    if scenario and scenario not in choices:
        errors["scenario"] = "Select a scenario from the list"
    if errors:
        return _new_form(request, who, values, errors, status=400)
    with request.app.state.db.session() as session:
        made = register.propose(session, me.id, title, summary, who_pays, who_benefits,
                                scenario or None, choices)  # fmt: skip
    return RedirectResponse(f"/proposals/{made}", status_code=303)


def _detail(request: Request, proposal_id: int, errors: dict[str, str] | None = None,
            values: dict[str, str] | None = None, status: int = 200) -> Response:  # fmt: skip
    who, me = signed_in(request)
    with request.app.state.db.session() as session:
        try:
            found = register.proposal(session, proposal_id)
        except register.NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
    is_open = found.status == "open"
    return _render(
        request, "pages/proposals_show.html", who, found.title, status=status, proposal=found,
        errors=errors or {}, values=values or {}, limits=register.LIMITS,
        may_comment=is_open and register.may_propose(me.role),
        may_position=is_open and register.may_record_position(me.role, me.partner),
        may_decide=is_open and register.may_decide(me.role), organisation=me.organisation,
    )  # fmt: skip


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def show(request: Request, proposal_id: RecordId) -> Response:
    """Show a proposal: what changes, the scenario, comments, positions with history, decision."""
    return _detail(request, proposal_id)


def _change(request: Request, proposal_id: int, form: str, values: dict[str, str],
            action: Any) -> Response:  # fmt: skip
    """Run ``action(session, person id)``; back to the proposal, or the page with the problem
    shown on ``form`` (comment, position or decision)."""
    _, me = signed_in(request)
    try:
        with request.app.state.db.session() as session:
            action(session, me.id)
    except register.NotFound as missing:
        raise HTTPException(status_code=404, detail=str(missing)) from None
    except UsageError as refused:
        return _detail(request, proposal_id, {form: str(refused)}, values, status_of(refused))
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)


@router.post("/proposals/{proposal_id}/comments", response_class=HTMLResponse)
def add_comment(
    request: Request, proposal_id: RecordId, text: str = Form("", max_length=HARD_LIMIT)
) -> Response:
    """Add a comment (analysts and board members, while the proposal is open)."""
    return _change(request, proposal_id, "comment", {"text": text},
                   lambda s, me: register.comment(s, me, proposal_id, text))  # fmt: skip


@router.post("/proposals/{proposal_id}/positions", response_class=HTMLResponse)
def add_position(
    request: Request,
    proposal_id: RecordId,
    position: str = Form("", max_length=20),
    reason: str = Form("", max_length=HARD_LIMIT),
) -> Response:
    """Record the organisation's position (its analysts and board members; the earlier stays)."""
    return _change(request, proposal_id, "position", {"position": position, "position_reason": reason},
                   lambda s, me: register.record_position(s, me, proposal_id, position, reason))  # fmt: skip


@router.post("/proposals/{proposal_id}/decision", response_class=HTMLResponse)
def add_decision(
    request: Request,
    proposal_id: RecordId,
    outcome: str = Form("", max_length=20),
    reason: str = Form("", max_length=HARD_LIMIT),
) -> Response:
    """Record the board's decision (board members and administrators; once: it closes the proposal)."""
    return _change(request, proposal_id, "decision", {"outcome": outcome, "decision_reason": reason},
                   lambda s, me: register.decide(s, me, proposal_id, outcome, reason))  # fmt: skip


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request) -> Response:
    """Show what the partnership decided and why (everyone; no comments or positions)."""
    with request.app.state.db.session() as session:
        rows = register.decisions(session)
    return _render(request, "pages/proposals_decisions.html", viewer(request),
                   "What the partnership decided", rows=rows)  # fmt: skip
