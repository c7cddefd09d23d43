"""Suppliers and opportunities (every signed-in role) and the supplier review queue (analysts).

Shared suppliers and procurement categories come from ``web.views.suppliers`` (other
partners' small parts suppressed); back office from ``opp_back_office``, aggregated by
partner and function. The review queue and its decisions are the CLI's
(``totalplace link-review``: ``link.review.review_queue`` / ``record_decision``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.errors import UsageError
from totalplace.stages import StageNotRun, StageStale
from totalplace.web.access import Viewer, suppress_with_total
from totalplace.web.cache import cached
from totalplace.web.deps import require_signed_in
from totalplace.web.people import audit
from totalplace.web.routes.pages import message_page
from totalplace.web.templating import page_context
from totalplace.web.views import suppliers as supplier_view
from totalplace.web.views.common import choose_year, partner_names, reading
from totalplace.years import YearError

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["api"])

SIGNED_IN = ("administrator", "analyst", "board")
QUEUE_SHOWN = 50


def money(amount: Decimal | None) -> str:
    """Return pounds with thousands separators, or 'suppressed' for a withheld figure."""
    return "suppressed" if amount is None else f"£{amount:,.2f}"


def back_office(
    request: Request, who: Viewer, year: int | str | None = None
) -> list[dict[str, Any]]:
    """Return back-office spend by function, each with its partners' parts (suppressed for the viewer)."""
    ws = request.app.state.workspace
    names = partner_names(ws)
    with reading(ws, "opportunities") as con:
        start = choose_year(con, year)
        t = con.table("opp_back_office")
        t = t.filter(t.fy_start_year.isnull() if start is None else t.fy_start_year == start)
        rows = t.order_by(["function", "partner"]).to_pyarrow().to_pylist()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:  # one row per partner x function: a few dozen at most
        entry = out.setdefault(r["function"], {"function": r["function"], "parts": [],
                                               "lines": 0, "amount": Decimal(0),
                                               "saving_central": Decimal(0)})  # fmt: skip
        entry["parts"].append({"partner": r["partner"], "partner_name": names.get(r["partner"], r["partner"]),
                               "lines": int(r["lines"]), "amount": r["amount"]})  # fmt: skip
        entry["lines"] += int(r["lines"])
        entry["amount"] += r["amount"]
        entry["saving_central"] += r["saving_central"] or Decimal(0)
    result = []
    for entry in out.values():
        parts, total = suppress_with_total(
            entry["parts"], {"lines": entry["lines"], "amount": entry["amount"]}, who
        )
        saving = entry["saving_central"] if total["amount"] is not None else None
        result.append({"function": entry["function"], "partners": len(parts), "lines": entry["lines"],
                       "amount": total["amount"], "saving_central": saving,
                       "partners_detail": parts})  # fmt: skip
    return sorted(result, key=lambda r: (r["amount"] is None, -(r["amount"] or 0)))


def _not_ready(request: Request, exc: Exception) -> Response:
    return message_page(
        request,
        "The opportunities have not been found yet",
        [str(exc), "An analyst runs `totalplace opportunities` after importing and counting."],
        status_code=409,  # the service is up; a stage must run first (as every page says it)
    )


@router.get("/suppliers", response_class=HTMLResponse)
def suppliers_page(request: Request, year: str | None = None) -> Response:
    """Show shared suppliers, procurement categories and back office (every signed-in role)."""
    who = require_signed_in(request, *SIGNED_IN)
    year = (year or "")[:9] or None
    try:
        ws = request.app.state.workspace
        data = cached(ws, who, "suppliers", (year,), lambda: supplier_view(ws, who, year))
        offices = back_office(request, who, year)
    except (StageNotRun, StageStale) as exc:
        return _not_ready(request, exc)
    except YearError as exc:
        return message_page(request, "There is no such year", [str(exc)], status_code=404)
    context = page_context(request, who, "Suppliers and opportunities", data=data,
                           back_office=offices, money=money)  # fmt: skip
    return request.app.state.templates.TemplateResponse(request, "pages/suppliers.html", context)


def _queue(request: Request) -> list[dict[str, Any]]:
    from totalplace.link.review import review_queue

    return review_queue(request.app.state.workspace).slice(0, QUEUE_SHOWN).to_pylist()


@router.get("/suppliers/review", response_class=HTMLResponse)
def review_page(request: Request, done: str | None = None) -> Response:
    """Show the supplier review queue: uncertain pairs of payees with their evidence (analysts)."""
    who = require_signed_in(request, "analyst")
    try:
        queue = _queue(request)
    except (StageNotRun, StageStale) as exc:
        return message_page(request, "There is no supplier register to review yet", [str(exc)],
                            status_code=409)  # fmt: skip
    context = page_context(request, who, "Review suppliers", queue=queue, money=money,
                           done=(done or "")[:12])  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, "pages/suppliers_review.html", context
    )


@router.post("/suppliers/review", response_class=HTMLResponse)
async def review_decide(request: Request) -> Response:
    """Record a decision on a pair -- same supplier (merge) or different (apart) -- in the overrides."""
    from totalplace.link.review import record_decision

    who = require_signed_in(request, "analyst")
    form = await request.form(max_files=0, max_fields=4)
    pair = str(form.get("pair") or "")[:12]
    decision = str(form.get("decision") or "")
    if decision not in ("same", "different"):
        raise HTTPException(400, "Choose whether the two payees are the same supplier")
    try:
        recorded = record_decision(request.app.state.workspace, pair, decision == "same")
    except UsageError as exc:  # ReviewError, a stale register, an unreadable overrides file
        raise HTTPException(400, str(exc)) from exc
    with request.app.state.db.session() as session:
        audit(session, who.name, "supplier review", **recorded)
    return RedirectResponse(f"/suppliers/review?done={recorded['pair']}", status_code=303)


# --- the API -------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _stage_error(exc: Exception) -> HTTPException:
    return HTTPException(409, f"{exc} (run `totalplace opportunities`)")


@api.get("/suppliers/shared")
def api_shared_suppliers(request: Request, year: str | None = None) -> dict[str, Any]:
    """Return the suppliers paid by two or more partners, each with its partners' parts (other
    partners' small parts suppressed); amounts as decimal strings. Signed-in roles."""
    who = require_signed_in(request, *SIGNED_IN)
    try:
        data = supplier_view(request.app.state.workspace, who, (year or "")[:9] or None)
    except (StageNotRun, StageStale) as exc:
        raise _stage_error(exc) from exc
    except YearError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _jsonable({k: data[k] for k in ("place", "financial_year", "shared_suppliers",
                                            "suppression_note")})  # fmt: skip


@api.get("/opportunities")
def api_opportunities(request: Request, year: str | None = None) -> dict[str, Any]:
    """Return the opportunities in summary: shared suppliers, procurement categories and back
    office, with the central saving where there is one; amounts as decimal strings. Signed-in roles."""
    who = require_signed_in(request, *SIGNED_IN)
    year = (year or "")[:9] or None
    try:
        ws = request.app.state.workspace
        data = cached(ws, who, "suppliers", (year,), lambda: supplier_view(ws, who, year))
        offices = back_office(request, who, year)
    except (StageNotRun, StageStale) as exc:
        raise _stage_error(exc) from exc
    except YearError as exc:
        raise HTTPException(404, str(exc)) from exc
    summary = {
        "place": data["place"],
        "financial_year": data["financial_year"],
        "shared_suppliers": len(data["shared_suppliers"]),
        "categories": data["categories"],
        "back_office": offices,
        "suppression_note": data["suppression_note"],
    }
    return _jsonable(summary)
