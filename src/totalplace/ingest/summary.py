"""Summary files: one row per supplier for a period, with no dates or transaction ids.

Such a sheet is recognised from its mapping and values, and dated by its period: from a
profile, the rows above its header, or its file name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import PurePath

from totalplace.ingest.columns import Mapping_
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.meaning import ColumnProfile, find_period
from totalplace.ingest.sheets import RawSheet


def is_summary(mapping: Mapping_, profiles: dict[int, ColumnProfile]) -> bool:
    """Return whether a sheet is a summary: one row per supplier for a period, no dates or ids."""
    cols = mapping.columns
    if "date" in cols or "transaction_id" in cols or "supplier_name" not in cols:
        return False
    if any(p.dates >= 0.9 for p in profiles.values()):
        return False  # a column of dates no header or pin named: not a summary
    supplier = profiles.get(cols["supplier_name"])
    return supplier is not None and supplier.filled > 0 and supplier.distinct >= 0.95


def summary_period(
    label: str,
    sheet: RawSheet,
    top: Sequence[Sequence[object]],
    header_row: int | None,
    period: str | None,
) -> tuple[date, str]:
    """Return the first day of a summary's period and where it was found (pin, preamble, file name)."""
    if period:
        found = find_period(period)
        if found is not None:
            return found, f"period {period!r} in the profile"
    for cells in top[: (header_row or 1) - 1]:
        for cell in cells:
            if cell is not None and (found := find_period(str(cell))) is not None:
                return found, f"from the preamble: {str(cell).strip()[:60]!r}"
    name = PurePath(sheet.file).name
    for text in (name, sheet.sheet or ""):
        if (found := find_period(text)) is not None:
            return found, f"from the file name {text!r}"
    raise ImportProblem(
        label,
        "this is a summary file (one row per supplier, with no dates or transaction ids), "
        "and no period was found for it in its first rows or its file name",
        "Say which month it covers in place.toml: [[partners.profiles]] sources = "
        '["<this file>"] with period = "2019-09", or rename the file to end in the month, '
        "e.g. _2019-09.csv",
    )
