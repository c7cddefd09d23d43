"""The pages everyone can reach: the accessibility statement and the error pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.web.deps import viewer
from totalplace.web.templating import page_context

router = APIRouter()


def message_page(
    request: Request, title: str, paragraphs: list[str], status_code: int = 200,
    link: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """Return a GOV.UK page of a heading and paragraphs (errors, confirmations)."""
    context = page_context(
        request, viewer(request), title, heading=title, paragraphs=paragraphs, link=link
    )
    return request.app.state.templates.TemplateResponse(
        request, "pages/message.html", context, status_code=status_code
    )


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request) -> Response:
    """Show the accessibility statement."""
    return message_page(
        request,
        "Accessibility statement",
        [
            "This service follows the GOV.UK Design System and aims to meet the Web Content "
            "Accessibility Guidelines (WCAG) 2.2 at level AA.",
            "Every chart has a table beside it with the same figures. Pages work without "
            "JavaScript; with it, charts can be explored.",
            "Each page is checked with axe-core in a real browser before release.",
        ],
    )


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """Show the JSON API's operations (from the OpenAPI document) as a GOV.UK page."""
    document = request.app.openapi()
    operations = [
        {"method": method.upper(), "path": path, "summary": operation.get("summary", ""),
         "description": (operation.get("description") or "").split("\n")[0]}
        for path, methods in sorted(document.get("paths", {}).items())
        if path.startswith("/api/")
        for method, operation in methods.items()
    ]  # fmt: skip
    context = page_context(request, viewer(request), "The JSON API", operations=operations)
    return request.app.state.templates.TemplateResponse(request, "pages/api_docs.html", context)
