"""Residents' pages, without signing in: where the money goes per resident, and the budget
simulator (responses stored with no personal data beyond an optional ward); the board's
summary of the responses."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from totalplace.errors import TotalplaceError
from totalplace.stages import StageError
from totalplace.web.cache import cached
from totalplace.web.charts import chart
from totalplace.web.deps import require_signed_in, viewer
from totalplace.web.figures import theme_bars
from totalplace.web.people import audit
from totalplace.web.residents import (
    MAX_COMMENT,
    per_head_form,
    responses_summary,
    target_per_head,
    to_place_amounts,
)
from totalplace.web.routes.pages import message_page
from totalplace.web.routes.place import YEAR_PATTERN, not_ready
from totalplace.web.state.models import ResidentResponse
from totalplace.web.templating import page_context
from totalplace.web.views import check_response, resident_summary, simulator

router = APIRouter()


@router.get("/residents", response_class=HTMLResponse)
def residents_page(
    request: Request, year: str | None = Query(None, max_length=12, pattern=YEAR_PATTERN)
) -> Response:
    """Show where the money goes per resident, in plain words and a picture."""
    try:
        ws = request.app.state.workspace
        doc = cached(ws, None, "residents", (year,), lambda: resident_summary(ws, year))
    except StageError as exc:
        return not_ready(request, exc)
    except (TotalplaceError, ValueError) as exc:  # a year that is not one, or not counted
        return message_page(request, "There is no such year", [str(exc)], status_code=404)
    bars = chart(
        theme_bars(doc["themes"], f"Pounds a year per resident, {doc['financial_year']}"),
        "Per resident by theme",
    )
    context = page_context(
        request,
        viewer(request),
        f"Where the money goes in {doc['place']['name']}",
        doc=doc,
        bars=bars,
    )
    return request.app.state.templates.TemplateResponse(request, "pages/residents.html", context)


def _form(request: Request, start: dict, values: dict[str, str], errors: dict[str, str], problems: list[str],
          ward: str, comment: str, status: int = 200) -> Response:  # fmt: skip
    wards = _wards(request)
    context = page_context(
        request, viewer(request), "Balance the budget", start=start, themes=per_head_form(start),
        target=target_per_head(start), values=values, errors=errors, problems=problems,
        wards=wards, ward=ward, comment=comment, max_comment=MAX_COMMENT,
    )  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, "pages/simulator.html", context, status_code=status
    )


def _wards(request: Request) -> list[dict[str, str]]:
    """Return the place's wards (code, name) for the optional ward question ([] if unknown),
    read once per workspace state: every view and post of the simulator asks for them."""
    ws = request.app.state.workspace
    return cached(ws, None, "ward-list", (), lambda: _ward_list(ws))


def _ward_list(ws: Any) -> list[dict[str, str]]:
    from totalplace.errors import TotalplaceError
    from totalplace.reference.wards import wards
    from totalplace.workspace.areas import place_districts

    found: list[dict[str, str]] = []
    for district in place_districts((ws.place.code,)):
        try:
            found += [{"code": w.code, "name": w.name} for w in wards(district, ws)]
        except TotalplaceError:  # no ward reference for this district: the question is not asked
            continue
    return sorted(found, key=lambda w: w["name"])


def _start(request: Request) -> dict[str, Any]:
    """Return the simulator's start (themes, floors, target), kept until the warehouse changes."""
    ws = request.app.state.workspace
    return cached(ws, None, "simulator", (), lambda: simulator(ws))


@router.get("/residents/simulator", response_class=HTMLResponse)
def simulator_page(request: Request) -> Response:
    """Show the budget simulator: this year's spending per resident, floors and the target."""
    try:
        start = _start(request)
    except StageError as exc:
        return not_ready(request, exc)
    values = {t["theme"]: f"{t['per_head']:.2f}" for t in per_head_form(start)}
    return _form(request, start, values, {}, [], "", "")


@router.post("/residents/simulator", response_class=HTMLResponse)
async def simulator_submit(request: Request) -> Response:
    """Check a resident's plan; store it (no personal data) when it meets the target and floors."""
    ws = request.app.state.workspace
    start = _start(request)
    form = await request.form()
    themes = per_head_form(start)
    values = {t["theme"]: str(form.get(f"theme-{i}", ""))[:20] for i, t in enumerate(themes)}
    errors: dict[str, str] = {}
    per_head: dict[str, Decimal] = {}
    for theme, text in values.items():
        try:
            amount = Decimal(text.replace("£", "").replace(",", "").strip())
            if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
                raise InvalidOperation
            per_head[theme] = amount
        except InvalidOperation:
            errors[theme] = "Enter an amount in pounds, like 84.53"
    ward = str(form.get("ward", ""))[:20]
    comment = str(form.get("comment", ""))[: MAX_COMMENT + 1]
    if ward and ward not in {w["code"] for w in _wards(request)}:
        errors["ward"] = "Choose a ward from the list, or leave it blank"
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Comments must be {MAX_COMMENT} characters or fewer"
    if errors:
        return _form(request, start, values, errors, [], ward, comment[:MAX_COMMENT], status=400)
    check = check_response(
        ws, start["fy_start_year"], to_place_amounts(per_head, start["population"])
    )
    if not check.ok:
        messages = {t: m for t, m in check.messages.items() if "below" in m or "Give" in m}
        return _form(request, start, values, messages, check.problems, ward, comment, status=400)
    with request.app.state.db.session() as session:
        session.add(ResidentResponse(financial_year=start["financial_year"], ward=ward or None,
                                     allocations={t: f"{v:.2f}" for t, v in per_head.items()}, comment=comment))  # fmt: skip
        audit(session, "public", "simulator response", ward=ward or "not given")
    context = page_context(request, viewer(request), "Thank you", start=start, per_head=per_head)
    return request.app.state.templates.TemplateResponse(
        request, "pages/simulator_done.html", context
    )


@router.get("/residents/responses", response_class=HTMLResponse)
def responses_page(request: Request) -> Response:
    """Show the board the residents' responses, by theme and ward."""
    who = require_signed_in(request, "board", "administrator", "analyst")
    start = _start(request)
    with request.app.state.db.session() as session:
        summary = responses_summary(session, start["financial_year"])
    context = page_context(
        request,
        who,
        "What residents said",
        start=start,
        summary=summary,
        themes=per_head_form(start),
    )
    return request.app.state.templates.TemplateResponse(request, "pages/responses.html", context)
