"""Opening the warehouse with honest failures, and transactions that survive Ctrl-C.

DuckDB reports a busy, read-only, full or damaged warehouse all as IOException; the
message of each is told apart here and turned into a typed error that says which it
is and what to do (never "delete the .totalplace folder").
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import duckdb
import ibis

from totalplace.warehouse.errors import (
    IntegrityError,
    WarehouseBusy,
    WarehouseEnvironmentError,
    WarehouseError,
    WarehouseInterrupted,
)
from totalplace.warehouse.integrity import rebuild_advice, require_sound
from totalplace.warehouse.schema import create_schema
from totalplace.workspace import Workspace

OWNER_FILE = "warehouse.owner"

_BUSY = re.compile(r"could not set lock|conflicting lock", re.I)
_LOCK_PID = re.compile(r"\(PID (\d+)\)")
_FULL = re.compile(r"no space left|disk is full|file too large|errno 28|errno 27", re.I)
_DENIED = re.compile(r"permission denied|read-only file system|errno 13|errno 30", re.I)


def connect(workspace: Workspace, read_only: bool = False, check: bool = True) -> Any:
    """Return an Ibis backend on the workspace warehouse, with the base tables and views.

    Raises WarehouseBusy, WarehouseEnvironmentError or IntegrityError (each a
    WorkspaceError with an ``exit_code``). ``check=False`` skips the integrity check
    (``totalplace check`` itself, and the import, which repairs what it can).
    """
    path = workspace.warehouse_path
    try:
        con = ibis.duckdb.connect(str(path), read_only=read_only)
    except (duckdb.Error, OSError) as exc:
        raise opening_error(path, exc) from exc
    try:
        if not read_only:
            create_schema(con.con)
            _write_owner(path)
        if check:
            require_sound(con.con, path)
    except IntegrityError:
        con.disconnect()
        raise
    except (duckdb.Error, OSError) as exc:
        con.disconnect()
        raise opening_error(path, exc) from exc
    return con


def opening_error(path: Path, exc: BaseException) -> WarehouseError:
    """Return the typed error for a warehouse DuckDB could not open or write."""
    text = str(exc)
    if _BUSY.search(text):
        return WarehouseBusy(
            f"the warehouse {path} is in use by {_holder(path, text)}. Wait for it to finish "
            "and run this command again (do not delete anything: it is not damaged)."
        )
    if _FULL.search(text):
        return WarehouseEnvironmentError(
            f"the disk holding {path.parent} is full ({text}): nothing was stored. "
            "Free some space and run the command again."
        )
    if _DENIED.search(text):
        return WarehouseEnvironmentError(
            f"cannot write the warehouse {path}: the folder or file is read-only or not "
            f"yours to write ({text}). Run from a folder you can write to, or fix its "
            "permissions, and run the command again."
        )
    return IntegrityError(
        f"DuckDB cannot read the warehouse {path} ({text}): the file is damaged. "
        f"What to do: {rebuild_advice(path)}."
    )


def _holder(path: Path, text: str) -> str:
    """Return who holds the lock: the totalplace command from the owner file, if it is that."""
    pid = _LOCK_PID.search(text)
    try:
        owner = json.loads((path.parent / OWNER_FILE).read_text())
    except (OSError, ValueError):
        owner = {}
    if pid and owner.get("pid") == int(pid.group(1)):
        return (
            f"another totalplace command: '{owner.get('command')}' (process {owner['pid']}, "
            f"started {owner.get('started')})"
        )
    if pid:
        return f"another totalplace command or program (process {pid.group(1)})"
    return "another totalplace command or program"


def _write_owner(path: Path) -> None:
    """Note which command holds the warehouse for writing, so a second one can name it."""
    command = " ".join(["totalplace", *sys.argv[1:]]) if sys.argv else "totalplace"
    owner = {"pid": os.getpid(), "command": command, "started": f"{datetime.now():%H:%M:%S}"}
    with suppress(OSError):  # only a courtesy for the busy message: never a reason to fail
        (path.parent / OWNER_FILE).write_text(json.dumps(owner))


def is_interrupt(exc: BaseException) -> bool:
    """Return whether the exception is a Ctrl-C: Python's, or DuckDB's "Query interrupted"."""
    return isinstance(exc, KeyboardInterrupt | duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()
    )


@contextmanager
def _signals_deferred() -> Iterator[list[int]]:
    """Hold SIGINT and SIGTERM (main thread only) and yield the list of those that arrived."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def note(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield caught
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _rollback(raw: Any) -> None:
    with suppress(duckdb.Error):  # DuckDB already rolled back after a failed statement
        raw.execute("ROLLBACK")


def _database_path(raw: Any) -> Path:
    try:
        row = raw.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()
        return Path(row[0] if row and row[0] else "warehouse")
    except duckdb.Error:
        return Path("warehouse")


# Transactions this process has committed: a Ctrl-C that lands after the last commit
# (while the command prints its report) must not be reported as "nothing was changed".
_COMMITS: list[int] = [0]


def commits_in_this_process() -> int:
    """Return how many warehouse transactions this process has committed."""
    return _COMMITS[0]


@contextmanager
def transaction(con: Any, checkpoint: bool = False) -> Iterator[Any]:
    """Run a block atomically on the raw connection: all of it is committed or none.

    Ctrl-C or SIGTERM during COMMIT is held until the commit ends, then raised as
    WarehouseInterrupted(stored=True); before it, the block is rolled back and
    WarehouseInterrupted(stored=False) raised. A full disk raises
    WarehouseEnvironmentError, nothing stored. ``checkpoint`` writes the committed work
    into the database file at once, so its WAL lives no longer than needed.
    """
    raw = con.con
    raw.execute("BEGIN TRANSACTION")
    try:
        yield raw
    except BaseException as exc:
        _rollback(raw)
        if is_interrupt(exc):
            raise WarehouseInterrupted(stored=False) from exc
        if isinstance(exc, duckdb.Error) and (_FULL.search(str(exc)) or _DENIED.search(str(exc))):
            raise opening_error(_database_path(raw), exc) from exc
        raise
    with _signals_deferred() as caught:
        try:
            raw.execute("COMMIT")
        except duckdb.Error as exc:
            _rollback(raw)
            if _FULL.search(str(exc)) or _DENIED.search(str(exc)):
                raise opening_error(_database_path(raw), exc) from exc
            raise
        _COMMITS[0] += 1
        if checkpoint:
            with suppress(duckdb.Error):  # committed in the WAL; a later checkpoint merges it
                raw.execute("CHECKPOINT")
    if caught:
        raise WarehouseInterrupted(stored=True)
