"""The analytical warehouse: one seam over DuckDB (the default), PostgreSQL and Spark.

Engine-specific code lives here only (one module per engine in ``engines/``). Stages
read tables through Ibis, write their own derived tables with :func:`replace_table`,
and where raw SQL is truly needed write it once in DuckDB's dialect for
:func:`run_sql`, which transpiles it with sqlglot. ``transactions`` and ``quarantine``
are views that read only rows of live sources (see :mod:`totalplace.warehouse.schema`).
See docs/decisions/0010-engine-seam.md.
"""

from __future__ import annotations

from totalplace.warehouse.access import (
    append,
    base_tables,
    delete_where,
    engine_of,
    has_table,
    replace_rows,
    replace_table,
    rows,
    run_sql,
    transpile,
)
from totalplace.warehouse.connection import connect, create_schema, describe, exists, transaction
from totalplace.warehouse.errors import (
    IntegrityError,
    WarehouseBusy,
    WarehouseEnvironmentError,
    WarehouseError,
    WarehouseInterrupted,
)
from totalplace.warehouse.interrupts import commits_in_this_process, is_interrupt
from totalplace.warehouse.schema import schema_sql, tables

__all__ = [
    "IntegrityError",
    "WarehouseBusy",
    "WarehouseEnvironmentError",
    "WarehouseError",
    "WarehouseInterrupted",
    "append",
    "base_tables",
    "commits_in_this_process",
    "connect",
    "create_schema",
    "delete_where",
    "describe",
    "engine_of",
    "exists",
    "has_table",
    "is_interrupt",
    "replace_rows",
    "replace_table",
    "rows",
    "run_sql",
    "schema_sql",
    "tables",
    "transaction",
    "transpile",
]
