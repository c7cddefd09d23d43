"""Finding 8 (store side): Ctrl-C at COMMIT never becomes 'Query interrupted' with data stored.

A real SIGINT is sent to a real import process just as it issues COMMIT (or an INSERT
before it); the process reports which WarehouseInterrupted it got, and the warehouse is
checked to hold exactly what that says.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from totalplace.ingest import import_files
from totalplace.workspace import Workspace

from .helpers import read_state, write_spend

_IMPORT = """
import os, signal, sys
from pathlib import Path
from totalplace import ingest
from totalplace.warehouse import WarehouseInterrupted
from totalplace.workspace import open_workspace

at = sys.argv[3]
real_store = ingest.store_files

class Raw:
    def __init__(self, raw):
        self._raw = raw
    def execute(self, sql, *args):
        if sql.lstrip().upper().startswith(at):
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands as this statement starts
        return self._raw.execute(sql, *args)
    def __getattr__(self, name):
        return getattr(self._raw, name)

class Con:  # the Ibis connection, its raw DuckDB connection watched
    def __init__(self, con):
        self._ibis = con
        self.con = Raw(con.con)

    def __getattr__(self, name):
        return getattr(self._ibis, name)

ingest.store_files = lambda con, files: real_store(Con(con), files)
try:
    ingest.import_files(open_workspace(sys.argv[1]), "Big Co", [Path(sys.argv[2])])
    print("no interrupt")
except WarehouseInterrupted as exc:
    print("interrupted", exc.stored, exc.exit_code, isinstance(exc, KeyboardInterrupt))
"""


@pytest.mark.parametrize(
    ("at", "stored", "exit_code"),
    [("COMMIT", True, 0), ("INSERT INTO TRANSACTION_ROWS", False, 130)],
)
def test_ctrl_c_during_an_import_reports_whether_it_was_stored(
    workspace: Workspace, at: str, stored: bool, exit_code: int
) -> None:
    data = write_spend(workspace.root / "data" / "spend.csv", 200, 1)
    import_files(workspace, "Big Co", [data])
    before = read_state(workspace.warehouse_path)
    write_spend(data, 300, 2)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, str(workspace.root), str(data), at],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout.split() == ["interrupted", str(stored), str(exit_code), "True"]
    after = read_state(workspace.warehouse_path)
    if stored:
        assert sum(n for n, _ in after["transactions"].values()) == 300
    else:
        assert after == before
