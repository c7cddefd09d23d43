"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.web.deps import SESSION_KEY, viewer
from totalplace.web.people import SignInRefused, audit, sign_in
from totalplace.web.templating import page_context

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this service, else "/" (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    """Show the sign-in form."""
    context = page_context(request, viewer(request), "Sign in", error=None, email="",
                           next_url=_safe_next(next))  # fmt: skip
    return request.app.state.templates.TemplateResponse(request, "pages/sign_in.html", context)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request,
    email: str = Form("", max_length=320),
    password: str = Form("", max_length=256),
    next: str = Form("/", max_length=500),
) -> Response:
    """Sign in: on success a fresh session (no fixation) and back to where they were going."""
    settings = request.app.state.settings
    address = request.client.host if request.client else "unknown"
    try:
        with request.app.state.db.session() as session:
            account = sign_in(session, email, password, address, settings.sign_in_limit,
                              settings.sign_in_window_seconds)  # fmt: skip
    except SignInRefused as refused:
        context = page_context(request, viewer(request), "Sign in", error=str(refused), email=email,
                               next_url=_safe_next(next))  # fmt: skip
        return request.app.state.templates.TemplateResponse(
            request, "pages/sign_in.html", context, status_code=400
        )
    request.session.clear()  # a new session for the signed-in person: no fixation
    request.session[SESSION_KEY] = account.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/sign-out", response_class=HTMLResponse)
def sign_out_page(request: Request) -> Response:
    """Ask to confirm signing out (a form, so the change is a POST with its CSRF token)."""
    context = page_context(request, viewer(request), "Sign out")
    return request.app.state.templates.TemplateResponse(request, "pages/sign_out.html", context)


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    """Sign out and go to the sign-in page."""
    who = viewer(request)
    if who.role != "public":
        with request.app.state.db.session() as session:
            audit(session, who.name or "unknown", "signed out")
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)
