"""Find the row of a raw sheet that holds its header: at the top, at the foot, or pinned.

A header names an amount column and at least one other known field, and none of its
cells is a sum of money or a date (a data row whose words sound like headers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyarrow.compute as pc

from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.header_map import header_score, map_header
from totalplace.ingest.pins import pinned_header_row
from totalplace.ingest.sheets import RawSheet

HEADER_SEARCH_TOP = 50
HEADER_SEARCH_BOTTOM = 5


def find_top_header(rows: Sequence[Sequence[object]]) -> int | None:
    for index, cells in enumerate(rows):
        if is_header(cells):
            return index
    return None


_DATA_CELL = re.compile(
    r"\s*(£?-?[\d,]*\.\d{2}|\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}.*)\s*"
)


def is_header(cells: Sequence[object]) -> bool:
    """Return whether a row reads as a header: it names an amount and another field, and no
    cell of it is a sum of money or a date (a data row whose words sound like headers)."""
    if header_score(cells) < 2 or "amount" not in map_header(cells).columns:
        return False
    return not has_data(cells)


def has_data(cells: Sequence[object]) -> bool:
    """Return whether a row holds a sum of money or a date (so it is data, not a header)."""
    return any(c is not None and _DATA_CELL.fullmatch(str(c)) for c in cells)


def nothing_after(
    sheet: RawSheet, cols: list[str], top: Sequence[Sequence[object]], index: int
) -> bool:
    """Return whether every row after row ``index`` (0-based) is blank."""
    if any(c is not None and str(c).strip() for row in top[index + 1 :] for c in row):
        return False
    rest = sheet.table.slice(index + 1).select(cols)
    return not any(
        pc.any(pc.not_equal(pc.utf8_trim_whitespace(column), "")).as_py() for column in rest.columns
    )


def find_header(
    label: str,
    sheet: RawSheet,
    cols: list[str],
    top: list[list[str | None]],
    profile: Mapping[str, str | int] | None,
    notes: list[str],
) -> tuple[int | None, Sequence[object] | None]:
    """Return the header's 1-based row (None if it is not at the top) and its cells (None if none).

    A header found at the foot of the sheet names the rows above it (a note says so).
    Raises ImportProblem when the profile pins header text no top row holds.
    """
    header_row: int | None = None
    header_cells: Sequence[object] | None = None
    if profile and any(isinstance(w, str) for w in profile.values()):
        # A pin by header text says which row is the header: the one holding it.
        index = pinned_header_row(profile, top)
        if index is None:
            named = ", ".join(f"{f} = {w!r}" for f, w in profile.items() if isinstance(w, str))
            raise ImportProblem(
                label,
                f"the column profile pins {named}, but no row of the first "
                f"{HEADER_SEARCH_TOP} holds that header text; the first row is "
                + ", ".join(repr(c) for c in top[0] if c is not None)[:300],
                "Correct the header text in place.toml (it must match a header cell, case and "
                "punctuation aside), or pin by column number, e.g. amount = 7 (from 0)",
            )
    else:
        index = find_top_header(top)
        if index is not None and index > 0 and nothing_after(sheet, cols, top, index):
            index = None  # a last-line header (Hyndburn's exports) names the rows above it
    if index is not None:
        header_row = index + 1
        header_cells = top[index]
    elif not profile:
        tail_start = max(sheet.n_rows - HEADER_SEARCH_BOTTOM, 0)
        tail = sheet.table.slice(tail_start).select(cols).to_pylist()
        for offset, row in enumerate(tail):
            cells = [row[c] for c in cols]
            if is_header(cells):
                header_cells = cells
                notes.append(
                    f"no header at the top; the header found at row {tail_start + offset + 1} "
                    "was used for the rows above it"
                )
                break
    return header_row, header_cells
