"""Uploads from the browser: check a file, save it under the partner's folder, import it as the
CLI does (all or nothing), and keep each upload's status and report as an import job.

A file is accepted only if its name ends in a type the import reads (CSV, XLSX, XLS,
ODS, ZIP) *and* its bytes are that type by the import's own detection
(``ingest.readers.detect_format``; a "CSV" must be text). It is saved under
``uploads/<partner-slug>/`` with a name made here (the client's name and path are never
used as a path). A job is a small JSON file in ``.totalplace/imports/`` -- several
server processes see the same jobs, and the app-state schema needs no new table.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from totalplace.errors import UsageError
from totalplace.ingest.columns import FIELDS
from totalplace.ingest.encoding import decode_text
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.readers import detect_format, read_bytes
from totalplace.workspace import Partner, Workspace, open_workspace

__all__ = [
    "ACCEPTED",
    "PROFILE_FIELDS",
    "REQUIRED_FIELDS",
    "Job",
    "UploadRefused",
    "check_upload",
    "file_columns",
    "load_job",
    "new_job",
    "quarantine_rows",
    "run_job",
    "save_profile",
    "store_upload",
]

#: File endings the import reads, and the formats (told from the bytes) each may hold.
ACCEPTED: dict[str, tuple[str, ...]] = {
    ".csv": ("csv",),
    ".xlsx": ("xlsx",),
    ".xls": ("xls",),
    ".ods": ("ods",),
    ".zip": ("zip",),
}

#: The fields the column-profile form asks for: the three every line needs first.
PROFILE_FIELDS: tuple[str, ...] = ("date", "supplier_name", "amount") + tuple(
    f for f in FIELDS if f not in ("date", "supplier_name", "amount", "body")
)
REQUIRED_FIELDS = ("date", "supplier_name", "amount")

#: The problems of an import that a column profile answers (ingest/prepare.py's wording).
_UNRECOGNISED = ("no header row was found", "no amount column was recognised")

_IMPORT_LOCK = threading.Lock()  # one import at a time in a process: one warehouse writer
_JOB_ID = re.compile(r"[0-9a-f]{16}")


class UploadRefused(UsageError):
    """An upload that is not stored: the message says why and what to do."""


def check_upload(filename: str, data: bytes) -> str:
    """Return the file's format ('csv', 'xlsx' ...) if the import can read it; UploadRefused if not."""
    suffix = Path(filename.replace("\\", "/")).suffix.lower()
    if suffix not in ACCEPTED:
        raise UploadRefused(
            f"The selected file must be a CSV, XLSX, XLS, ODS or ZIP file (it is "
            f"{suffix or 'a file without a type'})"
        )
    if not data:
        raise UploadRefused("The selected file is empty")
    try:
        found = detect_format("upload", data)
        if found == "csv":
            decode_text("upload", data[:1_000_000])  # refuses binary bytes called .csv
    except ImportProblem as exc:
        raise UploadRefused(f"The selected file cannot be read: {exc.problem}") from exc
    if found not in ACCEPTED[suffix]:
        raise UploadRefused(
            f"The selected file is called {suffix} but its contents are {found.upper()}: "
            "check it is the file you meant"
        )
    return found


def _safe_stem(filename: str) -> str:
    stem = Path(filename.replace("\\", "/")).stem
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:60]
    return cleaned or "upload"


def store_upload(ws: Workspace, partner: Partner, filename: str, data: bytes) -> Path:
    """Save the bytes under ``uploads/<partner-slug>/`` with a name made here; return the path.

    The name is a time stamp, a random part and the client's file name reduced to
    letters, digits, ``-`` and ``_``: nothing the client sends can choose the folder.
    """
    folder = ws.root / "uploads" / partner.slug
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    suffix = Path(filename.replace("\\", "/")).suffix.lower()
    path = folder / f"{stamp}-{secrets.token_hex(3)}-{_safe_stem(filename)}{suffix}"
    with open(path, "xb") as handle:  # never overwrites
        handle.write(data)
    return path


@dataclass
class Job:
    """One upload's import: who, which file, its status and its report.

    status: queued, running, done, failed, unrecognised (a column profile is needed),
    republished (the file repeats rows already loaded: a choice is needed).
    """

    id: str
    partner: str  # the place.toml partner's name
    partner_slug: str
    file: str  # the saved file, relative to the workspace
    original_name: str
    by: str
    status: str = "queued"
    created_at: str = ""
    finished_at: str | None = None
    reports: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    overlaps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Return whether the import has ended (well or not)."""
        return self.status not in ("queued", "running")

    def totals(self) -> dict[str, Any]:
        """Return rows read, loaded and quarantined, and the amounts, over the report's sheets."""
        keys = ("rows_read", "rows_loaded", "rows_quarantined")
        out: dict[str, Any] = {k: sum(int(r[k]) for r in self.reports) for k in keys}
        from decimal import Decimal

        for k in ("amount_loaded", "amount_quarantined"):
            out[k] = f"{sum((Decimal(r[k]) for r in self.reports), Decimal('0.00')):.2f}"
        return out


def _jobs(ws_root: Path) -> Path:
    folder = ws_root / ".totalplace" / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save(ws_root: Path, job: Job) -> None:
    path = _jobs(ws_root) / f"{job.id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(job), indent=1), encoding="utf-8")
    tmp.replace(path)


def new_job(ws: Workspace, partner: Partner, path: Path, original: str, by: str) -> Job:
    """Return a new queued job for a stored upload (saved)."""
    job = Job(
        id=secrets.token_hex(8),
        partner=partner.name,
        partner_slug=partner.slug,
        file=str(path.relative_to(ws.root)),
        original_name=original[:200],
        by=by,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    _save(ws.root, job)
    return job


def load_job(ws_root: Path, job_id: str) -> Job | None:
    """Return the job with this id, or None (also for an id that is not one of ours)."""
    if not _JOB_ID.fullmatch(job_id):
        return None
    path = _jobs(ws_root) / f"{job_id}.json"
    if not path.exists():
        return None
    return Job(**json.loads(path.read_text(encoding="utf-8")))


def run_job(
    ws_root: Path, job_id: str, keep: str | None = None, done: Callable[[Job], None] | None = None
) -> Job:
    """Import the job's file for its partner (the CLI's all-or-nothing import); return the job.

    The workspace is read afresh, so a column profile saved since is used. The outcome
    is saved in the job: the per-sheet reports, or the problems (nothing stored).
    """
    from totalplace.ingest import ImportFailed, RepublicationFound, import_files

    job = load_job(ws_root, job_id)
    if job is None:
        raise UsageError(f"no import {job_id}")
    job.status, job.problems, job.overlaps = "running", [], []
    _save(ws_root, job)
    try:
        with _IMPORT_LOCK:
            ws = open_workspace(ws_root)
            reports = import_files(ws, job.partner, [ws_root / job.file], keep=keep)
        job.reports = [r.as_json() for r in reports]
        job.status = "done"
    except RepublicationFound as exc:
        job.status = "republished"
        job.overlaps = [o.as_json() for o in exc.overlaps]
        job.problems = [{"file": job.original_name, "problem": str(exc), "advice": ""}]
    except ImportFailed as exc:
        job.problems = [
            {"file": job.original_name, "problem": p.problem, "advice": p.advice}
            for p in exc.problems
        ]
        unrecognised = any(p.problem.startswith(_UNRECOGNISED) for p in exc.problems)
        job.status = "unrecognised" if unrecognised else "failed"
    except UsageError as exc:  # a workspace or warehouse problem the user can act on
        job.status = "failed"
        job.problems = [{"file": job.original_name, "problem": str(exc), "advice": ""}]
    job.finished_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    _save(ws_root, job)
    if done is not None:
        done(job)
    return job


def file_columns(ws: Workspace, job: Job, rows: int = 3) -> list[dict[str, Any]]:
    """Return the columns of the job's file (its first sheet): number, first cells (for the form)."""
    path = ws.root / job.file
    sheets = read_bytes(job.original_name, path.read_bytes(), ws.limits)
    table = sheets[0].table
    names = [c for c in table.column_names if re.fullmatch(r"c\d+", c)]
    top = table.slice(0, rows).select(names).to_pylist()  # a few rows: a preview
    return [
        {
            "index": i,
            "cells": [str(r[c]) for r in top if r[c] not in (None, "")][:rows],
        }
        for i, c in enumerate(names)
    ]


def save_profile(
    ws: Workspace, partner_name: str, source: str, columns: dict[str, str | int]
) -> None:
    """Add a ``[[partners.profiles]]`` block (the file ``source``, its pinned columns) to the
    partner in place.toml, keeping its comments; raises WorkspaceError, changing nothing, if
    place.toml would not read."""
    import tomlkit

    from totalplace.workspace import PLACE_FILE
    from totalplace.workspace.placefile import parse_place_text

    path = ws.root / PLACE_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    entries = [p for p in doc.get("partners", []) if p.get("name") == partner_name]
    if not entries:
        raise UsageError(f"{partner_name} is not in place.toml")
    block = tomlkit.table()
    block.add("sources", [source])
    block.add("columns", dict(columns))
    entry = entries[0]
    if "profiles" not in entry:
        entry.add("profiles", tomlkit.aot())
    entry["profiles"].append(block)
    text = tomlkit.dumps(doc)
    parse_place_text(text, path)  # must still read: a form never breaks place.toml
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def quarantine_rows(
    ws: Workspace, partner_slug: str, source_file: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Return one page of a file's quarantined rows (row, reason, amount, raw cells) and their count."""
    from totalplace import warehouse

    if not warehouse.exists(ws):
        return [], 0
    con = warehouse.connect(ws, read_only=True)
    try:
        if "quarantine" not in con.list_tables():
            return [], 0
        q = con.table("quarantine")
        mine = q.filter((q.partner == partner_slug) & (q.source_file == source_file))
        total = int(mine.count().execute())
        page = (
            mine.order_by(["sheet", "row_number"])
            .select("sheet", "row_number", "reason", "amount", "raw")
            .limit(limit, offset=offset)
            .to_pyarrow()
            .to_pylist()
        )
    finally:
        con.disconnect()
    return page, total
