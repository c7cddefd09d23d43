"""DuckDB: the embedded default, one file in the workspace, with honest failures.

DuckDB reports a busy, read-only, full or damaged warehouse all as IOException; the
message of each is told apart here and turned into a typed error that says which it
is and what to do (never "delete the .totalplace folder").
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa

from totalplace.warehouse.errors import (
    IntegrityError,
    WarehouseBusy,
    WarehouseEnvironmentError,
    WarehouseError,
    WarehouseInterrupted,
)
from totalplace.warehouse.integrity import rebuild_advice
from totalplace.warehouse.interrupts import is_interrupt, note_commit, signals_deferred

OWNER_FILE = "warehouse.owner"

_BUSY = re.compile(r"could not set lock|conflicting lock", re.I)
_LOCK_PID = re.compile(r"\(PID (\d+)\)")
_FULL = re.compile(r"no space left|disk is full|file too large|errno 28|errno 27", re.I)
_DENIED = re.compile(r"permission denied|read-only file system|errno 13|errno 30", re.I)

# DuckDB's row group size: an insert fed whole row groups writes them as they are;
# batches of other sizes leave part-filled row groups that closing the warehouse then
# rewrites, which doubled the cost of storing a 1M-row file.
ROW_GROUP = 122_880


def open_warehouse(path: Path, read_only: bool) -> Any:
    """Return an Ibis DuckDB backend on the file; raises the typed error if it cannot be opened."""
    try:
        con = ibis.duckdb.connect(str(path), read_only=read_only)
    except (duckdb.Error, OSError) as exc:
        raise opening_error(path, exc) from exc
    if not read_only:
        _write_owner(path)
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


def is_environment_error(exc: BaseException) -> bool:
    """Return whether a DuckDB error is a full or unwritable disk (not a fault of the data)."""
    return isinstance(exc, duckdb.Error | OSError) and bool(
        _FULL.search(str(exc)) or _DENIED.search(str(exc))
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


def database_path(raw: Any) -> Path:
    """Return the file of the connection's database (for messages)."""
    try:
        row = raw.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()
        return Path(row[0] if row and row[0] else "warehouse")
    except duckdb.Error:
        return Path("warehouse")


def _raw(con: Any) -> Any:
    """Return the DuckDB connection of an Ibis backend (or the connection itself)."""
    return con if type(con).__name__ == "DuckDBPyConnection" else con.con


def run(con: Any, sql: str, params: list[Any] | None = None) -> pa.Table | None:
    """Run one statement; return its rows as Arrow, or None for a statement without rows."""
    cursor = _raw(con).execute(sql, params or None)
    if cursor.description is None:
        return None
    return cursor.fetch_arrow_table()


def append(con: Any, name: str, reader: pa.RecordBatchReader) -> None:
    """Insert Arrow batches into a table, matching columns by name."""
    raw = _raw(con)
    view = f"_append_{name}"
    raw.register(view, reader)
    try:
        raw.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {view}")
    finally:
        raw.unregister(view)


def base_tables(con: Any) -> set[str]:
    """Return the names of the warehouse's base tables (views excluded)."""
    rows = (
        _raw(con)
        .execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        )
        .fetchall()
    )
    return {name for (name,) in rows}


def _rollback(raw: Any) -> None:
    with suppress(duckdb.Error):  # DuckDB already rolled back after a failed statement
        raw.execute("ROLLBACK")


@contextmanager
def transaction(con: Any, checkpoint: bool = False) -> Iterator[Any]:
    """Run a block atomically: all of it is committed or none (see warehouse.transaction)."""
    raw = _raw(con)
    raw.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException as exc:
        _rollback(raw)
        if is_interrupt(exc):
            raise WarehouseInterrupted(stored=False) from exc
        if is_environment_error(exc):
            raise opening_error(database_path(raw), exc) from exc
        raise
    with signals_deferred() as caught:
        try:
            raw.execute("COMMIT")
        except duckdb.Error as exc:
            _rollback(raw)
            if is_environment_error(exc):
                raise opening_error(database_path(raw), exc) from exc
            raise
        note_commit()
        if checkpoint:
            with suppress(duckdb.Error):  # committed in the WAL; a later checkpoint merges it
                raw.execute("CHECKPOINT")
    if caught:
        raise WarehouseInterrupted(stored=True)


def replace_table(con: Any, name: str, expr: Any) -> None:
    """Write an Ibis expression (or Arrow table) as table ``name``, computed inside DuckDB."""
    con.create_table(name, expr, overwrite=True)
