"""The analytical warehouse: an Ibis connection (DuckDB by default) and its base tables.

Backend-specific code lives here only. Stages read tables through Ibis and write
their own derived tables with :func:`replace_table`, so the same code runs on any
backend Ibis supports.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import ibis

from totalplace.workspace import Workspace, WorkspaceError


def schema_sql() -> str:
    """Return the DDL of the base tables (sources, transactions, quarantine)."""
    from totalplace.ingest.columns import FIELDS  # here: ingest itself imports this module

    text_fields = [f for f in FIELDS if f not in ("amount", "date")]
    return f"""
CREATE TABLE IF NOT EXISTS sources (
    source_hash VARCHAR NOT NULL,
    partner VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    sheet_index INTEGER NOT NULL,
    format VARCHAR,
    encoding VARCHAR,
    delimiter VARCHAR,
    mapping VARCHAR,
    notes VARCHAR,
    fingerprint VARCHAR,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    amount_loaded DECIMAL(38, 2) NOT NULL,
    amount_quarantined DECIMAL(38, 2) NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS transactions (
    txn_key VARCHAR NOT NULL,
    partner VARCHAR NOT NULL,
    source_hash VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    row_number BIGINT NOT NULL,
    txn_date DATE,
    date_precision VARCHAR NOT NULL,
    amount DECIMAL(18, 2) NOT NULL,
    {", ".join(f"{f} VARCHAR" for f in text_fields)},
    payee_status VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    partner VARCHAR NOT NULL,
    source_hash VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    row_number BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    amount DECIMAL(18, 2),
    raw VARCHAR
);
"""


def connect(workspace: Workspace, read_only: bool = False) -> Any:
    """Return an Ibis backend on the workspace warehouse, with the base tables created."""
    try:
        con = ibis.duckdb.connect(str(workspace.warehouse_path), read_only=read_only)
    except duckdb.IOException as exc:
        raise WorkspaceError(
            f"cannot open the warehouse {workspace.warehouse_path} ({exc}). It is derived data: "
            "delete the .totalplace folder and run 'totalplace import' again to rebuild it."
        ) from exc
    if not read_only:
        con.con.execute(schema_sql())
    return con


@contextmanager
def transaction(con: Any) -> Iterator[Any]:
    """Run a block atomically on the raw connection: all of it is committed or none."""
    raw = con.con
    raw.execute("BEGIN TRANSACTION")
    try:
        yield raw
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    raw.execute("COMMIT")


def has_table(con: Any, name: str) -> bool:
    """Return whether the warehouse has a table of this name."""
    return name in con.list_tables()


def replace_table(con: Any, name: str, expr: Any) -> None:
    """Write an Ibis expression (or Arrow table) as table ``name``, computed inside the engine."""
    con.create_table(name, expr, overwrite=True)
