"""The base tables and the views every stage reads them through, declared once for every engine.

Rows are stored in ``transaction_rows`` and ``quarantine_rows``; ``transactions`` and
``quarantine`` are views that keep only rows whose (partner, source_hash) has a live
record in ``sources``. ``sources`` is the authority: rows a crash left without a live
source (see docs/decisions/0008-crash-safe-store.md) are never read, and the next import
removes them. On Spark, which has no multi-table transactions, this is what keeps the
store safe (docs/decisions/0010-engine-seam.md).

:data:`TABLES` is the one declaration (names, columns, Ibis types, nullability); the DDL
of each engine is generated from it with sqlglot.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import sqlglot as sg

ROWS = {"transactions": "transaction_rows", "quarantine": "quarantine_rows"}

_TEXT = dt.String(nullable=True)
_MONEY = dt.Decimal(18, 2)
_TOTAL = dt.Decimal(38, 2)


def _sources() -> dict[str, dt.DataType]:
    return {
        "source_hash": dt.String(nullable=False),
        "partner": dt.String(nullable=False),
        "source_file": dt.String(nullable=False),
        "sheet": _TEXT,
        "sheet_index": dt.Int32(nullable=False),
        "format": _TEXT,
        "encoding": _TEXT,
        "delimiter": _TEXT,
        "mapping": _TEXT,
        "notes": _TEXT,
        "fingerprint": _TEXT,
        "rows_read": dt.Int64(nullable=False),
        "rows_loaded": dt.Int64(nullable=False),
        "rows_quarantined": dt.Int64(nullable=False),
        "amount_loaded": _TOTAL.copy(nullable=False),
        "amount_quarantined": _TOTAL.copy(nullable=False),
        "imported_at": dt.Timestamp(nullable=False),
        "profile_hash": _TEXT,
        "evidence": _TEXT,
    }


def _transaction_rows() -> dict[str, dt.DataType]:
    from totalplace.ingest.columns import FIELDS  # here: ingest itself imports this package

    return {
        "txn_key": dt.String(nullable=False),
        "partner": dt.String(nullable=False),
        "source_hash": dt.String(nullable=False),
        "source_file": dt.String(nullable=False),
        "sheet": _TEXT,
        "row_number": dt.Int64(nullable=False),
        "txn_date": dt.Date(nullable=True),
        "date_precision": dt.String(nullable=False),
        "amount": _MONEY.copy(nullable=False),
        **{f: _TEXT for f in FIELDS if f not in ("amount", "date")},
        "payee_status": dt.String(nullable=False),
    }


def _quarantine_rows() -> dict[str, dt.DataType]:
    return {
        "partner": dt.String(nullable=False),
        "source_hash": dt.String(nullable=False),
        "source_file": dt.String(nullable=False),
        "sheet": _TEXT,
        "row_number": dt.Int64(nullable=False),
        "reason": dt.String(nullable=False),
        "amount": _MONEY,
        "raw": _TEXT,
    }


@cache
def tables() -> dict[str, ibis.Schema]:
    """Return the base tables, in creation order: name -> Ibis schema (types and nullability)."""
    return {
        "sources": ibis.schema(_sources()),
        "transaction_rows": ibis.schema(_transaction_rows()),
        "quarantine_rows": ibis.schema(_quarantine_rows()),
    }


#: Columns added to ``sources`` after warehouses were first made (NULL for older rows).
LATER_SOURCE_COLUMNS = ("profile_hash", "evidence")

# Written once (DuckDB dialect), transpiled per engine: EXISTS is a semi join everywhere.
_VIEW = """CREATE VIEW {view} AS
SELECT r.* FROM {table} AS r WHERE EXISTS (
    SELECT 1 FROM sources AS s WHERE s.partner = r.partner AND s.source_hash = r.source_hash)"""


def dialect(engine: str) -> str:
    """Return sqlglot's name for the SQL dialect of an engine."""
    return {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark"}[engine]


def table_ddl(engine: str, name: str) -> str:
    """Return CREATE TABLE IF NOT EXISTS for a base table in the engine's dialect."""
    columns = [
        sg.exp.ColumnDef(
            this=sg.to_identifier(column),
            kind=_sqlglot_type(kind),
            constraints=[]
            if kind.nullable or engine == "spark"  # Spark's parquet tables keep no NOT NULL
            else [sg.exp.ColumnConstraint(kind=sg.exp.NotNullColumnConstraint())],
        )
        for column, kind in tables()[name].items()
    ]
    create = sg.exp.Create(
        kind="TABLE",
        exists=True,
        this=sg.exp.Schema(this=sg.to_identifier(name), expressions=columns),
    )
    text = create.sql(dialect=dialect(engine))
    return text + " USING parquet" if engine == "spark" else text


def _sqlglot_type(kind: dt.DataType) -> sg.exp.DataType:
    from ibis.backends.sql.datatypes import DuckDBType

    return DuckDBType.from_ibis(kind.copy(nullable=True))


def view_ddl(engine: str, view: str) -> str:
    """Return CREATE VIEW of ``transactions`` or ``quarantine`` for the engine (made if missing)."""
    sql = _VIEW.format(view=view, table=ROWS[view])
    return sg.transpile(sql, read="duckdb", write=dialect(engine))[0]


def schema_sql(engine: str = "duckdb") -> str:
    """Return the DDL of the base tables and the two views for an engine, as one script."""
    statements = [table_ddl(engine, name) for name in tables()]
    statements += [view_ddl(engine, view) for view in ROWS]
    return ";\n".join(statements) + ";\n"


def sql_type(engine: str, kind: Any) -> str:
    """Return the engine's name for an Ibis type (e.g. a column added to an old table)."""
    return _sqlglot_type(kind).sql(dialect=dialect(engine))
