"""What cleaning a sheet gives: its typed facts, its quarantined rows, and notes on them.

Also the check of a file's own stated total against the rows loaded, said in the notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.rows import TOTAL_REASON, empty_tables
from totalplace.ingest.sheets import RawSheet


@dataclass
class CleanSheet:
    """The outcome for one sheet: typed facts, quarantined rows, and how it was read."""

    file: str
    sheet: str | None
    facts: pa.Table
    quarantine: pa.Table
    rows_read: int
    mapping: dict[str, str]
    notes: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def empty_outcome(sheet: RawSheet, notes: list[str]) -> CleanSheet:
    """Return the outcome of a sheet with no data: its rows (blank) all quarantined."""
    # Quarantined so that nothing goes uncounted.
    facts, quarantine = empty_tables(sheet.table.column("_row") if sheet.n_rows else None)
    return CleanSheet(sheet.file, sheet.sheet, facts, quarantine, sheet.n_rows, {}, notes)


def stated_total(facts: pa.Table, quarantine: pa.Table) -> str | None:
    """Return a note comparing the file's own (last, grand) total row with the rows loaded, or None.

    A difference is said loudly: rows the file counts were lost, or it counts others.
    """
    totals = quarantine.filter(pc.equal(quarantine.column("reason"), TOTAL_REASON))
    if not totals.num_rows:
        return None
    # The last total that is not a subtotal is the file's grand total (footer rows are few).
    grand = [
        (row, amount)
        for row, amount, raw in zip(
            totals.column("row_number").to_pylist(),
            totals.column("amount").to_pylist(),
            totals.column("raw").to_pylist(),
            strict=True,
        )
        if amount is not None and not re.search(r"(?i)\bsub[\s\-]*total", raw or "")
    ]
    if not grand:
        return None
    row, amount = grand[-1]
    loaded = pc.sum(facts.column("amount").cast(pa.decimal128(38, 2))).as_py() or Decimal("0")
    if amount == loaded:
        return f"the file's own total (row {row}), £{amount:,.2f}, agrees with the rows loaded"
    return (
        f"WARNING: the file states a total of £{amount:,.2f} (row {row}) but the rows loaded "
        f"add up to £{loaded:,.2f}, a difference of £{loaded - amount:,.2f}: check the "
        "quarantined rows and the file"
    )
