"""Scenario pages and their API: the workspace's scenarios, one scenario appraised (measures,
who pays and who benefits, gain-share, Monte Carlo fan, tornado) and scenarios compared.

A run takes about a second, so runs are kept in memory per (file digest, warehouse
version, draws, seed): a page is quick after the first look. Pages run
:data:`PAGE_DRAWS` draws and say so; ``?draws=full`` runs the file's own number.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from typing_extensions import TypedDict

from totalplace.web.charts import chart
from totalplace.web.deps import require_signed_in
from totalplace.web.templating import page_context
from totalplace.workspace import Workspace

__all__ = ["PAGE_DRAWS", "api_router", "plain", "router", "scenario_document", "scenario_stems"]

router = APIRouter()
api_router = APIRouter(prefix="/api/v1", tags=["scenarios"])

#: Draws a page runs (the file's own, often 10,000, on request): enough for stable P10-P90.
PAGE_DRAWS = 2_000
_CACHE_SIZE = 32
_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_lock = threading.Lock()
SIGNED_IN = ("administrator", "analyst", "board")


def scenario_stems(ws: Workspace) -> list[str]:
    """Return the names (file stems) of the workspace's scenario files, sorted."""
    from totalplace.scenario.spec import scenario_names

    return [path.stem for path in scenario_names(ws)]


def _known(ws: Workspace, name: str) -> str:
    """Return ``name`` if it is one of the workspace's scenario files; 404 otherwise (never a path)."""
    if name not in scenario_stems(ws):
        raise HTTPException(status_code=404, detail=f"There is no scenario called {name[:80]!r}.")
    return name


def _version(ws: Workspace, name: str) -> tuple[str, float]:
    """Return the scenario file's digest and the warehouse's modification time (its version)."""
    from totalplace.scenario import scenario_path

    digest = hashlib.sha256(scenario_path(ws, name).read_bytes()).hexdigest()
    warehouse = ws.root / ".totalplace" / "warehouse.duckdb"
    return digest, warehouse.stat().st_mtime if warehouse.exists() else 0.0


def scenario_document(
    ws: Workspace, name: str, draws: int | None = PAGE_DRAWS, seed: int | None = None
) -> dict[str, Any]:
    """Return scenario ``name``'s run document (``draws`` None: the file's), from memory when
    the same file, warehouse, draws and seed were run before.

    Raises ScenarioFileError or the stage contract's errors, as run_scenario does.
    """
    from totalplace.scenario import document, run_scenario

    key = (str(ws.root), name, *_version(ws, name), draws, seed)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    found = document(run_scenario(ws, name, draws, seed))
    found["scenario"]["file"] = Path(found["scenario"]["file"]).name  # no server paths shown
    with _lock:
        _cache[key] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def plain(value: Any) -> Any:
    """Return ``value`` ready for JSON with amounts as decimal strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _draws(full: str | None) -> int | None:
    return None if full == "full" else PAGE_DRAWS


def _problem_page(request: Request, exc: Exception) -> Response:
    from totalplace.web.routes.pages import message_page

    return message_page(
        request, "This scenario cannot be run", str(exc).splitlines(), status_code=422,
        link={"href": "/scenarios", "text": "Back to the scenarios"},
    )  # fmt: skip


def _render(request: Request, template: str, context: dict[str, Any]) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context)


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request) -> Response:
    """Show the workspace's scenarios, with links to each and a comparison form."""
    from totalplace.scenario import list_scenarios

    who = require_signed_in(request, *SIGNED_IN)
    ws = request.app.state.workspace
    rows = [row | {"key": Path(row["file"]).stem} for row in list_scenarios(ws)]
    context = page_context(request, who, "Scenarios", rows=rows)
    return _render(request, "pages/scenarios.html", context)


@router.get("/scenarios/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    name: Annotated[list[str], Query(max_length=80)] = [],  # noqa: B006 -- FastAPI copies it
    draws: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """Show two or more scenarios side by side."""
    from totalplace.errors import TotalplaceError
    from totalplace.scenario import compare_scenarios

    who = require_signed_in(request, *SIGNED_IN)
    ws = request.app.state.workspace
    chosen = list(dict.fromkeys(_known(ws, n) for n in name[:6]))
    if len(chosen) < 2:
        context = page_context(
            request, who, "Compare scenarios", rows=[], stems=scenario_stems(ws),
            error="Choose two or more scenarios to compare",
        )  # fmt: skip
        return request.app.state.templates.TemplateResponse(
            request, "pages/scenarios_compare.html", context, status_code=400
        )
    try:
        found = compare_scenarios(ws, chosen, _draws(draws))
    except TotalplaceError as exc:
        return _problem_page(request, exc)
    context = page_context(
        request, who, "Compare scenarios", doc=found, stems=scenario_stems(ws),
        draws=None if draws == "full" else PAGE_DRAWS, chosen=chosen, error=None,
    )  # fmt: skip
    return _render(request, "pages/scenarios_compare.html", context)


@router.get("/scenarios/{name}", response_class=HTMLResponse)
def scenario_page(
    request: Request, name: str, draws: Annotated[str | None, Query(max_length=8)] = None
) -> Response:
    """Show one scenario appraised: measures, positions, matrix, gain-share, spread and charts."""
    from totalplace.errors import TotalplaceError
    from totalplace.scenario.charts import charts

    who = require_signed_in(request, *SIGNED_IN)
    ws = request.app.state.workspace
    try:
        doc = scenario_document(ws, _known(ws, name), _draws(draws))
    except TotalplaceError as exc:
        return _problem_page(request, exc)
    specs = charts(doc)
    titles = {
        "waterfall": "Where the net present value comes from",
        "payer_beneficiary": "Who pays and who benefits",
        "fan": "Cumulative net over the years",
        "tornado": "Inputs that move the net present public value most",
    }
    drawn = {key: chart(spec, titles[key]) for key, spec in specs.items()}
    waterfall = _waterfall_rows(doc)
    context = page_context(
        request, who, doc["scenario"]["name"], doc=doc, key=name, charts=drawn,
        waterfall=waterfall, full=draws == "full", page_draws=PAGE_DRAWS,
        may_build=who.role in ("analyst", "board", "administrator"),
    )  # fmt: skip
    return _render(request, "pages/scenario.html", context)


def _waterfall_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each lever's costs and benefits (PV): the waterfall chart's figures."""
    totals: dict[tuple[str, str], Decimal] = {}
    for stream in doc["streams"]:
        side = "costs" if stream["kind"].endswith("_cost") else "benefits"
        key = (stream["lever"], side)
        totals[key] = totals.get(key, Decimal(0)) + (stream["present_value"] or Decimal(0))
    return [{"lever": k[0], "side": k[1], "amount": v} for k, v in totals.items()]


# --- the API -------------------------------------------------------------------------------


class ScenarioListItem(TypedDict):
    """A scenario file of the workspace: its name (for the URLs), title, levers and any problem."""

    name: str
    title: str
    levers: list[str]
    problem: str | None


class ScenarioList(TypedDict):
    """The workspace's scenarios."""

    scenarios: list[ScenarioListItem]


class ScenarioDocument(TypedDict):
    """A scenario run (the CLI's ``scenario run --json``); amounts are decimal strings."""

    scenario: dict[str, Any]
    inputs: dict[str, Any]
    years: list[str]
    measures: dict[str, Any]
    by_year: list[dict[str, Any]]
    streams: list[dict[str, Any]]
    agencies: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    payer_beneficiary: dict[str, Any]
    gain_share: dict[str, Any]
    monte_carlo: dict[str, Any]
    local_economy: list[dict[str, Any]]
    tornado: list[dict[str, Any]]


class ScenarioComparison(TypedDict):
    """Scenarios side by side: one row per measure, a column per scenario (the CLI's compare)."""

    scenarios: list[str]
    rows: list[dict[str, Any]]


def _api_error(exc: Exception) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=422)


@api_router.get("/scenarios", response_model=ScenarioList)
def api_scenarios(request: Request) -> Response:
    """Return the workspace's scenarios (signed-in roles)."""
    from totalplace.scenario import list_scenarios

    require_signed_in(request, *SIGNED_IN)
    rows = list_scenarios(request.app.state.workspace)
    return JSONResponse({"scenarios": [
        {"name": Path(r["file"]).stem, "title": r["name"], "levers": r["levers"], "problem": r["problem"]}
        for r in rows
    ]})  # fmt: skip


@api_router.get("/scenarios/compare", response_model=ScenarioComparison)
def api_compare(
    request: Request,
    name: Annotated[list[str], Query(max_length=80)] = [],  # noqa: B006
    draws: Annotated[int, Query(ge=1, le=100_000)] = PAGE_DRAWS,
    seed: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
) -> Response:
    """Return two or more scenarios compared (``?name=A&name=B``; signed-in roles)."""
    from totalplace.errors import TotalplaceError
    from totalplace.scenario import compare_scenarios

    require_signed_in(request, *SIGNED_IN)
    ws = request.app.state.workspace
    chosen = list(dict.fromkeys(_known(ws, n) for n in name[:6]))
    if len(chosen) < 2:
        return JSONResponse({"error": "give two or more scenario names"}, status_code=400)
    try:
        found = compare_scenarios(ws, chosen, draws, seed)
    except TotalplaceError as exc:
        return _api_error(exc)
    return JSONResponse(plain({"scenarios": found["scenarios"], "rows": found["rows"]}))


@api_router.get("/scenarios/{name}", response_model=ScenarioDocument)
def api_scenario(
    request: Request,
    name: str,
    draws: Annotated[int, Query(ge=1, le=100_000)] = PAGE_DRAWS,
    seed: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
) -> Response:
    """Return scenario ``name`` run with ``draws`` Monte Carlo draws (signed-in roles)."""
    from totalplace.errors import TotalplaceError

    require_signed_in(request, *SIGNED_IN)
    ws = request.app.state.workspace
    try:
        doc = scenario_document(ws, _known(ws, name), draws, seed)
    except TotalplaceError as exc:
        return _api_error(exc)
    return JSONResponse(plain(doc))


def documents_for(ws: Workspace, names: Sequence[str], draws: int | None) -> Any:
    """Return a runner of cached scenario documents for the board pack."""
    return lambda name: scenario_document(ws, name, draws)
