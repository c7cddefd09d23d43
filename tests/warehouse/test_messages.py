"""Finding 7: honest messages when the warehouse cannot be opened or written.

A busy warehouse names the command holding it and says to wait (exit 4); a read-only
or full disk says so (exit 5); only a warehouse proved damaged gets advice to rebuild,
and then to keep a copy first. Nothing ever says to delete the .totalplace folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb
import pytest

from totalplace.ingest import import_files
from totalplace.warehouse import (
    IntegrityError,
    WarehouseBusy,
    WarehouseEnvironmentError,
    connect,
)
from totalplace.workspace import Workspace

from .helpers import read_state, write_spend

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

_HOLD = """
import sys, time
from totalplace.warehouse import connect
from totalplace.workspace import open_workspace
sys.argv = ["totalplace", "import", "--partner", "Big Co", "spend.csv"]
con = connect(open_workspace({root!r}))
print("holding", flush=True)
time.sleep(60)
"""


def test_a_busy_warehouse_names_the_command_and_says_to_wait(workspace: Workspace) -> None:
    import_files(workspace, "Big Co", [write_spend(workspace.root / "a.csv", 10, 1)])
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD.format(root=str(workspace.root))],
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseBusy) as caught:
            connect(workspace)
    finally:
        holder.kill()
        holder.wait()
    message = str(caught.value)
    assert caught.value.exit_code == 4
    assert "totalplace import --partner Big Co spend.csv" in message
    assert f"process {holder.pid}" in message
    assert "wait" in message.lower()
    assert "delete the .totalplace" not in message


@pytest.mark.parametrize(
    "error",
    [
        'IO Error: Cannot open file "x/warehouse.duckdb": Permission denied',
        'IO Error: Cannot open file "x/warehouse.duckdb.wal": Read-only file system',
    ],
)
def test_a_read_only_folder_says_so(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, error: str
) -> None:
    """DuckDB's own words for these cases (root ignores file modes, so they are injected)."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise duckdb.IOException(error)

    monkeypatch.setattr("ibis.duckdb.connect", refuse)
    with pytest.raises(WarehouseEnvironmentError) as caught:
        connect(workspace)
    assert caught.value.exit_code == 5
    assert "read-only" in str(caught.value)
    assert "delete" not in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only folders anyway")
def test_a_read_only_state_folder_really_says_so(workspace: Workspace) -> None:
    workspace.state_dir.chmod(0o555)
    try:
        with pytest.raises(WarehouseEnvironmentError):
            connect(workspace)
    finally:
        workspace.state_dir.chmod(0o755)


_STORE = """
import resource, sys
from pathlib import Path
from totalplace.ingest import import_files
from totalplace.workspace import open_workspace
from totalplace.workspace import WorkspaceError
ws = open_workspace({root!r})
limit = ws.warehouse_path.stat().st_size + 64 * 1024
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # the disk fills during the store
try:
    import_files(ws, "Big Co", [Path({path!r})])
except WorkspaceError as exc:
    print(type(exc).__name__, getattr(exc, "exit_code", None), exc)
"""


def test_a_full_disk_during_the_store_says_so_and_stores_nothing(workspace: Workspace) -> None:
    import_files(workspace, "Big Co", [write_spend(workspace.root / "a.csv", 10, 1)])
    before = read_state(workspace.warehouse_path)
    big = write_spend(workspace.root / "big.csv", 60_000, 2)
    done = subprocess.run(
        [sys.executable, "-c", _STORE.format(root=str(workspace.root), path=str(big))],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.startswith("WarehouseEnvironmentError 5"), done.stdout + done.stderr
    assert "full" in done.stdout and "nothing was stored" in done.stdout
    assert read_state(workspace.warehouse_path) == before


def test_only_a_file_duckdb_cannot_read_gets_rebuild_advice_with_a_copy_kept(
    workspace: Workspace,
) -> None:
    workspace.warehouse_path.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(IntegrityError) as caught:
        connect(workspace)
    message = str(caught.value)
    assert caught.value.exit_code == 3
    assert f"mv '{workspace.warehouse_path}' '{workspace.warehouse_path}.damaged-" in message
    assert "delete the .totalplace" not in message
    assert time.strftime("%Y%m%d") in message
