"""Small spending files and warehouse snapshots for the warehouse tests."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb


def write_spend(path: Path, rows: int, version: int) -> Path:
    """Write a spending CSV of ``rows`` rows; each version has different amounts and ids."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Payment Date", "Supplier Name", "Amount", "Transaction ID"])
        writer.writerows(
            [
                f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                f"Supplier {i % 5000}",
                f"{(i % 9973) + version}.{i % 100:02d}",
                f"T{version}-{i}",
            ]
            for i in range(rows)
        )
    return path


def read_state(db: Path) -> dict[str, Any]:
    """Return what every stage reads: rows and pennies per source, and the live sources."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        per_source = {
            (p, h): (n, Decimal(a))
            for p, h, n, a in con.execute(
                "SELECT partner, source_hash, count(*), sum(amount) FROM transactions "
                "GROUP BY ALL ORDER BY ALL"
            ).fetchall()
        }
        sources = {
            (p, h): (n, Decimal(a))
            for p, h, n, a in con.execute(
                "SELECT partner, source_hash, sum(rows_loaded), sum(amount_loaded) FROM sources "
                "GROUP BY ALL ORDER BY ALL"
            ).fetchall()
        }
    finally:
        con.close()
    return {"transactions": per_source, "sources": sources}
