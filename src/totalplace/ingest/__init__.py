"""Ingest: load what UK bodies publish into the warehouse, losing and doubling nothing.

Files are read and cleaned in parallel (per-file work), then stored in one
transaction: if any file cannot be imported, nothing is stored and every problem is
reported together.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from totalplace.ingest.clean import CleanSheet, clean_sheet, install_macros
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.readers import read_bytes
from totalplace.ingest.store import ParsedFile, SheetReport, fingerprint, store_files
from totalplace.warehouse import connect
from totalplace.workspace import Partner, Workspace, add_partner

__all__ = [
    "ImportFailed",
    "ImportProblem",
    "SheetReport",
    "import_batches",
    "import_files",
    "parse_file",
]


class ImportFailed(Exception):
    """One or more files could not be imported; nothing was stored."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _display_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path.resolve())


def parse_file(
    path: Path,
    partner: Partner,
    display: str | None = None,
    allow_truncated: bool = False,
) -> ParsedFile:
    """Return a file read and cleaned, not yet stored; raises ImportProblem if it cannot be."""
    name = display or str(path)
    if not path.exists():
        raise ImportProblem(name, "the file does not exist", "Check the path and the spelling")
    if path.is_dir():
        raise ImportProblem(
            name, "this is a folder, not a file", "Name the files inside it, e.g. folder/*.csv"
        )
    data = path.read_bytes()
    sheets = read_bytes(name, data)
    con = duckdb.connect()
    install_macros(con)
    cleaned: list[CleanSheet] = []
    for sheet in sheets:
        if "truncated" in sheet.notes and not allow_truncated:
            raise ImportProblem(
                name,
                "the file ends part-way through its last row (the row stops short of the "
                "header's cells, or inside a quoted cell, with no line break after it), so it "
                "looks truncated",
                "Download it again; or import with --allow-truncated to load the complete rows "
                "and quarantine the partial one",
            )
        cleaned.append(clean_sheet(con, sheet, partner.columns or None))
    con.close()
    if not any(c.facts.num_rows for c in cleaned) and not any(
        c.quarantine.num_rows for c in cleaned
    ):
        raise ImportProblem(name, "the file has no rows of data", "Check it is the file you meant")
    first = sheets[0]
    parsed = ParsedFile(
        path=name,
        partner=partner.slug,
        source_hash=hashlib.sha256(data).hexdigest(),
        format=first.format,
        encoding=first.encoding,
        delimiter=first.delimiter,
        sheets=cleaned,
    )
    parsed.fingerprint = fingerprint(cleaned)
    return parsed


def import_files(
    workspace: Workspace,
    partner_name: str,
    paths: Sequence[Path],
    allow_truncated: bool = False,
    on_file: Callable[[str], None] | None = None,
) -> list[SheetReport]:
    """Import files for one partner and return a report per file and sheet.

    A partner not yet in place.toml is added (sector and areas 'unknown') once the
    import has succeeded. Raises ImportFailed, storing nothing, if any file fails.
    """
    return import_batches(workspace, [(partner_name, paths)], allow_truncated, on_file)


def import_batches(
    workspace: Workspace,
    batches: Sequence[tuple[str, Sequence[Path]]],
    allow_truncated: bool = False,
    on_file: Callable[[str], None] | None = None,
) -> list[SheetReport]:
    """Import several partners' files in one all-or-nothing step; return a report per file and sheet.

    Raises ImportFailed, storing nothing, if any file of any partner fails.
    """
    partners = {name: workspace.partner(name) or Partner(name=name) for name, _ in batches}
    jobs = [
        (partners[name], Path(p), _display_path(Path(p), workspace.root))
        for name, paths in batches
        for p in paths
    ]
    problems: list[ImportProblem] = []
    parsed: list[ParsedFile] = []

    def work(job: tuple[Partner, Path, str]) -> ParsedFile | ImportProblem:
        try:
            return parse_file(job[1], job[0], job[2], allow_truncated)
        except ImportProblem as problem:
            return problem
        finally:
            if on_file:
                on_file(job[2])

    workers = max(1, min(len(jobs), os.cpu_count() or 1, 4))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for outcome in pool.map(work, jobs):
            if isinstance(outcome, ImportProblem):
                problems.append(outcome)
            else:
                parsed.append(outcome)
    if problems:
        raise ImportFailed(problems)
    con = connect(workspace)
    try:
        reports = store_files(con, parsed)
    finally:
        con.disconnect()
    for name, partner in partners.items():
        if workspace.partner(name) is None:
            add_partner(workspace, partner)
    return reports
