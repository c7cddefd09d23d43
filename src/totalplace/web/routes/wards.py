"""The wards page: a choropleth map of spend per head by ward beside a ranked table, and its API.

Ward figures are the place's count shared between wards by stated drivers, so they carry
no partner's detail: everyone may see them, the public included.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from typing_extensions import TypedDict

from totalplace.needs.drivers import DRIVERS
from totalplace.report.documents import jsonable
from totalplace.stages import StageError
from totalplace.warehouse.errors import WarehouseError
from totalplace.web.boundaries import FILENAME, BoundaryError, ward_boundaries
from totalplace.web.cache import cached
from totalplace.web.charts import Chart, chart
from totalplace.web.deps import viewer
from totalplace.web.routes.pages import message_page
from totalplace.web.templating import page_context
from totalplace.web.views import wards
from totalplace.web.views.common import reading, years_available
from totalplace.workspace import Workspace
from totalplace.years import YearError

__all__ = ["router"]

router = APIRouter()

Sort = Literal["per_head", "amount", "population", "name", "need_rank", "imd_rank"]

#: How the table sorts by each column: the key and whether the largest comes first.
SORTS: dict[str, tuple[str, bool]] = {
    "per_head": ("per_head", True),
    "amount": ("amount", True),
    "population": ("population", True),
    "name": ("ward_name", False),
    "need_rank": ("need_rank", False),
    "imd_rank": ("imd_rank", False),
}

YEAR = Query(None, max_length=12, description="Financial year: 2024, 2024-25 (default: the latest counted)")  # fmt: skip
NOT_READY = "The ward figures are not ready"


@router.get("/wards", response_class=HTMLResponse)
def wards_page(request: Request, year: str | None = YEAR, sort: Sort = "per_head") -> Response:
    """Show spend per head by ward as a map and a ranked table, against need."""
    who = viewer(request)
    ws: Workspace = request.app.state.workspace
    try:
        doc = cached(ws, who, "wards", (year,), lambda: wards(ws, who, year))
        years, drivers = _years_and_drivers(ws, doc["fy_start_year"])
    except YearError as e:
        return message_page(request, "There is a problem with the year", [str(e)], status_code=422)
    except StageError as e:
        return message_page(request, NOT_READY, _not_ready(e.command), status_code=409)
    except WarehouseError:  # nothing imported yet: no warehouse to read
        return message_page(request, NOT_READY, _not_ready("totalplace import"), status_code=409)
    if not doc["wards"]:
        listed = ", ".join(y["financial_year"] for y in years) or "none yet"
        return message_page(
            request,
            f"There are no ward figures for {doc['financial_year'] or 'undated spending'}",
            [f"Financial years with ward figures: {listed}."],
            status_code=404,
            link={"href": "/wards", "text": "See the latest year"},
        )
    rows = _sorted(doc["wards"], sort)
    problem, shapes = None, None
    try:
        shapes = ward_boundaries(ws)
    except BoundaryError as e:
        problem = str(e)
    counted = {r["ward_code"] for r in rows}
    drawn = {f["properties"]["code"] for f in shapes["features"]} if shapes else set()
    context = page_context(
        request,
        who,
        "Spending by ward",
        doc=doc,
        rows=[_display(r) for r in rows],
        total=_display(doc["total"]),
        sort=sort,
        year=doc["fy_start_year"],
        years=years,
        year_items=[
            {
                "value": y["fy_start_year"],
                "text": y["financial_year"],
                "selected": y["fy_start_year"] == doc["fy_start_year"],
            }  # fmt: skip
            for y in years
        ],
        drivers=drivers,
        spread=_spread(doc["wards"]),
        map=_map(shapes, doc) if shapes else None,
        boundary_problem=problem,
        boundary_file=FILENAME,
        not_on_map=[_display(r) for r in rows if shapes and r["ward_code"] not in drawn],
        no_figures=[
            f["properties"] for f in shapes["features"] if f["properties"]["code"] not in counted
        ]
        if shapes
        else [],  # fmt: skip
    )
    return request.app.state.templates.TemplateResponse(request, "pages/wards.html", context)


def _not_ready(command: str) -> list[str]:
    then = "" if command.endswith("--by ward") else ", then `totalplace count --by ward`"
    return [
        "The count has not yet been shared between the place's wards.",
        f"An analyst can make the ward figures: run `{command}`{then} in the place's workspace.",
    ]


def _years_and_drivers(ws: Workspace, start: int | None) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:  # fmt: skip
    """Return the counted years and, for ``start``, each theme's driver with what it means."""
    with reading(ws, "count", "count_by_ward") as con:
        years = years_available(con)
        t = con.table("count_by_ward")
        t = t.filter(t.fy_start_year.isnull() if start is None else t.fy_start_year == start)
        found = t.select("theme", "driver").distinct().order_by("theme").to_pyarrow().to_pylist()
    drivers = [
        {
            "theme": r["theme"],
            "driver": r["driver"],
            "meaning": DRIVERS.get(r["driver"], r["driver"]),
        }
        for r in found
    ]
    return years, drivers


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Return the ward rows in the order asked for; unknown values (no need figure) last."""
    key, largest_first = SORTS[sort]
    known = [r for r in rows if r[key] is not None]
    unknown = [r for r in rows if r[key] is None]
    return sorted(known, key=lambda r: r[key], reverse=largest_first) + unknown


def _spread(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the wards with the least and most spend per head and the gap between them."""
    known = [r for r in rows if r["per_head"] is not None]
    if len(known) < 2:
        return None
    low = min(known, key=lambda r: r["per_head"])
    high = max(known, key=lambda r: r["per_head"])
    return {"low": _display(low), "high": _display(high), "gap": _pounds(high["per_head"] - low["per_head"])}  # fmt: skip


def _display(row: dict[str, Any]) -> dict[str, Any]:
    """Return ``row`` with its figures as text for the page (exact pounds, thousands separated)."""
    out = dict(row)
    out["amount_text"] = _pounds(row.get("amount"), pence=False)
    out["per_head_text"] = _pounds(row.get("per_head"))
    people = row.get("population")
    out["population_text"] = f"{int(people):,}" if people is not None else "not known"
    share = row.get("most_deprived_decile_share")
    out["decile_text"] = f"{share:.0%}" if share is not None else "not known"
    return out


def _pounds(value: Decimal | None, pence: bool = True) -> str:
    if value is None:
        return "not known"
    return f"£{value:,.2f}" if pence else f"£{value:,.0f}"


def _map(shapes: dict[str, Any], doc: dict[str, Any]) -> Chart:
    """Return the choropleth of spend per head: every ward's outline in grey, filled by its
    figure where it has one (a ward without figures stays grey rather than vanishing)."""
    import altair as alt

    by_code = {r["ward_code"]: r for r in doc["wards"]}
    values = []
    for feature in shapes["features"]:
        row = by_code.get(feature["properties"]["code"])
        values.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    **feature["properties"],
                    # Floats for drawing only: the table beside the map has the exact figures.
                    "per_head": float(row["per_head"])
                    if row and row["per_head"] is not None
                    else None,  # fmt: skip
                    "need_rank": row["need_rank"] if row else None,
                    "spend_rank": row["spend_rank"] if row else None,
                },
            }
        )
    data = alt.Data(values=values)
    outline = alt.Chart(data).mark_geoshape(fill="#f3f2f1", stroke="#505a5f", strokeWidth=0.5)
    filled = (
        alt.Chart(data)
        .transform_filter("isValid(datum.properties.per_head)")
        .mark_geoshape(stroke="#ffffff", strokeWidth=1)
        .encode(
            color=alt.Color(
                "properties.per_head:Q",
                title="Spend per head (£)",
                scale=alt.Scale(scheme="blues"),
                legend=alt.Legend(
                    format=",.2f",
                    orient="bottom",
                    gradientLength=240,
                    tickCount=4,
                    labelOverlap="greedy",
                ),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title="Ward"),
                alt.Tooltip("properties.per_head:Q", title="Spend per head (£)", format=",.2f"),
                alt.Tooltip("properties.need_rank:Q", title="Need rank (1 = most deprived)"),
                alt.Tooltip("properties.spend_rank:Q", title="Spend rank (1 = most per head)"),
            ],
        )
    )
    title = f"Spend per head by ward, {doc['financial_year'] or 'all years'}"
    spec = (
        alt.layer(outline, filled)
        .project(type="mercator")
        .properties(width=560, height=420, title=title, description=title)
        .configure_view(stroke=None)
        .to_dict()
    )
    return chart(spec, title)


class WardRow(TypedDict):
    """A ward's share of the count in the year: amounts are decimal strings in pounds."""

    ward_code: str
    ward_name: str
    amount: str
    population: int | None
    per_head: str | None
    imd_rank: int | None
    most_deprived_decile_share: float | None
    need_rank: int | None
    spend_rank: int


class WardTotal(TypedDict):
    """The place's total over its wards."""

    amount: str
    population: int
    per_head: str | None


class DriverUsed(TypedDict):
    """How a theme was shared between wards: the driver and what it means."""

    theme: str
    driver: str
    meaning: str


class WardsDocument(TypedDict):
    """Spend per head by ward in one financial year, against need, and how it was made."""

    place: dict[str, str]
    fy_start_year: int | None
    financial_year: str | None
    wards: list[WardRow]
    total: WardTotal
    drivers: list[DriverUsed]
    notes: list[str]


@router.get("/api/v1/wards", tags=["api"], response_model=WardsDocument)
def wards_api(request: Request, year: str | None = YEAR) -> Any:
    """Return spend per head by ward in a financial year (the latest by default), with each
    ward's need (IMD rank; need rank 1 = the place's most deprived ward) and the drivers the
    count was shared by. Open to everyone: ward figures are apportioned totals.
    409 when the count by ward has not been made (run `totalplace count --by ward`)."""
    ws: Workspace = request.app.state.workspace
    try:
        doc = wards(ws, viewer(request), year)
        _, drivers = _years_and_drivers(ws, doc["fy_start_year"])
    except YearError as e:
        raise HTTPException(status_code=422, detail=str(e)) from None
    except StageError as e:
        raise HTTPException(status_code=409, detail=f"{e} Run `totalplace count --by ward`.") from None  # fmt: skip
    except WarehouseError:
        raise HTTPException(status_code=409, detail="nothing has been imported yet") from None
    return jsonable({**doc, "drivers": drivers})


@router.get("/api/v1/wards/boundaries", tags=["api"], response_model=dict[str, Any])
def boundaries_api(request: Request) -> Any:
    """Return the place's ward boundaries as a GeoJSON FeatureCollection (longitude/latitude),
    each feature's properties just ``code`` and ``name``. 404 when the workspace has none;
    409 when its wards.geojson cannot be used (the error says why). Open to everyone."""
    try:
        shapes = ward_boundaries(request.app.state.workspace)
    except BoundaryError as e:
        raise HTTPException(status_code=409, detail=str(e)) from None
    if shapes is None:
        raise HTTPException(status_code=404, detail=f"this place has no {FILENAME}")
    return shapes
