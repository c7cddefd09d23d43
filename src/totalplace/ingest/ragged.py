"""Rows with more or fewer fields than their header: realigned only when the reading is certain.

A delimiter lost between two cells, or a stray one inside an unquoted cell ("Smith, J"),
moves every later value one column along: loaded as it is, the VAT would become the
amount. Such rows are few, so they are found by comparing field counts (vectorised) and
only they are looked at one by one. Each possible reading of a row is tried (an empty
field put back at each position, or each pair of neighbouring cells joined again); a
reading is clean when the amount parses as money, the date as a date, and every column
whose values in the sheet's well-formed rows have a few fixed shapes (ids, codes, dates,
amounts: '5100509851', 'GB812311285', '2026-05-29') gets a value of one of those shapes.
The row is realigned when the clean readings agree on every field that is stored, and
otherwise quarantined with the reason; it is never loaded with values under the wrong
columns.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.columns import FIELDS, Mapping_

#: Fields whose values are stored: readings must agree on these to be realigned.
_STORED = FIELDS

#: At most this many fields missing or extra are tried (each combination is a reading).
_MAX_DIFFERENCE = 2
#: Well-formed rows sampled for the shapes of each column.
_PROFILE_ROWS = 50_000
#: A column is 'shaped' when this many shapes cover nearly all its values ...
_MAX_SHAPES = 8
_SHAPE_COVER = 0.99
#: ... and it has at least this many values to learn them from.
_MIN_VALUES = 20
#: Realignments listed one by one in the sheet's notes; the rest are counted.
_MAX_NOTES = 10

# Digits, then letters, then spaces collapse to one mark each: '5100509851' -> '9',
# '-203.01' -> '-9.9', 'GB812311285' -> 'A9', 'LIFT REPAIRS & MTCE' -> 'A A & A'.
_SHAPE_STEPS = (("[0-9]+", "9"), ("[A-Za-z]+", "A"), ("[ \t]+", " "))

#: Per ragged row: its realigned cells, or the reason it is quarantined and the amount
#: every clean reading agrees on; and a note of the realignment.
_Decision = tuple[list[str | None] | None, str | None, Decimal | None, str | None]

PROBLEM = "_problem"
PROBLEM_AMOUNT = "_problem_amount"


def shape(text: str) -> str:
    """Return the shape of a cell ('GB812311285' -> 'A9'), as :func:`_shapes` makes it in Arrow."""
    for pattern, mark in _SHAPE_STEPS:
        text = re.sub(pattern, mark, text)
    return text


def _shapes(column: pa.ChunkedArray) -> pa.ChunkedArray:
    for pattern, mark in _SHAPE_STEPS:
        column = pc.replace_substring_regex(column, pattern, mark)
    return column


@dataclass(frozen=True)
class _Profile:
    """What a column's values look like in the sheet's well-formed rows."""

    shapes: frozenset[str] | None  # None: too varied (free text) or too few values to say
    blanks: bool  # some well-formed rows leave it blank
    # Some values begin with a space (most columns' never do, but the second half of
    # "Smith, J" split at its comma does).
    spaced: bool = True


@dataclass
class Realigned:
    """A sheet's table with its ragged rows realigned or marked, and notes on what was done."""

    table: pa.Table
    notes: list[str]


def realign(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    cols: list[str],
    header_row: int | None,
    mapping: Mapping_,
    header: Sequence[object] | None,
    skip_row: int = 0,
    delimiter: str = ",",
) -> Realigned:
    """Return the table with ragged rows realigned, or marked for quarantine in ``_problem``.

    ``table`` is a raw CSV sheet (``_fields`` and ``_cells`` say each record's own field
    count and, for ragged ones, its cells); ``skip_row`` is a row left alone (a cut last
    row). Tables without ``_fields`` (spreadsheets) come back as they are.
    """
    if "_fields" not in table.column_names or table.num_rows == 0:
        return Realigned(table, [])
    fields = table.column("_fields")
    rows = table.column("_row")
    after = pc.greater(rows, header_row or 0)
    expected = _expected_width(table, header_row, after)
    if expected is None:
        return Realigned(table, [])
    named = _named_width(header, expected)
    # Fine: the header's field count, or short of it only by unnamed columns at the end.
    fine = pc.and_(pc.greater_equal(fields, named), pc.less_equal(fields, expected))
    odd = pc.and_(pc.and_(after, pc.invert(fine)), pc.not_equal(rows, skip_row))
    positions = pc.indices_nonzero(odd)
    if not len(positions):
        return Realigned(table, [])
    candidates = table.take(positions)
    numbers = candidates.column("_row").to_pylist()
    records = [
        record if record is not None else ["" if v is None else v for v in values[:count]]
        for record, values, count in zip(
            candidates.column("_cells").to_pylist(),
            zip(*(candidates.column(c).to_pylist() for c in cols), strict=True),
            candidates.column("_fields").to_pylist(),
            strict=True,
        )
    ]
    trimmed = [_trim_blank_tail(cells, expected) for cells in records]
    # A trailing delimiter on most rows (cells past the header all blank) is the file's
    # habit, not a fault: those rows stay as they are.
    habit = sum(
        len(c) > expected and len(t) == expected for c, t in zip(records, trimmed, strict=True)
    )
    systematic = habit * 2 > pc.sum(pc.and_(after, fine)).as_py()
    well_formed = table.filter(pc.and_(after, pc.equal(fields, expected))).slice(0, _PROFILE_ROWS)
    profiles = {i: _profile(well_formed.column(c)) for i, c in enumerate(cols[:expected])}
    labels = _labels(header, expected)

    decided: dict[int, _Decision] = {}
    readings: list[tuple[int, list[str], str]] = []
    for number, cells, short in zip(numbers, records, trimmed, strict=True):
        if not any(c.strip() for c in cells):
            continue  # a blank line: the typing query calls it a blank row
        if len(cells) > expected and len(short) == expected and systematic:
            decided[number] = (list(short), None, None, None)
            continue
        found = _readings(short, expected, labels, delimiter)
        if len(short) == expected:
            # The cells past the header are all blank: dropping them is the usual reading,
            # taken when it is clean; else a delimiter inside a cell is looked for.
            found = [(list(short), ""), *_readings(cells, expected, labels, delimiter)]
        if not found:
            reason = _reason(len(cells), expected, "too many to realign")
            decided[number] = (None, reason, None, None)
            continue
        readings += [(number, r, how) for r, how in found]
    if readings:
        decided.update(_judge(con, readings, mapping, profiles, expected, numbers, records))
    if not decided:
        return Realigned(table, [])
    return _apply(table, cols, decided)


def _expected_width(table: pa.Table, header_row: int | None, after: pa.ChunkedArray) -> int | None:
    """Return the header's field count, or (no header row) the commonest count of the rows."""
    fields = table.column("_fields")
    if header_row:
        index = pc.index(table.column("_row"), header_row).as_py()
        return None if index < 0 else int(fields[index].as_py())
    counts = pc.value_counts(fields.filter(after))
    if not len(counts):
        return None
    top = int(np.argmax(counts.field("counts").to_numpy()))
    return int(counts.field("values")[top].as_py())


def _named_width(header: Sequence[object] | None, expected: int) -> int:
    """Return how many of the header's columns are named (the rest are blank, at its end)."""
    cells = [str(c or "").strip() for c in (header or [])][:expected]
    while cells and not cells[-1]:
        cells.pop()
    return len(cells) if header is not None else expected


def _labels(header: Sequence[object] | None, expected: int) -> list[str]:
    cells = list(header or [])[:expected]
    return [
        str(cells[i]).strip() if i < len(cells) and cells[i] is not None else f"column {i + 1}"
        for i in range(expected)
    ]


def _profile(column: pa.ChunkedArray) -> _Profile:
    """Return the shapes a column's values take (when they take few) and whether it has blanks."""
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(column), ""), True)
    values = column.filter(pc.invert(blank))
    has_blanks = bool(pc.any(blank).as_py()) if len(column) else False
    if len(values) < _MIN_VALUES:
        return _Profile(None, has_blanks)
    spaced = bool(pc.any(pc.match_substring_regex(values, r"^\s")).as_py())
    counts = pc.value_counts(_shapes(values))
    tally = sorted(counts.field("counts").to_pylist(), reverse=True)
    if sum(tally[:_MAX_SHAPES]) < _SHAPE_COVER * len(values):
        return _Profile(None, has_blanks, spaced)
    return _Profile(frozenset(counts.field("values").to_pylist()), has_blanks, spaced)


def _trim_blank_tail(cells: list[str], expected: int) -> list[str]:
    """Return the cells without blank ones past the header's width (the same list if none)."""
    end = len(cells)
    while end > expected and not cells[end - 1].strip():
        end -= 1
    return cells if end == len(cells) else cells[:end]


def _readings(
    cells: list[str], expected: int, labels: list[str], delimiter: str
) -> list[tuple[list[str], str]]:
    """Return each way to read the cells as ``expected`` fields, with a note of the change."""
    difference = expected - len(cells)
    if difference == 0 or abs(difference) > _MAX_DIFFERENCE:
        return []
    if difference > 0:
        return [
            _missing(cells, expected, places, labels)
            for places in itertools.combinations(range(expected), difference)
        ]
    return [
        _stray(cells, joins, labels, delimiter)
        for joins in itertools.combinations(range(1, len(cells)), -difference)
    ]


def _missing(
    cells: list[str], expected: int, places: tuple[int, ...], labels: list[str]
) -> tuple[list[str], str]:
    """Return the reading with an empty field put back at each of ``places``."""
    rest = iter(cells)
    reading = ["" if i in places else next(rest) for i in range(expected)]
    where = ", ".join(f"after {labels[p - 1]!r}" if p else f"before {labels[0]!r}" for p in places)
    return reading, f"field missing {where}"


def _stray(
    cells: list[str], joins: tuple[int, ...], labels: list[str], delimiter: str
) -> tuple[list[str], str]:
    """Return the reading with each cell in ``joins`` joined to the one before it."""
    reading: list[str] = []
    where: list[str] = []
    for i, cell in enumerate(cells):
        if i in joins:
            reading[-1] = f"{reading[-1]}{delimiter}{cell}"
            where.append(labels[len(reading) - 1])
        else:
            reading.append(cell)
    inside = " and ".join(repr(w) for w in dict.fromkeys(where))
    return reading, f"a delimiter inside {inside} taken as part of the cell"


def _reason(fields: int, expected: int, why: str) -> str:
    return f"row has {fields} field{'s' if fields != 1 else ''}, the header {expected}: {why}"


def _judge(
    con: duckdb.DuckDBPyConnection,
    readings: list[tuple[int, list[str], str]],
    mapping: Mapping_,
    profiles: dict[int, _Profile],
    expected: int,
    numbers: list[int],
    records: list[list[str] | None],
) -> dict[int, _Decision]:
    """Return, per ragged row, its realigned cells or the reason it is quarantined."""
    amount_col = mapping.columns.get("amount")
    date_col = mapping.columns.get("date")
    amounts, dates = _parse(
        con,
        [_cell(r, amount_col) for _, r, _ in readings],
        [_cell(r, date_col) for _, r, _ in readings],
    )
    by_row: dict[int, list[tuple[list[str], str, Decimal | None]]] = {}
    for (number, reading, how), amount, parsed_date in zip(readings, amounts, dates, strict=True):
        by_row.setdefault(number, [])
        if not _clean(reading, amount_col, date_col, amount, parsed_date, profiles):
            continue
        by_row[number].append((reading, how, amount))
    record_of = dict(zip(numbers, records, strict=True))
    out: dict[int, _Decision] = {}
    for number in dict.fromkeys(n for n, _, _ in readings):
        clean = by_row.get(number, [])
        n_fields = len(record_of[number] or [])
        if any(how == "" for _, how, _ in clean):
            clean = [c for c in clean if c[1] == ""]
        stored = {tuple(_cell(r, c) for c in mapping.columns.values()) for r, _, _ in clean}
        if len(stored) == 1:
            reading, how, _ = clean[0]
            cells: list[str | None] = [c if c != "" else None for c in reading]
            out[number] = (cells, None, None, how or None)
            continue
        why = (
            "no placing of its fields reads cleanly (amount, date, ids)"
            if not clean
            else "cannot tell which column is missing"
            if n_fields < expected
            else "cannot tell which cell holds the stray delimiter"
        )
        agreed = {a for _, _, a in clean}
        amount = agreed.pop() if len(agreed) == 1 else None
        out[number] = (None, _reason(n_fields, expected, why), amount, None)
    return out


def _cell(reading: list[str], column: int | None) -> str | None:
    if column is None or column >= len(reading):
        return None
    text = reading[column].strip()
    return text or None


def _parse(
    con: duckdb.DuckDBPyConnection, amounts: list[str | None], dates: list[str | None]
) -> tuple[list[Decimal | None], list[object]]:
    """Return the amounts and dates as the typing query reads them (the same macros)."""
    result = con.execute(
        """
        SELECT CASE WHEN tp_amount_plain(a) THEN TRY_CAST(a AS DECIMAL(18, 2))
                    ELSE tp_amount_signed(tp_amount_number(tp_amount_core(tp_amount_text(a))),
                                          tp_amount_negative(tp_amount_text(a))) END,
               tp_date(d)
        FROM (SELECT unnest(?::VARCHAR[]) AS a, unnest(?::VARCHAR[]) AS d)
        """,
        [amounts, dates],
    ).fetchall()
    return [r[0] for r in result], [r[1] for r in result]


def _clean(
    reading: list[str],
    amount_col: int | None,
    date_col: int | None,
    amount: Decimal | None,
    parsed_date: object,
    profiles: dict[int, _Profile],
) -> bool:
    """Return whether a reading parses cleanly (see the module)."""
    if amount_col is not None and amount is None:
        return False  # a blank or non-numeric amount: that reading moved it
    if date_col is not None and _cell(reading, date_col) is not None and parsed_date is None:
        return False
    for i, cell in enumerate(reading):
        profile = profiles.get(i)
        if profile is None:
            continue
        if not profile.spaced and cell[:1].isspace():
            return False
        if profile.shapes is None:
            continue
        if not cell.strip():
            # An empty field (put back, or the row's own) only where the column has some.
            if not profile.blanks:
                return False
            continue
        if shape(cell.strip()) not in profile.shapes:
            return False
    return True


def _apply(
    table: pa.Table,
    cols: list[str],
    decided: dict[int, _Decision],
) -> Realigned:
    """Return the table with the decided rows' cells replaced or their problems marked."""
    rows = table.column("_row").combine_chunks()
    mask = pc.is_in(rows, pa.array(sorted(decided), pa.int64()))
    original = table.take(pc.indices_nonzero(mask))  # the decided rows, in table order
    order = original.column("_row").to_pylist()
    columns = {name: table.column(name) for name in table.column_names}
    for i, name in enumerate(cols):
        old = original.column(name).to_pylist()
        values = [
            old[k] if (cells := decided[n][0]) is None else cells[i] if i < len(cells) else None
            for k, n in enumerate(order)
        ]
        columns[name] = _replace(table.column(name), mask, pa.array(values, pa.string()))
    old_overflow = original.column("_overflow").to_pylist()
    overflow = [old_overflow[k] if decided[n][0] is None else None for k, n in enumerate(order)]
    columns["_overflow"] = _replace(columns["_overflow"], mask, pa.array(overflow, pa.string()))
    # A problem the reader found (a cell over max_cell_chars) stands.
    found = (
        original.column(PROBLEM).to_pylist()
        if PROBLEM in original.column_names
        else [None] * len(order)
    )
    columns[PROBLEM] = _replace(
        columns.get(PROBLEM, pa.nulls(len(rows), pa.string())),
        mask,
        pa.array([found[k] or decided[n][1] for k, n in enumerate(order)], pa.string()),
    )
    columns[PROBLEM_AMOUNT] = _replace(
        columns.get(PROBLEM_AMOUNT, pa.nulls(len(rows), pa.decimal128(18, 2))),
        mask,
        pa.array([decided[n][2] for n in order], pa.decimal128(18, 2)),
    )
    notes = [f"row {n} realigned: {decided[n][3]}" for n in order if decided[n][3]]
    if len(notes) > _MAX_NOTES:
        notes = notes[:_MAX_NOTES] + [f"and {len(notes) - _MAX_NOTES} more rows realigned"]
    quarantined = sum(1 for n in order if decided[n][1] is not None)
    if quarantined:
        notes.append(
            f"{quarantined} row(s) with more or fewer fields than the header quarantined: "
            "their values could not be placed under their columns with certainty"
        )
    return Realigned(pa.table(columns), notes)


def _replace(column: pa.ChunkedArray | pa.Array, mask: pa.Array, values: pa.Array) -> pa.Array:
    """Return the column with the masked positions set to values (in order)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return pc.replace_with_mask(column, mask, values)
