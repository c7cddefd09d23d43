"""Load a synthetic England's Parquet into a warehouse on any engine, through Ibis only.

The engine reads the Parquet itself (``read_parquet``): no row passes through Python.
A warehouse that already has the base tables (DuckDB's, made by ``warehouse.connect``)
gets the rows appended; a bare one (a fresh Spark or PostgreSQL database) gets the two
tables and the ``transactions`` view every stage reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from totalplace.synth.ledgers import ROWS_FILE, SOURCES_FILE
from totalplace.warehouse import has_table


def load(con: Any, root: Path | str) -> int:
    """Load ``transaction_rows`` and ``sources`` from ``root`` into ``con``; return the rows loaded."""
    root = Path(root)
    for name, file in (("transaction_rows", ROWS_FILE), ("sources", SOURCES_FILE)):
        parquet = con.read_parquet(str(root / file))
        if has_table(con, name):
            con.insert(name, parquet)
        else:
            con.create_table(name, parquet)
    if not has_table(con, "transactions"):
        rows, sources = con.table("transaction_rows"), con.table("sources")
        live = rows.semi_join(
            sources,
            [rows.partner == sources.partner, rows.source_hash == sources.source_hash],
        )
        con.create_view("transactions", live)
    return int(con.table("transactions").count().execute())
