"""``/api/v1/pooled``: the overview's pooled and aligned budgets as JSON (everyone, as the overview)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from totalplace.errors import TotalplaceError
from totalplace.report.documents import jsonable
from totalplace.stages import StageError
from totalplace.web.cache import cached
from totalplace.web.deps import viewer
from totalplace.web.routes.place import YEAR_PATTERN
from totalplace.web.views.pooled import pooled_section

api = APIRouter(prefix="/api/v1", tags=["place"])


class PooledAnswer(BaseModel):
    """Per theme with an arrangement: spend, pooled, aligned, separate and their shares, and each
    partner's contribution beside its share of the theme's spend (withheld where small)."""

    financial_year: str | None
    themes: list[dict[str, Any]] = Field(
        description="One per theme with a pooled or aligned arrangement"
    )
    arrangements: list[dict[str, Any]] = Field(description="As declared in pooled_budgets.toml")
    notes: list[str]


@api.get("/pooled")
def pooled_api(
    request: Request, year: str | None = Query(None, max_length=12, pattern=YEAR_PATTERN)
) -> PooledAnswer:
    """Return the share of each theme's spend that is pooled, aligned or separate (everyone; written
    by `totalplace count`: 409 until it has run)."""
    ws, who = request.app.state.workspace, viewer(request)
    try:
        doc = cached(ws, who, "pooled-api", (year,), lambda: pooled_section(ws, who, year))
    except StageError as exc:
        raise HTTPException(409, str(exc)) from None
    except (TotalplaceError, ValueError) as exc:
        raise HTTPException(404, str(exc)) from None
    return PooledAnswer(**jsonable(doc))
