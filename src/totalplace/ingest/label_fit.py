"""Check a header's labels against the values under them, and put a header a cell short right.

A column of whole-number identifiers is never the amount: where the labels sit one
column off their values, every label after the missing one is moved right, or the
sheet is refused, never trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pyarrow.compute as pc

from totalplace.ingest.columns import Mapping_
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.meaning import ColumnProfile, fits
from totalplace.ingest.sheets import RawSheet


def checked_mapping(
    label: str,
    sheet: RawSheet,
    cols: list[str],
    mapping: Mapping_,
    header_row: int | None,
    header: Sequence[object] | None,
    profiles: dict[int, ColumnProfile],
) -> tuple[Mapping_, RawSheet, Sequence[object] | None, str | None]:
    """Return the mapping checked against the values under it (put right if the header is a cell short).

    Raises ImportProblem when the amount column holds identifiers, or is not money, and
    no one-column shift of the labels makes them fit.
    """
    amount_col = mapping.columns["amount"]
    amount = profiles.get(amount_col)
    if amount is None or amount.filled == 0 or fits(mapping, profiles):
        return mapping, sheet, header, None
    named = [i for i, c in enumerate(header or []) if c is not None and str(c).strip()]
    short = header is not None and named and max(named) + 1 < len(cols)
    if not amount.looks_like_ids() and (amount.money >= 0.5 or not short):
        return mapping, sheet, header, None  # cells that are not money: quarantined one by one
    if short and header is not None:
        # The header is a cell short: find where a label is missing, so that every
        # label after it moves one column right and sits over values that fit it.
        for gap in range(max(named), -1, -1):
            moved = {f: i + (1 if i >= gap else 0) for f, i in mapping.columns.items()}
            candidate = replace(mapping, columns=moved)
            supplier = profiles.get(moved.get("supplier_name", -1))
            if fits(candidate, profiles) and (supplier is None or supplier.text >= 0.8):
                cells = list(header)
                cells.insert(gap, None)
                cells = cells[: len(cols)]
                headers = {f: str(cells[i]) for f, i in moved.items() if cells[i] is not None}
                candidate = replace(candidate, headers=headers)
                table = sheet.table
                if header_row and "_fields" in table.column_names:
                    at_header = pc.equal(table.column("_row"), header_row)
                    widened = pc.if_else(
                        at_header, pc.add(table.column("_fields"), 1), table.column("_fields")
                    )
                    index = table.column_names.index("_fields")
                    table = table.set_column(
                        index, "_fields", widened.cast(table.schema.field("_fields").type)
                    )
                note = (
                    f"the header row is one cell short: its labels from {str(header[gap])!r} "
                    f"(column {gap + 1}) on sat one column left of their values (the column "
                    f"headed {str(header[amount_col])!r} holds "
                    + ("identifiers" if amount.looks_like_ids() else "values that are not money")
                    + "); they were moved right, so that every label fits its values"
                )
                return candidate, replace(sheet, table=table), cells, note
    what = (
        "whole-number identifiers (all distinct, rising), not money"
        if amount.looks_like_ids()
        else f"values of which only {amount.money:.0%} parse as money"
    )
    raise ImportProblem(
        label,
        f"the column headed {mapping.headers.get('amount', '?')!r} (column {amount_col}, "
        f"counting from 0) holds {what}: the header's labels do not fit the values under "
        "them (a header row a cell short puts labels over the wrong columns), so it is not "
        "trusted",
        "Pin the columns in place.toml, e.g. [partners.columns] amount = <the column number "
        "of the amounts, from 0>, date = <its number>, or correct the file's header row",
    )
