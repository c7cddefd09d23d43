"""The analytical warehouse: an Ibis connection (DuckDB by default) and its base tables.

Backend-specific code lives here only. Stages read tables through Ibis and write
their own derived tables with :func:`replace_table`, so the same code runs on any
backend Ibis supports. ``transactions`` and ``quarantine`` are views that read only rows
of live sources (see :mod:`totalplace.warehouse.schema`).
"""

from __future__ import annotations

from typing import Any

from totalplace.warehouse.connection import (
    commits_in_this_process,
    connect,
    is_interrupt,
    transaction,
)
from totalplace.warehouse.errors import (
    IntegrityError,
    WarehouseBusy,
    WarehouseEnvironmentError,
    WarehouseError,
    WarehouseInterrupted,
)
from totalplace.warehouse.schema import schema_sql

__all__ = [
    "commits_in_this_process",
    "is_interrupt",
    "IntegrityError",
    "WarehouseBusy",
    "WarehouseEnvironmentError",
    "WarehouseError",
    "WarehouseInterrupted",
    "connect",
    "has_table",
    "replace_table",
    "schema_sql",
    "transaction",
]


def has_table(con: Any, name: str) -> bool:
    """Return whether the warehouse has a table (or view) of this name."""
    return name in con.list_tables()


def replace_table(con: Any, name: str, expr: Any) -> None:
    """Write an Ibis expression (or Arrow table) as table ``name``, computed inside the engine."""
    con.create_table(name, expr, overwrite=True)
