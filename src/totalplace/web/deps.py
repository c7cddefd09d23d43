"""Who is asking: the signed-in account behind a request, as a :class:`Viewer`, and role checks."""

from __future__ import annotations

from fastapi import HTTPException, Request

from totalplace.web.access import PUBLIC, Viewer
from totalplace.web.people import Account, account_by_id

__all__ = ["SESSION_KEY", "account", "require_signed_in", "viewer"]

SESSION_KEY = "person_id"


def account(request: Request) -> Account | None:
    """Return the signed-in account of this request, or None."""
    person_id = request.session.get(SESSION_KEY)
    if not isinstance(person_id, int):
        return None
    with request.app.state.db.session() as session:
        found = account_by_id(session, person_id)
    if found is None:  # deactivated since: the session no longer counts
        request.session.pop(SESSION_KEY, None)
    return found


def viewer(request: Request) -> Viewer:
    """Return who is looking: the signed-in account's role and partner, or the public."""
    found = account(request)
    if found is None:
        return PUBLIC
    return Viewer(found.role, found.partner, found.name)  # type: ignore[arg-type]


def require_signed_in(request: Request, *roles: str) -> Viewer:
    """Return the viewer if signed in (with one of ``roles``, when given); 401 or 403 otherwise."""
    found = viewer(request)
    if found.role == "public":
        raise HTTPException(status_code=401, detail="Sign in to see this page")
    if roles and found.role not in roles:
        raise HTTPException(status_code=403, detail="Your account cannot see this page")
    return found
