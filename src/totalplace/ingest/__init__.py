"""Ingest: load what UK bodies publish into the warehouse, losing and doubling nothing.

Files are read in parallel (per-file work) and their rows typed together (one query
per group of files, see ``parse.py``), then stored in one transaction: if any file
cannot be imported, nothing is stored and every problem is reported together.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.parse import parse_file, parse_files, read_file
from totalplace.ingest.store import ParsedFile, SheetReport, store_files
from totalplace.warehouse import connect
from totalplace.workspace import Partner, Workspace, add_partner

__all__ = [
    "ImportFailed",
    "ImportProblem",
    "SheetReport",
    "import_batches",
    "import_files",
    "parse_file",
    "read_file",
]


class ImportFailed(Exception):
    """One or more files could not be imported; nothing was stored."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _display_path(path: Path, root: Path) -> str:
    try:
        full = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: reading the file reports it
        return str(path.absolute())
    try:
        return str(full.relative_to(root))
    except ValueError:
        return str(full)


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
    workers = max(1, min(len(jobs), os.cpu_count() or 1, 4))
    outcomes = parse_files(jobs, allow_truncated, on_file, workers, workspace.limits)
    problems = [p for p in outcomes if isinstance(p, ImportProblem)]
    if problems:
        raise ImportFailed(problems)
    parsed = [p for p in outcomes if isinstance(p, ParsedFile)]
    con = connect(workspace)
    try:
        reports = store_files(con, parsed)
    finally:
        con.disconnect()
    for name, partner in partners.items():
        if workspace.partner(name) is None:
            add_partner(workspace, partner)
    return reports
