"""Upload and import in the browser (and the API): the form, the import's progress and report,
the quarantined rows, and the column-profile form when a layout is not recognised.

Who: a partner's analyst, for their own partner only, or an administrator (for any
partner). Quarantined rows (raw cells of a ledger) only for the partner's own analysts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from totalplace.web.access import Viewer, may_see_transactions
from totalplace.web.deps import require_signed_in
from totalplace.web.people import audit
from totalplace.web.templating import page_context
from totalplace.web.uploads import (
    PROFILE_FIELDS,
    REQUIRED_FIELDS,
    Job,
    UploadRefused,
    check_upload,
    file_columns,
    load_job,
    new_job,
    quarantine_rows,
    run_job,
    save_profile,
    store_upload,
)
from totalplace.workspace import Partner, open_workspace

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["api"])

UPLOADERS = ("analyst", "administrator")
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields around the file
PAGE_SIZE = 50
KEEP_CHOICES = ("new", "old", "both")


def money(amount: str | None) -> str:
    """Return a decimal string as pounds with thousands separators (exact: no float)."""
    return "" if amount is None else f"£{Decimal(amount):,.2f}"


def _too_big(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413,
        detail=f"The selected file must be smaller than {limit // (1024 * 1024)} MB; "
        "nothing was stored.",
    )


async def _limited_form(request: Request, limit: int) -> FormData:
    """Return the multipart form, refusing (413) before more than ``limit`` bytes are read."""
    budget = limit + FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > budget:
        raise _too_big(limit)
    seen = 0
    receive = request.receive

    async def counting() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > budget:
            raise _too_big(limit)
        return message

    return await Request(request.scope, counting).form(max_files=1, max_fields=5)


def _partner_for(request: Request, who: Viewer, asked: str | None) -> Partner:
    """Return the partner an upload is for: an analyst's own; an administrator's choice."""
    ws = request.app.state.workspace
    if who.role == "analyst":
        if asked and asked != who.partner:
            raise HTTPException(403, "You can upload only your own organisation's files")
        asked = who.partner
    found = ws.partner(asked) if asked else None
    if found is None:
        raise UploadRefused("Select the partner the file belongs to")
    return found


def _job_for(request: Request, who: Viewer, job_id: str) -> Job:
    """Return the job if the viewer may see it (their partner's, or any for an administrator)."""
    job = load_job(request.app.state.workspace.root, job_id)
    if job is None:
        raise HTTPException(404, "There is no such upload")
    if who.role != "administrator" and not may_see_transactions(who, job.partner):
        raise HTTPException(404, "There is no such upload")  # another partner's: not even its id
    return job


def _finished(request: Request) -> Any:
    db = request.app.state.db

    def done(job: Job) -> None:
        totals = job.totals() if job.reports else {}
        with db.session() as session:
            audit(session, job.by, "import finished", upload=job.id, partner=job.partner,
                  file=job.file, status=job.status, **totals)  # fmt: skip

    return done


async def _accept_upload(request: Request, who: Viewer, tasks: BackgroundTasks) -> Job:
    """Check, store and queue an upload; UploadRefused (nothing stored) or 413/403 if refused."""
    limit = request.app.state.settings.upload_limit
    form = await _limited_form(request, limit)
    partner = _partner_for(request, who, str(form.get("partner") or "")[:200] or None)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UploadRefused("Select a file")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(limit)
    name = upload.filename[:200]
    check_upload(name, data)
    ws = request.app.state.workspace
    path = store_upload(ws, partner, name, data)
    job = new_job(ws, partner, path, name, who.name)
    with request.app.state.db.session() as session:
        audit(session, who.name, "uploaded", upload=job.id, partner=partner.name,
              file=job.file, original=name, size=len(data))  # fmt: skip
    tasks.add_task(run_job, ws.root, job.id, None, _finished(request))
    return job


def _refused(request: Request, who: Viewer, problem: str, status: int = 400) -> Response:
    with request.app.state.db.session() as session:
        audit(session, who.name, "upload refused", reason=problem[:300])
    return _form_page(request, who, problem, status)


def _form_page(
    request: Request, who: Viewer, error: str | None = None, status: int = 200
) -> Response:
    ws = request.app.state.workspace
    context = page_context(
        request, who, "Upload spending data", error=error,
        partner_items=[{"value": "", "text": "Select a partner"}]
        + [{"value": p.name, "text": p.name} for p in ws.partners],
        limit_mb=request.app.state.settings.upload_limit // (1024 * 1024),
    )  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, "pages/upload.html", context, status_code=status
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    """Show the upload form (a partner's analyst or an administrator)."""
    return _form_page(request, require_signed_in(request, *UPLOADERS))


@router.post("/upload", response_class=HTMLResponse)
async def upload_submit(request: Request, tasks: BackgroundTasks) -> Response:
    """Store an upload and start its import; then show its progress."""
    who = require_signed_in(request, *UPLOADERS)
    try:
        job = await _accept_upload(request, who, tasks)
    except UploadRefused as refused:
        return _refused(request, who, str(refused))
    return RedirectResponse(f"/upload/{job.id}", status_code=303)


def _job_context(request: Request, who: Viewer, job: Job) -> dict[str, Any]:
    return page_context(
        request, who, f"Import of {job.original_name}", job=job,
        totals=job.totals() if job.reports else None,
        may_see_rows=may_see_transactions(who, job.partner), money=money,
    )  # fmt: skip


@router.get("/upload/{job_id}", response_class=HTMLResponse)
def upload_job(request: Request, job_id: str) -> Response:
    """Show an upload's import: progress while it runs, then its report."""
    who = require_signed_in(request, *UPLOADERS)
    job = _job_for(request, who, job_id)
    return request.app.state.templates.TemplateResponse(
        request, "pages/upload_job.html", _job_context(request, who, job)
    )


@router.get("/upload/{job_id}/status", response_class=HTMLResponse)
def upload_status(request: Request, job_id: str) -> Response:
    """Return the progress fragment (htmx polls it); once the import ends, reload the page."""
    who = require_signed_in(request, *UPLOADERS)
    job = _job_for(request, who, job_id)
    headers = {"HX-Refresh": "true"} if job.finished else {}
    return request.app.state.templates.TemplateResponse(
        request, "pages/upload_status.html", _job_context(request, who, job), headers=headers
    )


@router.get("/upload/{job_id}/quarantine", response_class=HTMLResponse)
def upload_quarantine(request: Request, job_id: str, page: int = 1) -> Response:
    """Show the upload's quarantined rows with their reasons, a page at a time (own partner only)."""
    who = require_signed_in(request, "analyst")
    job = _job_for(request, who, job_id)
    page = max(1, min(page, 100_000))
    rows, total = quarantine_rows(
        request.app.state.workspace, job.partner_slug, job.file, (page - 1) * PAGE_SIZE, PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    context = page_context(
        request, who, f"Quarantined rows of {job.original_name}", job=job, rows=rows,
        total=total, page=page, pages=pages, first=(page - 1) * PAGE_SIZE + 1,
    )  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, "pages/upload_quarantine.html", context
    )


def _profile_page(request: Request, who: Viewer, job: Job, errors: dict[str, str],
                  chosen: dict[str, str], status: int = 200) -> Response:  # fmt: skip
    if job.status != "unrecognised":
        raise HTTPException(404, "This upload does not need a column profile")
    columns = file_columns(request.app.state.workspace, job)
    context = page_context(
        request, who, "Say which column holds what", job=job, columns=columns,
        fields=PROFILE_FIELDS, required=REQUIRED_FIELDS, errors=errors, chosen=chosen,
    )  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, "pages/upload_profile.html", context, status_code=status
    )


@router.get("/upload/{job_id}/profile", response_class=HTMLResponse)
def upload_profile(request: Request, job_id: str) -> Response:
    """Show the column-profile form for a file whose layout was not recognised."""
    who = require_signed_in(request, *UPLOADERS)
    return _profile_page(request, who, _job_for(request, who, job_id), {}, {})


@router.post("/upload/{job_id}/profile", response_class=HTMLResponse)
async def upload_profile_submit(request: Request, job_id: str, tasks: BackgroundTasks) -> Response:
    """Save the chosen columns as the partner's profile for this file in place.toml; import again."""
    who = require_signed_in(request, *UPLOADERS)
    job = _job_for(request, who, job_id)
    form = await request.form(max_files=0, max_fields=len(PROFILE_FIELDS) + 4)
    width = (
        len(file_columns(request.app.state.workspace, job)) if job.status == "unrecognised" else 0
    )
    chosen = {f: str(form.get(f) or "")[:6] for f in PROFILE_FIELDS}
    errors = {
        f: f"Select the column that holds the {f.replace('_', ' ')}"
        for f in REQUIRED_FIELDS
        if not chosen[f]
    }
    picked = {f: v for f, v in chosen.items() if v}
    for f, v in picked.items():
        if not v.isdigit() or int(v) >= width:
            errors[f] = "Select one of the file's columns"
    taken = [v for v in picked.values()]
    if len(set(taken)) != len(taken):
        errors.setdefault("amount", "Select a different column for each field")
    if errors:
        return _profile_page(request, who, job, errors, chosen, status=400)
    ws = request.app.state.workspace
    save_profile(ws, job.partner, job.file, {f: int(v) for f, v in picked.items()})
    request.app.state.workspace = open_workspace(ws.root)  # the pages see the new profile
    with request.app.state.db.session() as session:
        audit(session, who.name, "column profile saved", upload=job.id, partner=job.partner,
              file=job.file, columns=picked)  # fmt: skip
    tasks.add_task(run_job, ws.root, job.id, None, _finished(request))
    return RedirectResponse(f"/upload/{job.id}", status_code=303)


@router.post("/upload/{job_id}/keep", response_class=HTMLResponse)
async def upload_keep(request: Request, job_id: str, tasks: BackgroundTasks) -> Response:
    """Import a file that re-publishes loaded rows as chosen: keep the new, the old, or both."""
    who = require_signed_in(request, *UPLOADERS)
    job = _job_for(request, who, job_id)
    form = await request.form(max_files=0, max_fields=3)
    keep = str(form.get("keep") or "")
    if job.status != "republished" or keep not in KEEP_CHOICES:
        raise HTTPException(400, "Choose which rows to keep: new, old or both")
    with request.app.state.db.session() as session:
        audit(session, who.name, "re-publication decided", upload=job.id, keep=keep)
    tasks.add_task(run_job, request.app.state.workspace.root, job.id, keep, _finished(request))
    return RedirectResponse(f"/upload/{job.id}", status_code=303)


# --- the API -------------------------------------------------------------------------------

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "partner": {"type": "string", "maxLength": 200},
                    },
                }
            }
        },
    }
}


class ImportStatus(TypedDict):
    """An upload's import as the API shows it (amounts as decimal strings)."""

    id: str
    status: str  # queued, running, done, failed, unrecognised, republished
    partner: str
    file: str
    created_at: str
    finished_at: str | None
    totals: dict[str, Any] | None
    files: list[dict[str, Any]]
    problems: list[dict[str, str]]
    status_url: str
    page_url: str


def job_json(job: Job) -> ImportStatus:
    """Return an import job as the API shows it (amounts as decimal strings)."""
    return {
        "id": job.id,
        "status": job.status,
        "partner": job.partner,
        "file": job.original_name,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "totals": job.totals() if job.reports else None,
        "files": job.reports,
        "problems": job.problems,
        "status_url": f"/api/v1/imports/{job.id}",
        "page_url": f"/upload/{job.id}",
    }


@api.post("/uploads", status_code=202, openapi_extra=_UPLOAD_BODY)
async def api_upload(request: Request, tasks: BackgroundTasks) -> ImportStatus:
    """Upload a file for a partner (multipart: file, partner) and start its import; return the job.

    An analyst uploads for their own partner; an administrator names it. 413 over the
    size limit, 400 for a type the import cannot read; nothing is stored then.
    """
    who = require_signed_in(request, *UPLOADERS)
    try:
        job = await _accept_upload(request, who, tasks)
    except UploadRefused as refused:
        with request.app.state.db.session() as session:
            audit(session, who.name, "upload refused", reason=str(refused)[:300])
        raise HTTPException(400, str(refused)) from refused
    return job_json(job)


@api.get("/imports/{job_id}")
def api_import(request: Request, job_id: str) -> ImportStatus:
    """Return an upload's import: status (queued, running, done, failed, unrecognised,
    republished), the report per file and sheet, and the problems."""
    who = require_signed_in(request, *UPLOADERS)
    return job_json(_job_for(request, who, job_id))
