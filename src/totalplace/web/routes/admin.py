"""People administration (/admin, administrators only): organisations, inviting people,
deactivating them, the audit log; and the one-time set-password page an invitation links to."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.errors import UsageError
from totalplace.web import invites
from totalplace.web.access import Viewer
from totalplace.web.deps import viewer
from totalplace.web.routes.pages import message_page
from totalplace.web.routes.proposals import RecordId, signed_in
from totalplace.web.state.models import ROLES
from totalplace.web.templating import page_context

router = APIRouter()

AUDIT_PER_PAGE = 50
ROLE_NAMES = {
    "administrator": "Administrator",
    "analyst": "Partner analyst",
    "board": "Board member",
}


def _render(request: Request, template: str, who: Viewer, title: str, status: int = 200,
            **extra: Any) -> Response:  # fmt: skip
    context = page_context(request, who, title, role_names=ROLE_NAMES, **extra)
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )


def _admin_page(request: Request, who: Viewer, email: str, error: str | None = None,
                status: int = 200) -> Response:  # fmt: skip
    partners = [p.name for p in request.app.state.workspace.partners]
    with request.app.state.db.session() as session:
        organisations = invites.organisations(session)
        people = invites.people(session)
    linked = {o.partner for o in organisations}
    return _render(request, "pages/admin.html", who, "People and organisations", status=status,
                   organisations=organisations, people=people, error=error, viewer_email=email,
                   missing=[p for p in partners if p not in linked])  # fmt: skip


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request) -> Response:
    """Show the organisations (offering the place's partners not yet added) and people."""
    who, me = signed_in(request, "administrator")
    return _admin_page(request, who, me.email)


@router.post("/admin/organisations", response_class=HTMLResponse)
def add_organisation(
    request: Request,
    partner: str = Form("", max_length=500),
    name: str = Form("", max_length=500),
) -> Response:
    """Add an organisation: a partner of place.toml (by its name) or another, by name."""
    who, me = signed_in(request, "administrator")
    partners = {p.name for p in request.app.state.workspace.partners}
    if partner and partner not in partners:
        return _admin_page(request, who, me.email, "Select a partner from the list", status=400)
    try:
        with request.app.state.db.session() as session:
            invites.create_organisation(session, me.email, partner or name, partner or None)
    except UsageError as refused:
        return _admin_page(request, who, me.email, str(refused), status=400)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/people/{person_id}/deactivate", response_class=HTMLResponse)
def deactivate(request: Request, person_id: RecordId) -> Response:
    """Deactivate a person: they can no longer sign in (their records stay)."""
    who, me = signed_in(request, "administrator")
    try:
        with request.app.state.db.session() as session:
            invites.deactivate(session, me.email, me.id, person_id)
    except UsageError as refused:
        return _admin_page(request, who, me.email, str(refused), status=400)
    return RedirectResponse("/admin", status_code=303)


def _record_id(text: str) -> int | None:
    """Return the id a form's select gave, or None (none chosen, or not an id we could hold)."""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def _invite_form(request: Request, who: Viewer, values: dict[str, str], error: str | None = None,
                 status: int = 200) -> Response:  # fmt: skip
    with request.app.state.db.session() as session:
        organisations = invites.organisations(session)
    return _render(request, "pages/admin_invite.html", who, "Invite a person", status=status,
                   values=values, error=error, organisations=organisations, roles=ROLES)  # fmt: skip


@router.get("/admin/people/invite", response_class=HTMLResponse)
def invite_page(request: Request) -> Response:
    """Show the form to invite a person."""
    who, _ = signed_in(request, "administrator")
    return _invite_form(request, who, {})


@router.post("/admin/people/invite", response_class=HTMLResponse)
def invite(
    request: Request,
    email: str = Form("", max_length=500),
    name: str = Form("", max_length=500),
    role: str = Form("", max_length=20),
    organisation: str = Form("", max_length=20),
) -> Response:
    """Invite a person: their account, and a one-time link to choose a password (shown once)."""
    who, me = signed_in(request, "administrator")
    values = {"email": email, "name": name, "role": role, "organisation": organisation}
    try:
        with request.app.state.db.session() as session:
            _, token = invites.invite(session, me.email, email, name, role,
                                      _record_id(organisation))  # fmt: skip
    except UsageError as refused:
        return _invite_form(request, who, values, str(refused), status=400)
    return _invited(request, who, email.strip().lower(), token)


def _invited(request: Request, who: Viewer, email: str, token: str,
             title: str = "Person invited") -> Response:  # fmt: skip
    # The link is shown once: only its hash is kept, so no one can read it back later.
    link = f"{str(request.base_url).rstrip('/')}/set-password?token={token}"
    return _render(request, "pages/admin_invited.html", who, title, link=link,
                   email=email, hours=invites.INVITE_HOURS)  # fmt: skip


@router.post("/admin/people/{person_id}/new-link", response_class=HTMLResponse)
def renew_link(request: Request, person_id: RecordId) -> Response:
    """Make a new set-password link for an invited person who has not used theirs (the old stops)."""
    who, me = signed_in(request, "administrator")
    try:
        with request.app.state.db.session() as session:
            email, token = invites.new_link(session, me.email, person_id)
    except UsageError as refused:
        return _admin_page(request, who, me.email, str(refused), status=400)
    return _invited(request, who, email, token, "New link made")


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log(request: Request, page: int = Query(1, ge=1, le=1_000_000)) -> Response:
    """Show the audit log, newest first, a page at a time."""
    who, _ = signed_in(request, "administrator")
    with request.app.state.db.session() as session:
        found = invites.audit_page(session, page, AUDIT_PER_PAGE)
    return _render(request, "pages/admin_audit.html", who, "Audit log", log=found)


def _password_form(request: Request, token: str, error: str | None = None,
                   status: int = 200) -> Response:  # fmt: skip
    return _render(request, "pages/admin_set_password.html", viewer(request), "Choose a password",
                   status=status, token=token, error=error)  # fmt: skip


@router.get("/set-password", response_class=HTMLResponse)
def set_password_page(request: Request, token: str = Query("", max_length=100)) -> Response:
    """Show the form to choose a password, for a current invitation link (anyone holding it)."""
    with request.app.state.db.session() as session:
        found = invites.invitee(session, token)
    if found is None:
        return message_page(request, "This link does not work", [invites.LINK_PROBLEM + "."],
                            status_code=400)  # fmt: skip
    return _password_form(request, token)


@router.post("/set-password", response_class=HTMLResponse)
def set_password(
    request: Request,
    token: str = Form("", max_length=100),
    password: str = Form("", max_length=1000),
    confirm: str = Form("", max_length=1000),
) -> Response:
    """Set the password of an invited person (the link then stops working) and ask them to sign in."""
    if password != confirm:
        return _password_form(request, token, "Enter the same password twice", status=400)
    try:
        with request.app.state.db.session() as session:
            invites.set_password(session, token, password)
    except UsageError as refused:
        return _password_form(request, token, str(refused), status=400)
    return message_page(request, "Your password is set", ["You can now sign in."],
                        link={"href": "/sign-in", "text": "Sign in"})  # fmt: skip
