"""Finding 1: a crash while an import replaces a file leaves what was there before or after.

DuckDB writes a large insert to the database file before COMMIT and logs only a pointer
in the WAL; replaying a WAL cut before its commit marker keeps those rows (see
docs/decisions/0008-crash-safe-store.md and scripts/repro_replace_crash.py). Whatever
DuckDB keeps, the stages read only rows of live sources, so they see before or after.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from totalplace import ingest
from totalplace.ingest import import_files
from totalplace.warehouse import connect
from totalplace.workspace import Workspace, init_workspace, open_workspace

from .helpers import read_state, write_spend

PARTNER = "Big Co"
ROWS = 130_000  # more than one DuckDB row group (122,880): written before COMMIT


def _copy_at_commit(ws: Workspace, saved: Path) -> Any:
    """Return a store_files that copies the warehouse and its WAL just after COMMIT.

    That is the state a SIGKILL after COMMIT (before the WAL is merged) leaves on disk.
    """
    real_store = ingest.store_files

    def copy_files() -> None:
        if not saved.exists():
            saved.mkdir()
            shutil.copy(ws.warehouse_path, saved / "warehouse.duckdb")
            shutil.copy(f"{ws.warehouse_path}.wal", saved / "warehouse.duckdb.wal")

    class Raw:
        def __init__(self, raw: Any) -> None:
            self._raw = raw

        def execute(self, sql: str, *args: Any) -> Any:
            if sql.strip().upper() == "CHECKPOINT":
                copy_files()
            return self._raw.execute(sql, *args)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._raw, name)

    class Con:  # the Ibis connection, its raw DuckDB connection watched
        def __init__(self, con: Any) -> None:
            self._ibis = con
            self.con = Raw(con.con)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._ibis, name)

    def store(con: Any, files: Any) -> Any:
        reports = real_store(Con(con), files)
        copy_files()
        return reports

    return store


@pytest.mark.parametrize("cut", [21, 300])
def test_a_wal_cut_before_its_commit_marker_reads_as_before(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int
) -> None:
    data = write_spend(workspace.root / "data" / "spend.csv", ROWS, 1)
    import_files(workspace, PARTNER, [data])
    before = read_state(workspace.warehouse_path)
    write_spend(data, ROWS, 2)
    saved = tmp_path / "saved"
    monkeypatch.setattr(ingest, "store_files", _copy_at_commit(workspace, saved))
    import_files(workspace, PARTNER, [data])
    monkeypatch.undo()
    after = read_state(workspace.warehouse_path)
    assert before != after

    # The power goes while the WAL's tail (commit marker) is being written.
    wal = (saved / "warehouse.duckdb.wal").read_bytes()
    shutil.copy(saved / "warehouse.duckdb", workspace.warehouse_path)
    Path(f"{workspace.warehouse_path}.wal").write_bytes(wal[: len(wal) - cut])
    assert read_state(workspace.warehouse_path) == before

    # The warehouse opens sound, and the next import replaces the file cleanly.
    con = connect(workspace)
    con.disconnect()
    [report] = import_files(workspace, PARTNER, [data])
    assert report.status == "replaced"
    assert read_state(workspace.warehouse_path) == after
    from totalplace.warehouse.integrity import check

    con = connect(workspace)
    try:
        assert check(con.con).clean, "the import removed the rows the crash left"
    finally:
        con.disconnect()


_IMPORT = """
import sys
from pathlib import Path
from totalplace.ingest import import_files
from totalplace.workspace import open_workspace
import_files(open_workspace(sys.argv[1]), sys.argv[2], [Path(sys.argv[3])])
"""


def _stamp(path: Path) -> tuple[int, int] | None:
    """Return a file's size and modification time (None if absent): to see it being written."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _state_of(tmp: Path, version: int) -> dict[str, Any]:
    """Return what the stages read after importing this version into a fresh workspace."""
    init_workspace(tmp / f"v{version}", "E07000120")
    ws = open_workspace(tmp / f"v{version}")
    import_files(ws, PARTNER, [write_spend(ws.root / "data" / "spend.csv", ROWS, version)])
    return read_state(ws.warehouse_path)


def test_sigkill_at_any_moment_of_a_replacing_import_leaves_before_or_after(
    workspace: Workspace, tmp_path: Path
) -> None:
    states = {v: _state_of(tmp_path, v) for v in (1, 2)}
    data = write_spend(workspace.root / "data" / "spend.csv", ROWS, 1)
    import_files(workspace, PARTNER, [data])
    wal = Path(f"{workspace.warehouse_path}.wal")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    version, outcomes = 1, []
    # (anchor, seconds): after the child starts (parsing), or after the WAL starts being
    # written (the store's COMMIT), and one run left to finish.
    kills = (
        [("start", 0.8), ("start", 1.6)]
        + [("wal", d) for d in (0.0, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.3)]
        + [("none", 0.0)]
    )
    for anchor, delay in kills:
        new = 3 - version
        write_spend(data, ROWS, new)
        # A killed import can leave a WAL that DuckDB keeps until the next write.
        left = _stamp(wal)
        child = subprocess.Popen(
            [sys.executable, "-c", _IMPORT, str(workspace.root), PARTNER, str(data)], env=env
        )
        started = time.monotonic()
        if anchor == "wal":
            while child.poll() is None and _stamp(wal) == left and time.monotonic() - started < 60:
                time.sleep(0.0005)
        if anchor != "none":
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=120)
        got = read_state(workspace.warehouse_path)
        assert got in (states[version], states[new]), f"SIGKILL {delay}s after {anchor}"
        outcomes.append("after" if got == states[new] else "before")
        version = new if got == states[new] else version
        con = connect(workspace)  # opens sound (and merges any WAL the kill left)
        con.disconnect()
    assert outcomes[-1] == "after"
    assert "before" in outcomes, outcomes
