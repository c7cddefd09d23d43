"""Type and check the text cells of raw sheets: facts out, or quarantine with a reason.

Two steps: :func:`~totalplace.ingest.prepare.prepare_sheet` finds a sheet's header and
maps its columns (per-file work, in the reading threads); :func:`clean_sheets` then
types the rows of many sheets in one query on an in-memory DuckDB connection (the SQL
is in ``ingest/rows.py``); no Python loop touches the rows. Each input row ends up as
exactly one fact or one quarantined row, except the one header row a sheet is read by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.header_map import map_header
from totalplace.ingest.header_row import is_header
from totalplace.ingest.outcome import CleanSheet, stated_total
from totalplace.ingest.prepare import PreparedSheet, prepare_sheet
from totalplace.ingest.ragged import realign
from totalplace.ingest.rows import Blocks, sheet_rows, split_rows, typed_rows
from totalplace.ingest.sheets import RawSheet

_INNER_HEADER_CANDIDATES = 2000  # rows checked for a header inside the data, at most


def clean_sheet(
    con: duckdb.DuckDBPyConnection,
    sheet: RawSheet,
    profile: Mapping[str, str | int] | None = None,
    period: str | None = None,
) -> CleanSheet:
    """Return the typed facts and quarantined rows of one raw sheet.

    Raises ImportProblem when no header row can be found and no profile says where
    the columns are, or when the sheet has no amount column.
    """
    return clean_sheets(con, [prepare_sheet(sheet, profile, period)])[0]


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
            p.period,
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
    stated = stated_total(facts, quarantine)
    if stated:
        notes.append(stated)
    return CleanSheet(
        file=p.sheet.file,
        sheet=p.sheet.sheet,
        facts=facts,
        quarantine=quarantine,
        rows_read=p.sheet.n_rows - (1 if p.header_row else 0),
        mapping=p.mapping.describe(),
        notes=notes,
        evidence=list(p.evidence),
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
        if is_header(cells):
            found.append((number, cells))
    return found
