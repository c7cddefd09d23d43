"""STAND-IN for the lead's web foundation (totalplace.web): delete this file once it is merged.

Same names as the fixed interface -- ``Settings``, ``create_app``, ``DEMO_ACCOUNTS``,
``DEMO_PASSWORD`` -- and the same routes (/, /sign-in, /sign-out, /residents,
/api/v1/health, /openapi.json), GOV.UK-looking enough (header, skip link, main landmark)
for the browser, axe, schemathesis and load harness to be exercised before the real app
exists. It reads nothing from the warehouse and enforces nothing worth testing.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer

DEMO_PASSWORD = "demo-password-not-for-production"
DEMO_ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "admin@example.org": ("administrator", None),
    "analyst@hyndburn.example.org": ("analyst", "Hyndburn Borough Council"),
    "analyst@police.example.org": ("analyst", "Lancashire Police and Crime Commissioner"),
    "board@example.org": ("board", None),
}

_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"


@dataclass(frozen=True)
class Settings:
    """The stand-in's settings, with the foundation's field names."""

    workspace: Path
    database_url: str | None = None
    secret_key: str | None = None
    demo: bool = False


def _page(title: str, body: str, *, who: str | None = None) -> HTMLResponse:
    account = (
        '<form method="post" action="/sign-out"><button class="govuk-button">Sign out</button></form>'
        if who
        else '<a class="govuk-header__link" href="/sign-in">Sign in</a>'
    )
    text = f"""<!DOCTYPE html>
<html lang="en" class="govuk-template">
<head><meta charset="utf-8"><title>{html.escape(title)} - Total Place</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"></head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="govuk-header" role="banner"><div class="govuk-header__container govuk-width-container">
<a href="/" class="govuk-header__link govuk-header__service-name">Total Place (stand-in)</a>
<nav aria-label="Account">{account}</nav></div></header>
<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-l">{html.escape(title)}</h1>{body}</main></div>
<footer class="govuk-footer"><p>Stand-in page for the test harness.</p></footer>
</body></html>"""
    return HTMLResponse(text, headers={"Content-Security-Policy": _CSP})


def create_app(settings: Settings) -> FastAPI:
    """Return the stand-in app: the foundation's routes, signed-cookie sign-in, CSRF on forms."""
    app = FastAPI(title="totalplace (stand-in)")
    signer = URLSafeSerializer(settings.secret_key or secrets.token_hex(16), salt="session")

    def viewer(request: Request) -> dict[str, Any] | None:
        try:
            return signer.loads(request.cookies.get("session", ""))
        except BadSignature:
            return None

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request) -> Response:
        who = viewer(request)
        if who is None:
            return RedirectResponse("/sign-in", status_code=303)
        return _page(
            "The place", f"<p class='govuk-body'>Signed in as {who['email']}.</p>", who=who
        )

    @app.get("/sign-in", response_class=HTMLResponse, include_in_schema=False)
    def sign_in_form() -> Response:
        token = secrets.token_urlsafe(16)
        form = f"""<form method="post" action="/sign-in" novalidate>
<input type="hidden" name="csrf_token" value="{token}">
<div class="govuk-form-group"><label class="govuk-label" for="email">Email address</label>
<input class="govuk-input" id="email" name="email" type="email" autocomplete="email"></div>
<div class="govuk-form-group"><label class="govuk-label" for="password">Password</label>
<input class="govuk-input" id="password" name="password" type="password"
 autocomplete="current-password"></div>
<button type="submit" class="govuk-button">Sign in</button></form>"""
        response = _page("Sign in", form)
        response.set_cookie("csrf", token, httponly=True, samesite="lax")
        return response

    @app.post("/sign-in", include_in_schema=False)
    def sign_in(
        request: Request,
        email: str = Form(""),
        password: str = Form(""),
        csrf_token: str = Form(""),
    ) -> Response:
        if not csrf_token or csrf_token != request.cookies.get("csrf"):
            return _page("Sign in", "<p class='govuk-body'>The form has expired.</p>")
        if email not in DEMO_ACCOUNTS or password != DEMO_PASSWORD:
            return _page("Sign in", "<p class='govuk-error-message'>Wrong email or password.</p>")
        role, partner = DEMO_ACCOUNTS[email]
        response = RedirectResponse("/", status_code=303)
        cookie = signer.dumps({"email": email, "role": role, "partner": partner})
        response.set_cookie("session", cookie, httponly=True, samesite="lax")
        return response

    @app.post("/sign-out", include_in_schema=False)
    def sign_out() -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie("session")
        return response

    @app.get("/residents", response_class=HTMLResponse, include_in_schema=False)
    def residents() -> Response:
        return _page("Where your money goes", "<p class='govuk-body'>Stand-in.</p>")

    @app.get("/api/v1/health")
    def health() -> dict[str, str]:
        """Return the service's state."""
        return {"status": "ok", "workspace": settings.workspace.name}

    return app
