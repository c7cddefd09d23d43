"""The place: the overview (total, per head, by partner and theme, the layers, what is not covered)
and the drill-down theme -> partner -> service -> supplier -> transactions, under the access rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.errors import TotalplaceError
from totalplace.stages import StageError
from totalplace.web.cache import cached
from totalplace.web.charts import chart
from totalplace.web.deps import viewer
from totalplace.web.figures import sankey, treemap
from totalplace.web.routes.pages import message_page
from totalplace.web.templating import page_context
from totalplace.web.views import drill, overview
from totalplace.web.views.pooled import pooled_for_overview

router = APIRouter()

YEAR_PATTERN = r"^[0-9FYfy /\-–]{4,12}$"


def not_ready(request: Request, exc: Exception) -> Response:
    """Return the page saying which stage to run first (the stage contract's own words)."""
    return message_page(request, "These figures are not ready", [str(exc)], status_code=409)


@router.get("/", response_class=HTMLResponse)
def overview_page(
    request: Request, year: str | None = Query(None, max_length=12, pattern=YEAR_PATTERN)
) -> Response:
    """Show the place's count: total, per head, by partner and theme, layers, gaps."""
    who = viewer(request)
    try:
        ws = request.app.state.workspace
        doc = cached(ws, who, "overview", (year,), lambda: overview(ws, who, year))
    except StageError as exc:
        return not_ready(request, exc)
    except (TotalplaceError, ValueError) as exc:  # a year the count does not have
        return message_page(request, "There is no such year", [str(exc)], status_code=404)
    counted = [y["financial_year"] for y in doc["years"]]
    if doc["financial_year"] not in counted:
        shown = ", ".join(counted) or "none yet"
        message = f"Nothing is counted for {doc['financial_year']}. The years counted: {shown}."
        return message_page(request, "There is no such year", [message], status_code=404)
    charts = [
        chart(
            treemap(doc["by_theme"], f"Where the money goes, {doc['financial_year']}"),
            "Where the money goes",
        ),
        chart(sankey(doc["matrix"], "Who pays for which theme"), "Who pays for which theme"),
    ]
    year_items = [
        {
            "value": y["financial_year"],
            "text": y["financial_year"],
            "selected": y["financial_year"] == doc["financial_year"],
        }
        for y in doc["years"]
    ]
    context = page_context(
        request,
        who,
        f"{doc['place']['name']}: the place count",
        doc=doc,
        charts=charts,
        year_items=year_items,
        pooled=cached(ws, who, "pooled", (year,), lambda: pooled_for_overview(ws, who, year)),
    )
    return request.app.state.templates.TemplateResponse(request, "pages/overview.html", context)


@router.get("/drill", response_class=HTMLResponse)
def drill_page(
    request: Request,
    theme: str = Query(..., max_length=300),
    year: str | None = Query(None, max_length=12, pattern=YEAR_PATTERN),
    partner: str | None = Query(None, max_length=300),
    service: str | None = Query(None, max_length=300),
    supplier: str | None = Query(None, max_length=300),
) -> Response:
    """Show one level of the drill-down, with the path back up."""
    who = viewer(request)
    try:
        ws = request.app.state.workspace
        args = (year, theme, partner, service, supplier)
        doc = cached(ws, who, "drill", args, lambda: drill(ws, who, *args))
    except StageError as exc:
        return not_ready(request, exc)
    except (TotalplaceError, ValueError) as exc:  # an unknown theme, partner, service or year
        return message_page(request, "There is nothing here", [str(exc)], status_code=404)
    context = page_context(request, who, f"{theme}: who spends it", doc=doc, crumbs=_crumbs(doc))
    return request.app.state.templates.TemplateResponse(request, "pages/drill.html", context)


def _crumbs(doc: dict[str, Any]) -> list[dict[str, str]]:
    """Return the breadcrumbs of a drill-down level (each a link back up)."""
    from urllib.parse import urlencode

    year, theme = doc["financial_year"], doc["theme"]["theme"]
    crumbs = [{"text": "Overview", "href": f"/?{urlencode({'year': year})}"}]
    levels: list[tuple[str, dict[str, str]]] = [(theme, {"theme": theme})]
    if doc.get("partner"):
        partner = doc["partner"]["partner"]
        levels.append((partner, {"theme": theme, "partner": partner}))
        if doc.get("service"):
            service = doc["service"]["service"]
            levels.append((service, {"theme": theme, "partner": partner, "service": service}))
    for text, query in levels:
        crumbs.append({"text": text, "href": "/drill?" + urlencode({"year": year, **query})})
    return crumbs
