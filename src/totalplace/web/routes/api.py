"""The JSON API under /api/v1: the figures of the pages, under the same access rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from totalplace.web.deps import viewer

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """Return that the service is up, and which place it serves."""
    workspace = request.app.state.workspace
    return {"status": "ok", "place": workspace.place.name, "code": workspace.place.code}


@router.get("/me")
def me(request: Request) -> dict[str, Any]:
    """Return who is asking: role and partner (the public when not signed in)."""
    found = viewer(request)
    return {"role": found.role, "partner": found.partner, "name": found.name}
