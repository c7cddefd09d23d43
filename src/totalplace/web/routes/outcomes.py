"""Outcomes against spend: ``/outcomes`` (indicators for the place, its county and comparators beside
spend per head on their theme, with the direction of good, intervals and caveats; one indicator's
scatter with its table) and its JSON twin ``/api/v1/outcomes``. Every role: the figures are aggregates.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from totalplace.errors import TotalplaceError
from totalplace.report.documents import jsonable
from totalplace.stages import StageError
from totalplace.web.cache import cached
from totalplace.web.charts import chart
from totalplace.web.deps import viewer
from totalplace.web.routes.pages import message_page
from totalplace.web.routes.place import not_ready
from totalplace.web.templating import page_context
from totalplace.web.views.outcomes import outcomes_page_data

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["place over time"])

INDICATOR = Query(None, max_length=120, description="An indicator's code (e.g. ASC5) or name")
THEME = Query(None, max_length=120, description="Only indicators of this theme")
LAG = Query(0, ge=0, le=10, description="Set each outcome beside the spend of N years earlier")


def _doc(request: Request, indicator: str | None, theme: str | None, lag: int) -> dict[str, Any]:
    ws = request.app.state.workspace
    args = (indicator, theme, lag)
    # The same for every viewer (aggregates only): kept once, not per role.
    return cached(ws, None, "outcomes", args, lambda: outcomes_page_data(ws, *args))


@router.get("/outcomes", response_class=HTMLResponse)
def outcomes_page(
    request: Request, indicator: str | None = INDICATOR, theme: str | None = THEME, lag: int = LAG
) -> Response:
    """Show outcome indicators beside spend per head on their theme, and one indicator's scatter."""
    who = viewer(request)
    try:
        doc = _doc(request, indicator or None, theme or None, lag)
    except StageError as exc:
        return not_ready(request, exc)
    except TotalplaceError as exc:  # an unknown indicator or theme
        return message_page(request, "There is no such indicator", [str(exc)], status_code=404)
    title = doc["indicator_name"] or "the indicator"
    scatter = chart(doc["chart"], f"{title} against spend per head") if doc["chart"] else None
    context = page_context(request, who, "Outcomes against spend", doc=doc, scatter=scatter)
    return request.app.state.templates.TemplateResponse(request, "pages/outcomes.html", context)


class OutcomesAnswer(BaseModel):
    """Outcomes against spend: every indicator for the place (or its county), and the chosen one per
    area and year with the spend per head beside it (amounts as decimal strings)."""

    place: dict[str, str]
    areas: list[dict[str, str]]
    comparator_method: str
    lag_years: int
    theme: str | None
    indicators: list[dict[str, Any]] = Field(
        description="One per indicator: the place's or its county's"
    )
    indicator: str | None = Field(description="The indicator of 'summary' and 'series'")
    indicator_name: str | None
    summary: list[dict[str, Any]] = Field(
        description="The indicator per area: first, latest, direction"
    )
    series: list[dict[str, Any]] = Field(
        description="The indicator per area and period, spend beside"
    )
    files: list[dict[str, Any]]
    notes: list[str]


@api.get("/outcomes")
def outcomes_api(
    request: Request, indicator: str | None = INDICATOR, theme: str | None = THEME, lag: int = LAG
) -> OutcomesAnswer:
    """Return outcome indicators for the place, its county, comparators and England beside spend per
    head on each one's theme, with direction of good, 95% intervals and the caveats. Everyone."""
    try:
        doc = _doc(request, indicator or None, theme or None, lag)
    except StageError as exc:
        raise HTTPException(409, str(exc)) from None
    except TotalplaceError as exc:
        raise HTTPException(404, str(exc)) from None
    return OutcomesAnswer(**jsonable({k: v for k, v in doc.items() if k not in ("chart", "areas")}),
                          areas=[{k: str(v) for k, v in a.items()} for a in doc["areas"]])  # fmt: skip
