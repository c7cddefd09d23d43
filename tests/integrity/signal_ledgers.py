"""Small hand-made payments tables for the signal tests (the stage's payments interface)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import ibis
import ibis.expr.types as ir
import pyarrow as pa

SCHEMA = pa.schema(
    [
        ("txn_key", pa.string()),
        ("partner", pa.string()),
        ("txn_date", pa.date32()),
        ("fy_start_year", pa.int64()),
        ("amount", pa.decimal128(18, 2)),
        ("supplier_key", pa.string()),
        ("supplier_name", pa.string()),
        ("reference", pa.string()),
        ("category", pa.string()),
        ("theme", pa.string()),
    ]
)


def fy_of(day: date, start_month: int = 4) -> int:
    """Return the start year of ``day``'s financial year."""
    return day.year if day.month >= start_month else day.year - 1


def ledger(rows: list[tuple[str, str, date | None, str | Decimal, str | None]]) -> ir.Table:
    """Return a payments table of (partner, supplier name, date, amount, category) rows.

    supplier_key is the lower-cased name; txn_key 't0', 't1', ...; April years.
    """
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    for i, (partner, supplier, day, amount, category) in enumerate(rows):
        columns["txn_key"].append(f"t{i}")
        columns["partner"].append(partner)
        columns["txn_date"].append(day)
        columns["fy_start_year"].append(None if day is None else fy_of(day))
        columns["amount"].append(Decimal(amount))
        columns["supplier_key"].append(supplier.lower())
        columns["supplier_name"].append(supplier)
        columns["reference"].append(f"inv{i}")
        columns["category"].append(category)
        columns["theme"].append(None)
    return ibis.memtable(pa.table(columns, schema=SCHEMA))
