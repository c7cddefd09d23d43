"""Keep the workspace's outcome files in the warehouse: read once, read again when a file changes.

Writes ``outcome_indicators`` (one row per observation loaded), ``outcome_rejects``
(one per row not loaded, with its reason) and ``outcome_files`` (per file: its SHA-256,
layout, rows read, loaded and rejected), all in one transaction: a file that cannot
be read leaves the tables as they were. Running it again with the same files changes
nothing; a changed, added or removed file re-reads them all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace import stages
from totalplace.outcomes.read import REJECT_SCHEMA, SCHEMA, read_outcome_file
from totalplace.warehouse import has_table, replace_table, transaction
from totalplace.workspace import PLACE_FILE, Workspace, WorkspaceError
from totalplace.workspace.outcome_tables import outcome_declarations

__all__ = ["FILES_SCHEMA", "TABLES", "LoadSummary", "declared_files", "ensure_loaded"]

#: The tables written, in the order they are exported.
TABLES = ("outcome_indicators", "outcome_rejects", "outcome_files")

FILES_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("sha256", pa.string()),
        ("layout", pa.string()),
        ("publisher", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("rows_rejected", pa.int64()),
    ]
)


@dataclass(frozen=True)
class LoadSummary:
    """What is stored: one dict per file (``outcome_files``), and whether this call re-read them."""

    files: list[dict[str, Any]]
    reread: bool


def declared_files(workspace: Workspace) -> list[tuple[Path, str, str | None]]:
    """Return (path, name shown, publisher) of every file [[outcomes]] declares, in order.

    Raises WorkspaceError if a declared pattern matches no file.
    """
    found: list[tuple[Path, str, str | None]] = []
    for index, block in enumerate(outcome_declarations(workspace)):
        for pattern in block.files:
            paths = workspace.matching_files((pattern,))
            if not paths:
                raise WorkspaceError(
                    f"{workspace.root / PLACE_FILE}: [[outcomes]] number {index + 1} names "
                    f"{pattern!r}, which matches no file in {workspace.root}; put the file "
                    "there or correct the path (relative to the workspace folder)"
                )
            for path in paths:
                name = (
                    path.relative_to(workspace.root).as_posix()
                    if path.is_relative_to(workspace.root)
                    else str(path)
                )
                if name not in {f[1] for f in found}:
                    found.append((path, name, block.source))
    return found


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_loaded(con: Any, workspace: Workspace) -> LoadSummary:
    """Return the stored outcome files, reading them into the warehouse first if any changed.

    Raises WorkspaceError (place.toml [[outcomes]] faults, a file missing) or
    BadInputError (a file of an unknown layout, or unreadable) naming the file; then
    nothing is written.
    """
    files = declared_files(workspace)
    now = {name: _digest(path) for path, name, _ in files}
    if has_table(con, "outcome_files"):
        stored = con.table("outcome_files").to_pyarrow().to_pylist()
        if {r["source_file"]: r["sha256"] for r in stored} == now and has_table(
            con, "outcome_indicators"
        ):
            return LoadSummary(stored, reread=False)
    loaded, rejected, summary = [], [], []
    for path, name, publisher in files:
        got = read_outcome_file(path, name)
        loaded.append(got.loaded)
        rejected.append(got.rejects)
        summary.append(
            {
                "source_file": name,
                "sha256": now[name],
                "layout": got.layout.name,
                "publisher": publisher,
                "rows_read": got.rows_read,
                "rows_loaded": got.loaded.num_rows,
                "rows_rejected": got.rejects.num_rows,
            }
        )
    indicators = pa.concat_tables(loaded) if loaded else SCHEMA.empty_table()
    rejects = pa.concat_tables(rejected) if rejected else REJECT_SCHEMA.empty_table()
    with transaction(con):
        replace_table(con, "outcome_indicators", indicators)
        replace_table(con, "outcome_rejects", rejects)
        replace_table(con, "outcome_files", pa.Table.from_pylist(summary, schema=FILES_SCHEMA))
    stages.record(con, workspace, "outcomes")
    return LoadSummary(summary, reread=True)
