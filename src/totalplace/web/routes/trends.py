"""The place over time: ``/trends`` (spend per partner x theme by year, cash and real terms, part years
flagged, the cost-shunting monitor) and its JSON twin ``/api/v1/trends``.

Figures are :mod:`totalplace.trend`'s (``totalplace trend --shunting``), under the access rules
of :mod:`totalplace.web.views.trends`: residents see a public summary, signed-in roles the
detail, other partners' small cells withheld.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from totalplace.errors import TotalplaceError
from totalplace.report.documents import jsonable
from totalplace.stages import StageError
from totalplace.trend import Thresholds
from totalplace.web.cache import cached
from totalplace.web.charts import chart
from totalplace.web.deps import viewer
from totalplace.web.routes.pages import message_page
from totalplace.web.routes.place import YEAR_PATTERN, not_ready
from totalplace.web.templating import page_context
from totalplace.web.views.trends import trends

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["place over time"])

#: The monitor's settings as query values, bounded (a value out of range is a 422, never a 500).
MIN_FALL = Query(Decimal("50000"), ge=0, le=10**12, description="Smallest fall, £ in the place")
MIN_FALL_SHARE = Query(
    Decimal("0.05"), ge=0, lt=1, description="Smallest fall, share of the year before"
)
RATIO_LOW = Query(Decimal("0.5"), gt=0, le=100, description="The rise at least this times the fall")
RATIO_HIGH = Query(Decimal("2"), gt=0, le=100, description="The rise at most this times the fall")
BASE_YEAR = Query(None, max_length=12, pattern=YEAR_PATTERN, description="Prices, e.g. 2020-21")


def _doc(
    request: Request, base_year: str | None, annualise: bool, thresholds: Thresholds
) -> dict[str, Any]:
    ws, who = request.app.state.workspace, viewer(request)
    args = (base_year, annualise, thresholds)
    return cached(ws, who, "trends", args, lambda: trends(ws, who, *args))


@router.get("/trends", response_class=HTMLResponse)
def trends_page(
    request: Request,
    base_year: str | None = BASE_YEAR,
    annualise: bool = False,
    min_fall: Decimal = MIN_FALL,
    min_fall_share: Decimal = MIN_FALL_SHARE,
    ratio_low: Decimal = RATIO_LOW,
    ratio_high: Decimal = RATIO_HIGH,
) -> Response:
    """Show each year's spend per partner x theme and per council outturn, and the cost-shunting findings."""
    who = viewer(request)
    try:
        thresholds = Thresholds(min_fall, min_fall_share, ratio_low, ratio_high).check()
        doc = _doc(request, base_year, annualise, thresholds)
    except StageError as exc:
        return not_ready(request, exc)
    except (TotalplaceError, ValueError) as exc:  # a base year outside the deflator, a bad band
        return message_page(
            request, "There is a problem with the settings", [str(exc)], status_code=400
        )
    charts = [chart(spec, title) for title, spec in doc["charts"]]
    context = page_context(
        request, who, f"{doc['place']['name']} over time", doc=doc, charts=charts
    )
    return request.app.state.templates.TemplateResponse(request, "pages/trends.html", context)


class TrendsAnswer(BaseModel):
    """The place's spending over time, as the /trends page shows it to the caller (amounts as
    decimal strings; a withheld figure is null with ``suppressed`` true and its reason)."""

    place: dict[str, str]
    prices: str = Field(description="The prices real terms are in, e.g. '2024-25 prices'")
    base_year: str
    deflator: str
    public_summary: str | None = Field(
        description="Set when the caller sees the public summary only"
    )
    annualise: bool
    rows: list[dict[str, Any]] = Field(description="One per body x series x year")
    summaries: list[dict[str, Any]] = Field(description="One per series: first to last whole year")
    notes: list[str]
    suppression_note: str
    shunting: dict[str, Any] | None = Field(
        description="The cost-shunting monitor's findings, thresholds and caveat (signed in only)"
    )


@api.get("/trends")
def trends_api(
    request: Request,
    base_year: str | None = BASE_YEAR,
    annualise: bool = False,
    min_fall: Decimal = MIN_FALL,
    min_fall_share: Decimal = MIN_FALL_SHARE,
    ratio_low: Decimal = RATIO_LOW,
    ratio_high: Decimal = RATIO_HIGH,
) -> TrendsAnswer:
    """Return each year's spend per partner x theme (counted) and per council x theme (outturn), in cash
    and real terms, per head and the change, part years flagged; signed in, the cost-shunting
    findings with their evidence. Everyone; residents get the public summary."""
    try:
        thresholds = Thresholds(min_fall, min_fall_share, ratio_low, ratio_high).check()
        doc = _doc(request, base_year, annualise, thresholds)
    except StageError as exc:
        raise HTTPException(409, str(exc)) from None
    except (TotalplaceError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from None
    return TrendsAnswer(
        **jsonable({k: v for k, v in doc.items() if k not in ("charts", "own_partner")})
    )
