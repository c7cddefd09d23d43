"""Read one outcome indicator file into tidy rows: every row loaded, or rejected with its reason.

The layout is recognised from the header (:mod:`totalplace.outcomes.layouts`); each row
becomes one observation of :data:`SCHEMA` (area, indicator, period as dates, value,
95% confidence interval, polarity where the file gives it) or one reject of
:data:`REJECT_SCHEMA` (the first reason it fails). ``rows read = loaded + rejected``.
The work is Arrow compute over whole columns; the distinct period texts (a few dozen)
are parsed one by one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from totalplace.errors import BadInputError
from totalplace.ingest.encoding import decode_text
from totalplace.outcomes.layouts import Layout, recognise
from totalplace.outcomes.periods import PeriodError, financial_year_period, parse_interval

__all__ = ["REJECT_SCHEMA", "SCHEMA", "FileRead", "read_outcome_file"]

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_row", pa.int64()),  # the line in the file (the header is line 1)
        ("layout", pa.string()),
        ("indicator_code", pa.string()),
        ("indicator", pa.string()),
        ("area_code", pa.string()),
        ("area_name", pa.string()),
        ("geography", pa.string()),
        ("period", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),  # the last day of the period
        ("fy_start_year", pa.int64()),  # the April-March financial year the period ends in
        ("financial_year", pa.string()),
        ("value", pa.float64()),
        ("lci_95", pa.float64()),
        ("uci_95", pa.float64()),
        ("unit", pa.string()),
        ("status", pa.string()),
        ("notes", pa.string()),
        ("polarity_in_file", pa.string()),  # 'higher', 'lower' or null (the file says nothing)
        ("benchmark", pa.float64()),  # Oflog: the median of all authorities that year
    ]
)

REJECT_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
        ("layout", pa.string()),
        ("reason", pa.string()),
        ("row_text", pa.string()),
    ]
)

_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
_HIGHER = ("higher", "high", "up", "1", "+1", "positive", "desc", "descending")
_LOWER = ("lower", "low", "down", "-1", "negative", "asc", "ascending")


class FileRead:
    """What reading one file gave: its layout, loaded rows, rejects and the rows it has."""

    def __init__(self, layout: Layout, loaded: pa.Table, rejects: pa.Table) -> None:
        self.layout = layout
        self.loaded = loaded
        self.rejects = rejects

    @property
    def rows_read(self) -> int:
        """The data rows of the file: loaded + rejected."""
        return self.loaded.num_rows + self.rejects.num_rows


def _header(text: bytes, name: str) -> list[str]:
    first = text.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    header = next(csv.reader(io.StringIO(first)), [])
    if not any(h.strip() for h in header):
        raise BadInputError(
            f"{name}: the first line is empty; an outcome file starts with its column names "
            "(areacd,areanm,... or Financial year,Local authority code,...)"
        )
    if len(set(header)) != len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        raise BadInputError(f"{name}: the column {twice[0]!r} appears twice; keep one")
    return header


def _strings(table: pa.Table, layout: Layout, wanted: str) -> pa.Array:
    column = layout.column(table.column_names, wanted)
    if column is None:
        return pa.nulls(table.num_rows, pa.string())
    trimmed = pc.utf8_trim_whitespace(table.column(column).combine_chunks())
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _numbers(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Return (the values as float64, null where not a number; whether each present one is bad)."""
    good = pc.fill_null(pc.match_substring_regex(values, _NUMBER), False)
    present = pc.is_valid(values)
    cleaned = pc.if_else(good, values, pa.scalar(None, pa.string()))
    return pc.cast(pc.utf8_trim_whitespace(cleaned), pa.float64()), pc.and_(
        present, pc.invert(good)
    )


def _periods(values: pa.Array, oflog: bool) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """Return (start, last day, FY start year, reason) per row; the reason is null where it parsed."""
    distinct = [v for v in pc.unique(values).to_pylist() if v is not None]
    starts: list[dt.date | None] = []
    ends: list[dt.date | None] = []
    years: list[int | None] = []
    reasons: list[str | None] = []
    for text in distinct:  # distinct period texts: a few dozen per file
        try:
            period = financial_year_period(text) if oflog else parse_interval(text)
        except PeriodError as exc:
            starts.append(None)
            ends.append(None)
            years.append(None)
            reasons.append(f"period {exc}")
            continue
        starts.append(period.start)
        ends.append(period.last_day)
        years.append(period.fy_start_year)
        reasons.append(None)
    index = pc.index_in(values, value_set=pa.array(distinct, pa.string()))
    return (
        pc.take(pa.array(starts, pa.date32()), index),
        pc.take(pa.array(ends, pa.date32()), index),
        pc.take(pa.array(years, pa.int64()), index),
        pc.take(pa.array(reasons, pa.string()), index),
    )


def _polarity(values: pa.Array) -> pa.Array:
    lower = pc.utf8_lower(values)
    higher = pc.is_in(lower, value_set=pa.array(_HIGHER))
    lowered = pc.is_in(lower, value_set=pa.array(_LOWER))
    none = pa.scalar(None, pa.string())
    return pc.if_else(higher, "higher", pc.if_else(lowered, "lower", none))


def _first_reason(checks: list[tuple[pa.Array, pa.Array | str]], n: int) -> pa.Array:
    """Return per row the first reason whose condition holds (null: the row is good)."""
    reason = pa.nulls(n, pa.string())
    for condition, text in reversed(checks):
        reason = pc.if_else(pc.fill_null(condition, False), text, reason)
    return reason


def _row_text(table: pa.Table) -> pa.Array:
    if table.num_columns == 0:
        return pa.nulls(table.num_rows, pa.string())
    columns = [pc.fill_null(table.column(i).combine_chunks(), "") for i in range(table.num_columns)]
    return pc.binary_join_element_wise(*columns, ",")


def read_outcome_file(path: Path, name: str) -> FileRead:
    """Return the rows of one outcome file, loaded or rejected (``name``: the file as shown to users).

    Raises BadInputError (OutcomeLayoutError for an unknown layout) naming the file if
    it cannot be read at all; nothing is returned half-read.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    text, _ = decode_text(name, raw)
    header = _header(text, name)
    layout = recognise(header, name)
    ragged: list[tuple[int, str, int]] = []

    def skip(row: pacsv.InvalidRow) -> str:
        ragged.append((row.number or 0, row.text, row.actual_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(text),
            read_options=pacsv.ReadOptions(use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        raise BadInputError(f"{name}: not a CSV file totalplace can read ({exc})") from exc
    # The line of each row kept: 2, 3, ... less the ragged lines skipped (one line a record).
    every = np.arange(2, 2 + table.num_rows + len(ragged), dtype=np.int64)
    lines = np.setdiff1d(every, np.array([r[0] for r in ragged], dtype=np.int64))
    return _tidy(table, layout, name, pa.array(lines[: table.num_rows]), ragged, len(header))


def _tidy(
    table: pa.Table,
    layout: Layout,
    name: str,
    lines: pa.Array,
    ragged: list[tuple[int, str, int]],
    width: int,
) -> FileRead:
    n = table.num_rows
    oflog = layout.name == "oflog_adult_social_care"
    if oflog:
        code, indicator = _strings(table, layout, "Code"), _strings(table, layout, "Measure")
        area, area_name = (
            _strings(table, layout, "Local authority code"),
            _strings(table, layout, "Local authority name"),
        )
        geography = _strings(table, layout, "Entity_Name")
        period = _strings(table, layout, "Financial year")
        value_text = _strings(table, layout, "Value")
        lci = uci = pa.nulls(n, pa.float64())
        bad_lci = bad_uci = pa.repeat(False, n)
        benchmark, _ = _numbers(_strings(table, layout, "MEDIAN"))
        polarity = _polarity(_strings(table, layout, "rank_order"))
        unit = status = notes = pa.nulls(n, pa.string())
    else:
        indicator = _strings(table, layout, "indicator")
        slug = pc.replace_substring_regex(pc.utf8_lower(indicator), r"[^a-z0-9]+", "-")
        code = pc.utf8_trim(slug, "-")
        area, area_name = _strings(table, layout, "areacd"), _strings(table, layout, "areanm")
        geography = _strings(table, layout, "geography")
        period = _strings(table, layout, "period")
        value_text = _strings(table, layout, "observation|value")
        lci, bad_lci = _numbers(_strings(table, layout, "lci_95"))
        uci, bad_uci = _numbers(_strings(table, layout, "uci_95"))
        benchmark = pa.nulls(n, pa.float64())
        polarity = _polarity(_strings(table, layout, "polarity"))
        unit = _strings(table, layout, "unit|measure")
        status, notes = _strings(table, layout, "status"), _strings(table, layout, "notes")
    value, bad_value = _numbers(value_text)
    start, end, fy, period_reason = _periods(period, oflog)
    status_words = pc.binary_join_element_wise(
        "no value (status '", pc.fill_null(status, ""), "')", ""
    )
    reason = _first_reason(
        [
            (pc.is_null(area), "no area code"),
            (pc.is_null(indicator), "no indicator named"),
            (pc.is_null(period), "no period"),
            (pc.is_valid(period_reason), period_reason),
            (pc.is_null(value_text), pc.if_else(pc.is_valid(status), status_words, "no value")),
            (bad_value, pc.binary_join_element_wise("value ", value_text, " is not a number", "")),
            (bad_lci, "lci_95 is not a number"),
            (bad_uci, "uci_95 is not a number"),
        ],
        n,
    )
    good = pc.is_null(reason)
    # The label as years.year_label writes it: 2024 -> "2024-25".
    label = pc.binary_join_element_wise(
        pc.cast(fy, pa.string()),
        pc.utf8_slice_codeunits(pc.cast(pc.add(fy, 1), pa.string()), 2, 4),
        "-",
    )
    rows = pa.Table.from_arrays(
        [
            pa.repeat(name, n).cast(pa.string()),
            lines,
            pa.repeat(layout.name, n).cast(pa.string()),
            code,
            indicator,
            area,
            area_name,
            geography,
            period,
            start,
            end,
            fy,
            label,
            value,
            lci,
            uci,
            unit,
            status,
            notes,
            polarity,
            benchmark,
        ],
        schema=SCHEMA,
    )
    loaded = rows.filter(good)
    rejects = pa.Table.from_arrays(
        [
            pa.repeat(name, n).cast(pa.string()),
            lines,
            pa.repeat(layout.name, n).cast(pa.string()),
            reason,
            _row_text(table),
        ],
        schema=REJECT_SCHEMA,
    ).filter(pc.invert(good))
    if ragged:
        rejects = pa.concat_tables([rejects, _ragged(ragged, name, layout, width)])
    return FileRead(layout, loaded, rejects)


def _ragged(ragged: list[tuple[int, str, int]], name: str, layout: Layout, width: int) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "source_file": name,
                "source_row": number,
                "layout": layout.name,
                "reason": f"{fields} fields where the header has {width}",
                "row_text": text,
            }
            for number, text, fields in ragged  # only the malformed lines
        ],
        schema=REJECT_SCHEMA,
    )
