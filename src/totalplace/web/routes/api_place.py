"""The JSON API of the place's figures (/api/v1): the same documents the pages show, under the same
access rules -- another partner's transactions never, its small cells suppressed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from totalplace.errors import TotalplaceError
from totalplace.stages import StageError
from totalplace.web.cache import cached
from totalplace.web.deps import require_signed_in, viewer
from totalplace.web.residents import responses_summary, to_place_amounts
from totalplace.web.routes.place import YEAR_PATTERN
from totalplace.web.views import check_response, drill, overview, resident_summary, simulator

router = APIRouter(prefix="/api/v1", tags=["place"])


def _answer(build: Any, *args: Any) -> dict[str, Any]:
    """Return ``build(*args)``; a stage not run is 409, an unknown theme, partner or year 404."""
    try:
        return dict(build(*args))
    except StageError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except (TotalplaceError, ValueError) as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


@router.get("/overview")
def overview_api(
    request: Request, year: str | None = Query(None, max_length=12, pattern=YEAR_PATTERN)
) -> dict[str, Any]:
    """Return the place's count: total, per head, by partner, by theme, partner x theme, layers, gaps."""
    ws, who = request.app.state.workspace, viewer(request)
    return _answer(lambda: cached(ws, who, "overview", (year,), lambda: overview(ws, who, year)))


@router.get("/drill")
def drill_api(
    request: Request,
    theme: str = Query(..., max_length=300),
    year: str | None = Query(None, max_length=12, pattern=YEAR_PATTERN),
    partner: str | None = Query(None, max_length=300),
    service: str | None = Query(None, max_length=300),
    supplier: str | None = Query(None, max_length=300),
) -> dict[str, Any]:
    """Return one level of the drill-down (transactions only for the partner's own analysts)."""
    return _answer(
        drill, request.app.state.workspace, viewer(request), year, theme, partner, service, supplier
    )


@router.get("/residents")
def residents_api(
    request: Request, year: str | None = Query(None, max_length=12, pattern=YEAR_PATTERN)
) -> dict[str, Any]:
    """Return where the money goes per resident, in plain words (public)."""
    ws = request.app.state.workspace
    return _answer(
        lambda: cached(ws, None, "residents", (year,), lambda: resident_summary(ws, year))
    )


@router.get("/simulator")
def simulator_api(request: Request) -> dict[str, Any]:
    """Return the budget simulator's themes, floors and target (pounds a year for the place)."""
    return _answer(simulator, request.app.state.workspace)


class Plan(BaseModel):
    """A resident's plan: pounds per resident by theme, an optional ward code and comment."""

    per_head: dict[str, Decimal] = Field(..., max_length=50)
    ward: str | None = Field(None, max_length=20)
    comment: str = Field("", max_length=1000)


@router.post("/simulator/check")
def simulator_check_api(request: Request, plan: Plan) -> dict[str, Any]:
    """Return whether a plan meets the savings target and every floor, with a message per theme
    (nothing is stored: the page stores a resident's plan)."""
    start = _answer(simulator, request.app.state.workspace)
    amounts = {k[:300]: v for k, v in plan.per_head.items()}
    check = check_response(
        request.app.state.workspace,
        start["fy_start_year"],
        to_place_amounts(amounts, start["population"]),
    )
    return check.as_json()


@router.get("/simulator/responses")
def responses_api(request: Request) -> dict[str, Any]:
    """Return the residents' responses summarised by theme and ward (board, analysts, administrators)."""
    require_signed_in(request, "board", "administrator", "analyst")
    start = _answer(simulator, request.app.state.workspace)
    with request.app.state.db.session() as session:
        return responses_summary(session, start["financial_year"])
