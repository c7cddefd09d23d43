"""The base tables, and the views every stage reads them through.

Rows are stored in ``transaction_rows`` and ``quarantine_rows``; ``transactions`` and
``quarantine`` are views that keep only rows whose (partner, source_hash) has a live
record in ``sources``. ``sources`` is the authority: rows a crash left without a live
source (see docs/decisions/0008-crash-safe-store.md) are never read, and the next import
removes them.
"""

from __future__ import annotations

from typing import Any

ROWS = {"transactions": "transaction_rows", "quarantine": "quarantine_rows"}


def schema_sql() -> str:
    """Return the DDL of the base tables (sources and the row tables) and the two views."""
    from totalplace.ingest.columns import FIELDS  # here: ingest itself imports this package

    text_fields = [f for f in FIELDS if f not in ("amount", "date")]
    views = "".join(
        f"""
CREATE VIEW IF NOT EXISTS {view} AS
    SELECT r.* FROM {table} AS r SEMI JOIN sources AS s
    ON r.partner = s.partner AND r.source_hash = s.source_hash;"""
        for view, table in ROWS.items()
    )
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
    imported_at TIMESTAMP NOT NULL,
    profile_hash VARCHAR,
    evidence VARCHAR
);
CREATE TABLE IF NOT EXISTS transaction_rows (
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
CREATE TABLE IF NOT EXISTS quarantine_rows (
    partner VARCHAR NOT NULL,
    source_hash VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    row_number BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    amount DECIMAL(18, 2),
    raw VARCHAR
);
{views}
"""


def base_tables(raw: Any) -> set[str]:
    """Return the names of the warehouse's base tables (views excluded)."""
    return {
        name
        for (name,) in raw.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        ).fetchall()
    }


def rows_table(raw: Any, view: str) -> str:
    """Return the physical table of ``transactions`` or ``quarantine`` (old warehouses: itself)."""
    return ROWS[view] if ROWS[view] in base_tables(raw) else view


def create_schema(raw: Any) -> None:
    """Create the base tables and views; a warehouse made before the views is moved to them."""
    old = base_tables(raw) & set(ROWS)
    if old:
        raw.execute("BEGIN TRANSACTION")
        for view in sorted(old):
            raw.execute(f"ALTER TABLE {view} RENAME TO {ROWS[view]}")
        raw.execute(schema_sql())
        _add_source_columns(raw)
        raw.execute("COMMIT")
        return
    raw.execute(schema_sql())
    _add_source_columns(raw)


#: Columns added to ``sources`` after warehouses were first made, and their types.
LATER_SOURCE_COLUMNS = {"profile_hash": "VARCHAR", "evidence": "VARCHAR"}


def _add_source_columns(raw: Any) -> None:
    """Add to an older warehouse's ``sources`` the columns it lacks (NULL for its rows)."""
    have = {
        name
        for (name,) in raw.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = 'sources'"
        ).fetchall()
    }
    for name, kind in LATER_SOURCE_COLUMNS.items():
        if name not in have:
            raw.execute(f"ALTER TABLE sources ADD COLUMN {name} {kind}")
