"""The Jinja2 environment: our templates, then GOV.UK Frontend's (govuk-frontend-jinja), and what
every page's context holds (the viewer, the menu, the CSRF token, the CSP nonce)."""

from __future__ import annotations

from typing import Any

import jinja2
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from totalplace.web.access import Viewer
from totalplace.web.security import csrf_token, nonce_of

__all__ = ["SERVICE_NAME", "navigation", "page_context", "templates"]

SERVICE_NAME = "totalplace"


def templates() -> Jinja2Templates:
    """Return the templates of the service (autoescaped; undefined names are errors in tests)."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("totalplace.web", "templates"),
                jinja2.PrefixLoader(
                    {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
                ),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tp_with"] = lambda mapping, key, value: {**mapping, key: value}
    env.filters["tp_ward_item"] = lambda ward, chosen: {
        "value": ward["code"],
        "text": ward["name"],
        "selected": ward["code"] == chosen,
    }
    return Jinja2Templates(env=env)


def navigation(request: Request, viewer: Viewer) -> list[dict[str, Any]]:
    """Return the service navigation for this viewer, the current page marked."""
    items = [
        ("/", "Overview"),
        ("/trends", "Over time"),
        ("/outcomes", "Outcomes"),
        ("/wards", "Wards"),
    ]
    if viewer.role in ("analyst", "administrator"):
        items.append(("/upload", "Upload"))
    if viewer.role != "public":
        items += [("/suppliers", "Suppliers"), ("/integrity", "Integrity"), ("/scenarios", "Scenarios"),
                  ("/journeys", "Journeys"), ("/proposals", "Proposals"), ("/board-pack", "Board pack")]  # fmt: skip
    if viewer.role == "administrator":
        items.append(("/admin", "People"))
    items.append(("/residents", "For residents"))
    items.append(("/sign-out", "Sign out") if viewer.role != "public" else ("/sign-in", "Sign in"))
    path = request.url.path
    return [
        {
            "href": href,
            "text": text,
            "active": href == path or (href != "/" and path.startswith(href)),
        }
        for href, text in items
    ]


def page_context(request: Request, viewer: Viewer, title: str, **extra: Any) -> dict[str, Any]:
    """Return the context every page template needs, with the page's own values."""
    workspace = request.app.state.workspace
    return {
        "request": request,
        "title": title,
        "service_name": SERVICE_NAME,
        "place_name": workspace.place.name,
        "viewer": viewer,
        "navigation": navigation(request, viewer),
        "csrf_token": csrf_token(request),
        "csp_nonce": nonce_of(request),
        **extra,
    }
