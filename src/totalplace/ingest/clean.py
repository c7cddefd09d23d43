"""Type and check the text cells of raw sheets: facts out, or quarantine with a reason.

Two steps: :func:`prepare_sheet` finds a sheet's header and maps its columns (per-file
work, in the reading threads); :func:`clean_sheets` then types the rows of many sheets
in one query on an in-memory DuckDB connection (the SQL is in ``ingest/rows.py``); no
Python loop touches the rows. Each input row ends up as exactly one fact or one
quarantined row, except the one header row a sheet is read by.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.columns import Mapping_, header_score, map_header, pinned_mapping
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.ragged import realign
from totalplace.ingest.readers import RawSheet, iter_cells
from totalplace.ingest.rows import (
    REDACTED_PATTERN,
    WITHHELD_PATTERN,
    Blocks,
    empty_tables,
    install_macros,
    sheet_rows,
    split_rows,
    typed_rows,
)

__all__ = [
    "REDACTED_PATTERN",
    "WITHHELD_PATTERN",
    "CleanSheet",
    "PreparedSheet",
    "clean_sheet",
    "clean_sheets",
    "install_macros",
    "prepare_sheet",
]

_HEADER_SEARCH_TOP = 50
_HEADER_SEARCH_BOTTOM = 5
_INNER_HEADER_CANDIDATES = 2000  # rows checked for a header inside the data, at most


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


def _find_top_header(rows: Sequence[Sequence[object]]) -> int | None:
    for index, cells in enumerate(rows):
        if _is_header(cells):
            return index
    return None


def _is_header(cells: Sequence[object]) -> bool:
    return header_score(cells) >= 2 and "amount" in map_header(cells).columns


def _nothing_after(
    sheet: RawSheet, cols: list[str], top: Sequence[Sequence[object]], index: int
) -> bool:
    """Return whether every row after row ``index`` (0-based) is blank."""
    if any(c is not None and str(c).strip() for row in top[index + 1 :] for c in row):
        return False
    rest = sheet.table.slice(index + 1).select(cols)
    return not any(
        pc.any(pc.not_equal(pc.utf8_trim_whitespace(column), "")).as_py() for column in rest.columns
    )


@dataclass
class PreparedSheet:
    """A sheet whose header and column mapping are known, ready to be typed."""

    sheet: RawSheet
    cols: list[str]
    header_row: int | None  # 1-based _row of the header that precedes the data
    mapping: Mapping_
    pinned: bool  # a profile fixes the columns: a header inside the data changes nothing
    notes: list[str]
    header: Sequence[object] | None = None  # the header's cells, where one was found


def clean_sheet(
    con: duckdb.DuckDBPyConnection,
    sheet: RawSheet,
    profile: Mapping[str, str | int] | None = None,
) -> CleanSheet:
    """Return the typed facts and quarantined rows of one raw sheet.

    Raises ImportProblem when no header row can be found and no profile says where
    the columns are, or when the sheet has no amount column.
    """
    return clean_sheets(con, [prepare_sheet(sheet, profile)])[0]


def prepare_sheet(
    sheet: RawSheet, profile: Mapping[str, str | int] | None = None
) -> PreparedSheet | CleanSheet:
    """Return the sheet with its header found and columns mapped, or its outcome if it is empty.

    Raises ImportProblem when no header row can be found and no profile says where
    the columns are, or when the sheet has no amount column.
    """
    label = sheet.file if sheet.sheet is None else f"{sheet.file} [{sheet.sheet}]"
    cols = [c for c in sheet.table.column_names if re.fullmatch(r"c\d+", c)]
    notes = list(sheet.notes)
    if sheet.n_rows == 0 or not cols:
        return _empty(sheet, notes + ["empty sheet"])

    top = list(iter_cells(sheet, _HEADER_SEARCH_TOP))
    header_row: int | None = None
    index = _find_top_header(top)
    if index is not None and index > 0 and _nothing_after(sheet, cols, top, index):
        index = None  # a last-line header (Hyndburn's exports) names the rows above it
    header_cells: Sequence[object] | None = None
    if index is not None:
        header_row = index + 1
        header_cells = top[index]
    else:
        tail_start = max(sheet.n_rows - _HEADER_SEARCH_BOTTOM, 0)
        tail = sheet.table.slice(tail_start).select(cols).to_pylist()
        for offset, row in enumerate(tail):
            cells = [row[c] for c in cols]
            if _is_header(cells):
                header_cells = cells
                notes.append(
                    f"no header at the top; the header found at row {tail_start + offset + 1} "
                    "was used for the rows above it"
                )
                break

    if profile:
        mapping = pinned_mapping(profile, header_cells)
    elif header_cells is not None:
        mapping = map_header(header_cells)
    elif (near := next((r for r in top if header_score(r) >= 2), None)) is not None:
        header_cells, mapping = near, map_header(near)  # a header without an amount: said below
    elif all(v is None for row in top for v in row):
        return _empty(sheet, notes + ["empty sheet"])
    else:
        raise ImportProblem(
            label,
            "no header row was found (looked for a row naming an amount column and at least "
            f"one other known column in the first {_HEADER_SEARCH_TOP} and last "
            f"{_HEADER_SEARCH_BOTTOM} rows); the first row is "
            + ", ".join(repr(c) for c in top[0] if c is not None)[:300],
            "Give the partner a column profile in place.toml, e.g. "
            "[partners.columns] amount = 17, date = 15, supplier_name = 12 (column numbers "
            "counting from 0), or add the header row to the file",
        )
    if "amount" not in mapping.columns:
        seen = ", ".join(repr(str(c)) for c in (header_cells or []) if c)
        raise ImportProblem(
            label,
            f"no amount column was recognised; the headers are {seen or '(none)'}",
            "Expected one of 'Amount', 'Net Amount', 'Amount Paid', 'Total', 'Spend', 'Value'. "
            "Pin the right column with a profile in place.toml: [partners.columns] amount = '<header>'",
        )
    return PreparedSheet(sheet, cols, header_row, mapping, bool(profile), notes, header_cells)


def clean_sheets(
    con: duckdb.DuckDBPyConnection, prepared: Sequence[PreparedSheet | CleanSheet]
) -> list[CleanSheet]:
    """Return the outcome of each prepared sheet (empty ones as they are), typing all in one query."""
    todo = {i: p for i, p in enumerate(prepared) if isinstance(p, PreparedSheet)}
    for p in todo.values():
        _realign(con, p)
    blocks: dict[int, Blocks] = {i: [(1, p.mapping)] for i, p in todo.items()}
    typed = _typed(con, todo, blocks)
    inner: dict[int, list[tuple[int, list[object]]]] = {}
    for i, p in todo.items():
        inner[i] = _inner_headers(p.sheet, typed[i], p.cols, p.header_row)
        for row_number, cells in inner[i]:
            layout = map_header(cells)
            if not p.pinned and layout.columns != blocks[i][-1][1].columns:
                blocks[i].append((row_number + 1, layout))
    # Rare (Lancashire Fire 2022-23): a header inside the data changes the layout, so
    # that sheet is typed again, block by block.
    changed = {i: p for i, p in todo.items() if len(blocks[i]) > 1}
    if changed:
        typed.update(_typed(con, changed, blocks))
    out: list[CleanSheet] = []
    for i, item in enumerate(prepared):
        if isinstance(item, CleanSheet):  # an empty sheet, settled already
            out.append(item)
        else:
            out.append(_outcome(item, typed[i], blocks[i], inner[i]))
    return out


def _realign(con: duckdb.DuckDBPyConnection, p: PreparedSheet) -> None:
    """Put a sheet's ragged rows under their columns, or mark them for quarantine (in place)."""
    done = realign(
        con,
        p.sheet.table,
        p.cols,
        p.header_row,
        p.mapping,
        p.header,
        _partial_row(p),
        p.sheet.delimiter or ",",
    )
    if done.table is not p.sheet.table:
        p.sheet = replace(p.sheet, table=done.table)
        p.notes = p.notes + done.notes


def _partial_row(p: PreparedSheet) -> int:
    """Return the row the reader found cut short at the end of the file, or 0."""
    return p.sheet.n_rows if "truncated" in p.sheet.notes else 0


def _typed(
    con: duckdb.DuckDBPyConnection, sheets: dict[int, PreparedSheet], blocks: dict[int, Blocks]
) -> dict[int, pa.Table]:
    """Return each sheet's typed rows, from one query over all of them."""
    if not sheets:
        return {}
    width = max(len(p.cols) for p in sheets.values())
    parts = [
        sheet_rows(
            p.sheet.table,
            p.cols,
            blocks[i],
            width,
            i,
            p.header_row,
            _partial_row(p),  # the reader's cut last row
        )
        for i, p in sheets.items()
    ]
    typed = typed_rows(con, pa.concat_tables(parts))
    out, offset = {}, 0
    for i, p in sheets.items():
        out[i] = typed.slice(offset, p.sheet.n_rows)
        offset += p.sheet.n_rows
    return out


def _outcome(
    p: PreparedSheet,
    typed: pa.Table,
    blocks: Blocks,
    inner: list[tuple[int, list[object]]],
) -> CleanSheet:
    header_rows = sorted({r for r, _ in inner} - {p.header_row})
    facts, quarantine = split_rows(typed, header_rows)
    notes = list(p.notes)
    if len(blocks) > 1:
        notes.append(
            f"{len(blocks) - 1} further header row(s) changed the column layout at row(s) "
            + ", ".join(str(s - 1) for s, _ in blocks[1:])
        )
    return CleanSheet(
        file=p.sheet.file,
        sheet=p.sheet.sheet,
        facts=facts,
        quarantine=quarantine,
        rows_read=p.sheet.n_rows - (1 if p.header_row else 0),
        mapping=p.mapping.describe(),
        notes=notes,
    )


def _inner_headers(
    sheet: RawSheet, typed: pa.Table, cols: list[str], header_row: int | None
) -> list[tuple[int, list[object]]]:
    """Return rows inside the data whose amount or date cell fails to parse and that read as a header."""
    maybe = pc.and_(
        typed.column("candidate"), pc.not_equal(typed.column("row_number"), header_row or 0)
    )
    positions = pc.indices_nonzero(maybe).slice(0, _INNER_HEADER_CANDIDATES)
    if not len(positions):
        return []
    rows = sheet.table.take(positions)
    found = []
    for number, row in zip(
        rows.column("_row").to_pylist(), rows.select(cols).to_pylist(), strict=True
    ):
        cells = [row[c] for c in cols]
        if _is_header(cells):
            found.append((number, cells))
    return found


def _empty(sheet: RawSheet, notes: list[str]) -> CleanSheet:
    # Rows of an empty sheet are blank rows: quarantined so that nothing goes uncounted.
    facts, quarantine = empty_tables(sheet.table.column("_row") if sheet.n_rows else None)
    return CleanSheet(sheet.file, sheet.sheet, facts, quarantine, sheet.n_rows, {}, notes)
