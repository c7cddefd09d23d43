"""The board pack on the web: an HTML page of the pack and its PDF (``/board-pack.pdf``), for
signed-in people; ``?scenario=A&scenario=B`` chooses the scenarios (default: all that run)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.web.deps import require_signed_in
from totalplace.web.routes.scenarios import PAGE_DRAWS, SIGNED_IN, _known, scenario_document
from totalplace.web.templating import page_context
from totalplace.workspace import Workspace

__all__ = ["api_router", "router"]

router = APIRouter()
api_router = APIRouter(prefix="/api/v1", tags=["board pack"])
ScenarioQuery = Annotated[list[str], Query(max_length=80)]
PDF = "application/pdf"


def _chosen(ws: Workspace, names: list[str]) -> list[str]:
    """Return the scenarios asked for (each must exist), or every scenario file that can be read."""
    from totalplace.scenario import list_scenarios

    if names:
        return list(dict.fromkeys(_known(ws, n) for n in names[:8]))
    from pathlib import Path

    return [Path(r["file"]).stem for r in list_scenarios(ws) if not r["problem"]]


def _pdf(request: Request, names: list[str]) -> Response:
    from totalplace.web.boardpack import board_pack

    ws = request.app.state.workspace
    chosen = _chosen(ws, names)
    pdf = board_pack(ws, chosen, "pdf", lambda name: scenario_document(ws, name, PAGE_DRAWS))
    headers = {"Content-Disposition": 'attachment; filename="board-pack.pdf"'}
    return Response(pdf, media_type=PDF, headers=headers)


@router.get("/board-pack", response_class=HTMLResponse)
def board_pack_page(request: Request, scenario: ScenarioQuery = []) -> Response:  # noqa: B006
    """Show the board pack: the count, coverage, opportunities and the chosen scenarios."""
    from totalplace.errors import TotalplaceError
    from totalplace.web.boardpack import pack_context
    from totalplace.web.routes.pages import message_page

    who = require_signed_in(request, *SIGNED_IN)
    ws = request.app.state.workspace
    chosen = _chosen(ws, scenario)
    try:
        pack = pack_context(ws, chosen, lambda name: scenario_document(ws, name, PAGE_DRAWS))
    except TotalplaceError as exc:
        return message_page(request, "The board pack cannot be made yet", str(exc).splitlines(),
                            status_code=409)  # fmt: skip
    query = "&".join(f"scenario={n}" for n in chosen)
    context = page_context(request, who, "Board pack", chosen=chosen, query=query,
                           draws=PAGE_DRAWS, **pack)  # fmt: skip
    return request.app.state.templates.TemplateResponse(request, "pages/board_pack.html", context)


@router.get("/board-pack.pdf", response_class=Response, responses={200: {"content": {PDF: {}}}})
def board_pack_pdf(request: Request, scenario: ScenarioQuery = []) -> Response:  # noqa: B006
    """Download the board pack as a PDF (signed-in roles)."""
    require_signed_in(request, *SIGNED_IN)
    return _pdf(request, scenario)


@api_router.get("/board-pack.pdf", response_class=Response, responses={200: {"content": {PDF: {}}}})
def api_board_pack_pdf(request: Request, scenario: ScenarioQuery = []) -> Response:  # noqa: B006
    """Return the board pack as a PDF: the count, coverage, opportunities and the chosen
    scenarios (``?scenario=A&scenario=B``; default all). Signed-in roles."""
    require_signed_in(request, *SIGNED_IN)
    return _pdf(request, scenario)
