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
from datetime import date
from decimal import Decimal
from pathlib import PurePath

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.columns import Mapping_
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.header_map import header_score, map_header
from totalplace.ingest.meaning import (
    ColumnProfile,
    confidence,
    describe_values,
    find_period,
    fits,
    profile_columns,
)
from totalplace.ingest.pins import pinned_header_row, pinned_mapping
from totalplace.ingest.ragged import realign
from totalplace.ingest.rows import (
    REDACTED_PATTERN,
    TOTAL_REASON,
    WITHHELD_PATTERN,
    Blocks,
    empty_tables,
    install_macros,
    sheet_rows,
    split_rows,
    typed_rows,
)
from totalplace.ingest.sheets import RawSheet, iter_cells

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
    evidence: list[str] = field(default_factory=list)


def _find_top_header(rows: Sequence[Sequence[object]]) -> int | None:
    for index, cells in enumerate(rows):
        if _is_header(cells):
            return index
    return None


_DATA_CELL = re.compile(
    r"\s*(£?-?[\d,]*\.\d{2}|\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}.*)\s*"
)


def _is_header(cells: Sequence[object]) -> bool:
    """Return whether a row reads as a header: it names an amount and another field, and no
    cell of it is a sum of money or a date (a data row whose words sound like headers)."""
    if header_score(cells) < 2 or "amount" not in map_header(cells).columns:
        return False
    return not _has_data(cells)


def _has_data(cells: Sequence[object]) -> bool:
    """Return whether a row holds a sum of money or a date (so it is data, not a header)."""
    return any(c is not None and _DATA_CELL.fullmatch(str(c)) for c in cells)


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
    evidence: list[str] = field(default_factory=list)  # why each field's column was taken
    period: date | None = None  # a summary file's period (its first day)


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


def prepare_sheet(
    sheet: RawSheet,
    profile: Mapping[str, str | int] | None = None,
    period: str | None = None,
) -> PreparedSheet | CleanSheet:
    """Return the sheet with its header found and columns mapped, or its outcome if it is empty.

    ``profile`` pins fields to columns (header text or 0-based number; the others are
    read from the header); ``period`` ('2019-09') dates a summary file's rows. Raises
    ImportProblem when no header row can be found and no profile says where the
    columns are, when the sheet has no amount column, when the header's labels do not
    fit the values under them, or when a summary file has no period.
    """
    label = sheet.file if sheet.sheet is None else f"{sheet.file} [{sheet.sheet}]"
    cols = [c for c in sheet.table.column_names if re.fullmatch(r"c\d+", c)]
    notes = list(sheet.notes)
    if sheet.n_rows == 0 or not cols:
        return _empty(sheet, notes + ["empty sheet"])

    top = list(iter_cells(sheet, _HEADER_SEARCH_TOP))
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
                f"{_HEADER_SEARCH_TOP} holds that header text; the first row is "
                + ", ".join(repr(c) for c in top[0] if c is not None)[:300],
                "Correct the header text in place.toml (it must match a header cell, case and "
                "punctuation aside), or pin by column number, e.g. amount = 7 (from 0)",
            )
    else:
        index = _find_top_header(top)
        if index is not None and index > 0 and _nothing_after(sheet, cols, top, index):
            index = None  # a last-line header (Hyndburn's exports) names the rows above it
    if index is not None:
        header_row = index + 1
        header_cells = top[index]
    elif not profile:
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
        try:
            mapping = pinned_mapping(profile, header_cells)
        except ValueError as exc:
            raise ImportProblem(
                label, str(exc), "Correct the column profile in place.toml"
            ) from exc
        notes.append(
            "columns pinned by the profile: "
            + ", ".join(f"{f} = {w!r}" for f, w in profile.items())
            + ("; the other fields read from the header" if header_cells is not None else "")
        )
    elif header_cells is not None:
        mapping = map_header(header_cells)
    elif (
        near := next((r for r in top if header_score(r) >= 2 and not _has_data(r)), None)
    ) is not None:
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
            "Expected a header such as 'Amount', 'Net Amount', 'Amount Paid', 'Total', "
            "'Value £', 'Net'. Pin the right column with a profile in place.toml: "
            "[partners.columns] amount = '<header>'",
        )
    notes += list(mapping.notes)
    profiles = profile_columns(sheet.table, cols, header_row or 0)
    if not (profile and "amount" in profile):
        mapping, sheet, header_cells, shifted = _checked(
            label, sheet, cols, mapping, header_row, header_cells, profiles
        )
        if shifted:
            notes.append(shifted)
            profiles = profile_columns(sheet.table, cols, header_row or 0)
    evidence = _evidence(mapping, profiles)
    summary_period = None
    if _is_summary(mapping, profiles):
        summary_period, where = _summary_period(label, sheet, top, header_row, period)
        notes.append(
            "a summary file (one row per supplier, no dates): stored as summaries for the "
            f"period {summary_period:%B %Y} ({where}), date precision 'period'"
        )
    return PreparedSheet(
        sheet,
        cols,
        header_row,
        mapping,
        bool(profile),
        notes,
        header_cells,
        evidence,
        summary_period,
    )


def _evidence(mapping: Mapping_, profiles: dict[int, ColumnProfile]) -> list[str]:
    """Return, per field, why its column was taken: the header's words and what the values say."""
    out = []
    for fld, index in mapping.columns.items():
        said = mapping.evidence.get(fld, f"{fld}: column {index}")
        rank = 0 if "known spelling" in said or "pinned" in said else 100
        found = profiles.get(index)
        sure = confidence(fld, rank, found)
        out.append(f"{said.rstrip(')')}; {describe_values(fld, found)}; confidence {sure:.2f})")
    return out


def _checked(
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


def _is_summary(mapping: Mapping_, profiles: dict[int, ColumnProfile]) -> bool:
    """Return whether a sheet is a summary: one row per supplier for a period, no dates or ids."""
    cols = mapping.columns
    if "date" in cols or "transaction_id" in cols or "supplier_name" not in cols:
        return False
    if any(p.dates >= 0.9 for p in profiles.values()):
        return False  # a column of dates no header or pin named: not a summary
    supplier = profiles.get(cols["supplier_name"])
    return supplier is not None and supplier.filled > 0 and supplier.distinct >= 0.95


def _summary_period(
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
