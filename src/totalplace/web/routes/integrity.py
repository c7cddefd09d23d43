"""Payment integrity findings: the page, one finding, the analyst's download, and the API twins.

Analysts see their own partner's findings with the transactions behind them and other
partners' only as aggregates; administrators the aggregates; the board the plain-language
summary and the totals by detector and grade (``web.views.integrity`` holds the rules).
A finding the viewer may not see is "not found", exactly as one that does not exist.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from totalplace.errors import UsageError
from totalplace.stages import StageNotRun, StageStale
from totalplace.web.access import Viewer
from totalplace.web.cache import cached
from totalplace.web.deps import require_signed_in
from totalplace.web.people import audit
from totalplace.web.routes.pages import message_page
from totalplace.web.templating import page_context
from totalplace.web.views import integrity as view

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["integrity"])

SIGNED_IN = ("administrator", "analyst", "board")
#: Query values are short: a detector's name, a grade, a financial year.
Text = Annotated[str | None, Query(max_length=view.FILTER_MAX)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
NOT_FOUND = "There is no finding with that id that you can see."


def _overview(request: Request, who: Viewer, detector: str | None, grade: str | None,
              year: str | None, page: int) -> dict[str, Any]:  # fmt: skip
    """Return the page's figures for the viewer (cached until the warehouse changes)."""
    ws = request.app.state.workspace
    filters = cached(ws, None, "integrity-filters", (detector, grade, year, page),
                     lambda: view.check_filters(ws, detector, grade, year, page))  # fmt: skip
    data = cached(
        ws, who, "integrity", (filters,), lambda: view.findings_overview(ws, who, filters)
    )
    if filters != view.Filters(page=filters.page):
        return {**data, "board_summary": [], "board_summary_note":
                "The written summary covers every finding: clear the filters to read it."}  # fmt: skip
    leave_out = tuple((r["detector"], r["grade"]) for r in data["summary"] if r["suppressed"])
    words = cached(ws, who, "integrity-board", (leave_out,),
                   lambda: view.board_paragraphs(ws, leave_out))  # fmt: skip
    return {**data, "board_summary": words, "board_summary_note": None}


def _not_ready(request: Request, exc: Exception) -> Response:
    return message_page(
        request,
        "Payment integrity has not been checked yet",
        [str(exc), "An analyst runs `totalplace integrity` after importing, counting and linking."],
        status_code=409,  # the service is up; a stage must run first
    )


def _selects(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return the filter form's options (GOV.UK select items), the chosen one selected."""
    chosen, choices = data["filters"], data["choices"]
    years = [(y["financial_year"], y["financial_year"]) for y in choices["years"]]
    options = {"detector": [(d, d) for d in choices["detectors"]],
               "grade": [(g, g) for g in choices["grades"]], "year": years}  # fmt: skip
    every = {"detector": "Every detector", "grade": "Every grade", "year": "Every year"}
    return {
        key: [{"value": "", "text": every[key]}]
        + [{"value": v, "text": t, "selected": v == chosen[key]} for v, t in items]
        for key, items in options.items()
    }


def _query(filters: dict[str, Any]) -> str:
    """Return the filters as a query string (for the download and the page links)."""
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in filters.items() if v is not None and k != "page"})


@router.get("/integrity", response_class=HTMLResponse)
def integrity_page(request: Request, detector: Text = None, grade: Text = None,
                   year: Text = None, page: PageNumber = 1) -> Response:  # fmt: skip
    """Show payment integrity findings: totals by detector and grade (signed-in roles), the
    viewer's own partner's findings (analysts) and other partners' as aggregates."""
    who = require_signed_in(request, *SIGNED_IN)
    try:
        data = _overview(request, who, detector, grade, year, page)
    except (StageNotRun, StageStale) as exc:
        return _not_ready(request, exc)
    except UsageError as exc:  # a filter that is not one of the findings' (FilterError, YearError)
        return message_page(request, "There is a problem with the filters", [str(exc)],
                            status_code=400, link={"href": "/integrity", "text": "Show every finding"})  # fmt: skip
    context = page_context(request, who, "Payment integrity", data=data, money=view.amount_text,
                           selects=_selects(data), query=_query(data["filters"]))  # fmt: skip
    return request.app.state.templates.TemplateResponse(request, "pages/integrity.html", context)


@router.get("/integrity/download")
def integrity_download(request: Request, format: Literal["csv", "xlsx"] = "xlsx",
                       detector: Text = None, grade: Text = None, year: Text = None) -> Response:  # fmt: skip
    """Download the analyst's own partner's findings with the transactions behind each (XLSX:
    findings and payments sheets; CSV: one row per payment with its finding). Analysts only."""
    from totalplace.report import export_table, write_workbook

    who = require_signed_in(request, "analyst")
    ws = request.app.state.workspace
    try:
        filters = view.check_filters(ws, detector, grade, year)
        tables = view.own_findings_tables(ws, who, filters)
    except (StageNotRun, StageStale) as exc:
        return _not_ready(request, exc)
    except UsageError as exc:
        raise HTTPException(400, str(exc)) from exc
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"integrity-findings.{format}"
        if format == "xlsx":
            write_workbook(tables, path)  # text neutralised: never a formula or link
        else:
            export_table(tables["payments"], path)
        body = path.read_bytes()
    with request.app.state.db.session() as session:
        audit(session, who.name, "integrity download", format=format,
              findings=tables["findings"].num_rows, **filters.as_json())  # fmt: skip
    kind = "text/csv" if format == "csv" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    headers = {"Content-Disposition": f'attachment; filename="integrity-findings.{format}"'}
    return Response(body, media_type=kind, headers=headers)


@router.get("/integrity/{finding_id}", response_class=HTMLResponse)
def finding_page(request: Request, finding_id: str) -> Response:
    """Show one finding: its statistic, rule and the transactions behind it (analysts of a
    partner in it; anyone else is told it is not found)."""
    who = require_signed_in(request, *SIGNED_IN)
    ws = request.app.state.workspace
    try:
        found = cached(ws, who, "integrity-finding", (finding_id[:200],),
                       lambda: view.finding_detail(ws, who, finding_id))  # fmt: skip
    except (StageNotRun, StageStale) as exc:
        return _not_ready(request, exc)
    if found is None:
        raise HTTPException(404, NOT_FOUND)
    context = page_context(request, who, f"Finding: {found['detector']}", finding=found,
                           money=view.amount_text, shown_max=view.TRANSACTIONS_SHOWN)  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, "pages/integrity_finding.html", context
    )


# --- the API -------------------------------------------------------------------------------


class Total(BaseModel):
    """Findings of one detector and grade (or a grade), the payments in them and the money at
    stake; None where suppressed, with the reason."""

    detector: str | None = None
    grade: str
    partner_name: str | None = None
    findings: int
    payments: int
    money_at_stake: str | None
    suppressed: bool
    reason: str | None


class Side(BaseModel):
    """Another partner's side of a finding: its payments and their amount (None if suppressed)."""

    partner: str
    partner_name: str
    payments: int
    amount: str | None
    suppressed: bool
    reason: str | None


class Transaction(BaseModel):
    """One payment behind a finding, where it was published (file, sheet, row)."""

    txn_key: str
    source_file: str | None
    sheet: str | None
    row_number: int | None
    txn_date: str | None
    supplier_name: str | None
    transaction_id: str | None
    amount: str


class Finding(BaseModel):
    """A finding of the viewer's own partner: what was found, how sure, the money at stake, the
    rule that found it, its own payments and the other partners' sides as aggregates."""

    finding_id: str
    detector: str
    grade: str
    confidence: float
    partners: str
    partners_names: str
    supplier: str | None
    money_at_stake: str
    rows: int
    statistic: str | None
    detail: str | None
    rule: str | None
    caution: str | None
    own_payments: int
    own_amount: str
    other_sides: list[Side]


class FindingDetail(Finding):
    """A finding with the viewer's own transactions behind it (the first ones, in date order)."""

    transactions: list[Transaction]
    transactions_shown: int


class OwnFindings(BaseModel):
    """One page of the viewer's own partner's findings, most money first."""

    partner: str
    partner_name: str
    findings: list[Finding]
    total: int
    page: int
    pages: int


class Overview(BaseModel):
    """The integrity findings as the viewer may see them; amounts are decimal strings."""

    place: dict[str, str]
    filters: dict[str, Any]
    summary: list[Total]
    grades: list[Total]
    others: list[Total]
    own: OwnFindings | None
    board_summary: list[str]
    board_summary_note: str | None
    suppression_note: str
    caution: str


def _plain(value: Any) -> Any:
    """Return ``value`` with amounts as decimal strings and dates as ISO text."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@api.get("/integrity", response_model=Overview)
def api_integrity(request: Request, detector: Text = None, grade: Text = None,
                  year: Text = None, page: PageNumber = 1) -> Any:  # fmt: skip
    """Return the integrity findings as the viewer may see them: totals by detector and grade,
    other partners' findings as aggregates (analysts, administrators) and one page of the
    viewer's own partner's findings (analysts). Filters: detector, grade, year (400 if unknown)."""
    who = require_signed_in(request, *SIGNED_IN)
    try:
        data = _overview(request, who, detector, grade, year, page)
    except (StageNotRun, StageStale) as exc:
        raise HTTPException(409, f"{exc} (an analyst runs `totalplace integrity`)") from exc
    except UsageError as exc:
        raise HTTPException(400, str(exc)) from exc
    return _plain(data)


@api.get("/integrity/{finding_id}", response_model=FindingDetail)
def api_finding(request: Request, finding_id: str) -> Any:
    """Return one finding with its own transactions (analysts of a partner in it; 404 otherwise)."""
    who = require_signed_in(request, *SIGNED_IN)
    ws = request.app.state.workspace
    try:
        found = cached(ws, who, "integrity-finding", (finding_id[:200],),
                       lambda: view.finding_detail(ws, who, finding_id))  # fmt: skip
    except (StageNotRun, StageStale) as exc:
        raise HTTPException(409, f"{exc} (an analyst runs `totalplace integrity`)") from exc
    if found is None:
        raise HTTPException(404, NOT_FOUND)
    return _plain(found)
