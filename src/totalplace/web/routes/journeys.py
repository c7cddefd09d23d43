"""Customer journeys (deep dives): ``/journeys`` lists the workspace's journey files, ``/journeys/{name}``
costs one per agency a year, current against redesigned, each contact with its unit cost's source;
JSON twins under ``/api/v1/journeys``. Signed-in roles (a planning tool, as the scenarios are).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from totalplace.journey import JourneyFileError
from totalplace.report.documents import jsonable
from totalplace.stages import StageError
from totalplace.web.charts import chart
from totalplace.web.deps import require_signed_in
from totalplace.web.routes.pages import message_page
from totalplace.web.routes.place import not_ready
from totalplace.web.templating import page_context
from totalplace.web.views.journeys import JourneyNotFound, journey_page_data, journeys_list

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["place over time"])

SIGNED_IN = ("administrator", "analyst", "board")
NAME = Path(
    ...,
    max_length=100,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    description="The journey file's name, without .toml",
)
CHART_TITLES = {
    "timeline": "The contacts of each path, sized by their yearly cost",
    "agencies": "Each agency's yearly cost, current beside redesigned",
}


@router.get("/journeys", response_class=HTMLResponse)
def journeys_page(request: Request) -> Response:
    """List the journey files: each cohort and how many contacts each path has."""
    who = require_signed_in(request, *SIGNED_IN)
    context = page_context(
        request, who, "Customer journeys", journeys=journeys_list(request.app.state.workspace)
    )
    return request.app.state.templates.TemplateResponse(request, "pages/journeys.html", context)


def _doc(request: Request, name: str) -> dict[str, Any]:
    ws = request.app.state.workspace
    # Journey files are read each time (cheap): a changed file shows at once; no cache by warehouse.
    return journey_page_data(ws, name)


@router.get("/journeys/{name}", response_class=HTMLResponse)
def journey_page(request: Request, name: str = NAME) -> Response:
    """Show one journey costed per agency a year, current against redesigned, and every contact."""
    who = require_signed_in(request, *SIGNED_IN)
    try:
        doc = _doc(request, name)
    except StageError as exc:
        return not_ready(request, exc)
    except JourneyNotFound as exc:
        return message_page(request, "There is no such journey", [str(exc)], status_code=404)
    except JourneyFileError as exc:
        problems = [(f"line {p.line}: " if p.line else "") + p.message for p in exc.problems]
        return message_page(request, f"The journey file {exc.path.name} cannot be used",
                            ["Correct the file; nothing was computed.", *problems], status_code=400)  # fmt: skip
    charts = [chart(spec, CHART_TITLES.get(key, key)) for key, spec in doc["charts"].items()]
    context = page_context(request, who, doc["journey"]["name"], doc=doc, charts=charts)
    return request.app.state.templates.TemplateResponse(request, "pages/journey.html", context)


class JourneyList(BaseModel):
    """The workspace's journey files."""

    journeys: list[dict[str, Any]] = Field(
        description="name, slug (for /journeys/{slug}), file, cohort, contacts per path, problem"
    )


class JourneyAnswer(BaseModel):
    """One journey costed: totals, per agency (current, redesigned, difference), every contact traced
    to its unit cost; amounts as decimal strings."""

    slug: str
    journey: dict[str, Any]
    cohort: dict[str, Any]
    totals: dict[str, Any]
    agencies: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    method: str
    citation: str


@api.get("/journeys")
def journeys_api(request: Request) -> JourneyList:
    """Return the journey files of the workspace (signed-in roles)."""
    require_signed_in(request, *SIGNED_IN)
    return JourneyList(journeys=journeys_list(request.app.state.workspace))


@api.get("/journeys/{name}")
def journey_api(request: Request, name: str = NAME) -> JourneyAnswer:
    """Return one journey costed per agency a year, current against redesigned (signed-in roles)."""
    require_signed_in(request, *SIGNED_IN)
    try:
        doc = _doc(request, name)
    except StageError as exc:
        raise HTTPException(409, str(exc)) from None
    except JourneyNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except JourneyFileError as exc:
        raise HTTPException(400, str(exc).replace(str(exc.path), exc.path.name)) from None
    return JourneyAnswer(**jsonable({k: v for k, v in doc.items() if k != "charts"}))
