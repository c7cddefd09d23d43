"""Type the text cells of raw sheets in one SQL pass: each row a fact, or a reason to quarantine it.

The query runs on an in-memory DuckDB connection over the Arrow tables the readers made,
all sheets of a group of files at once; no Python loop touches the rows. Amounts and
dates are parsed once per row (the reasons reuse them), and the raw cells are turned
into JSON only for the rows that are quarantined. Facts and quarantine are then split
apart in Arrow, without copying when the facts are one run of rows.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.columns import FIELDS, Mapping_

# Amount text -> exact DECIMAL(18,2): '£1,234.56', '(219,507.23)', '1,450.18-', 'œ3000',
# '1241,32' (decimal comma), float noise '1041.4099999999999' rounded half away from zero
# (= half-up on magnitudes, as TRUTH-NOTES and accounting practice do).
# A number with at most 2 decimals is cast straight to DECIMAL(18,2), which is exact; only
# the rest goes through DECIMAL(38,10) and round(), because casting to that 128-bit decimal
# costs DuckDB over 100 times as much. A plain '-1234.56' (nearly every cell) skips the
# clean-up regexes too: they would leave it as it is.
# The steps are separate macros applied at successive levels of the typing query: macros
# expand as text, so nesting them here repeated each inner step up to 15 times, which cost
# 4 ms of planning per query (and repeated work for every amount that is not plain).
_MACROS = r"""
CREATE OR REPLACE MACRO tp_amount_plain(a) AS
    regexp_full_match(a, '-?\d{1,16}(\.\d{0,2})?');
CREATE OR REPLACE MACRO tp_amount_text(a) AS
    regexp_replace(a, '[\s\x{00a0}£œŒ]|GBP', '', 'g');
CREATE OR REPLACE MACRO tp_amount_negative(t) AS
    regexp_full_match(t, '\(.*\)') OR starts_with(t, '-') OR ends_with(t, '-');
CREATE OR REPLACE MACRO tp_amount_core(t) AS
    regexp_replace(t, '^[(+\-]+|[)\-]+$', '', 'g');
CREATE OR REPLACE MACRO tp_amount_number(c) AS
    CASE
        WHEN regexp_full_match(c, '\d{1,3}(,\d{3})+(\.\d*)?') THEN replace(c, ',', '')
        WHEN regexp_full_match(c, '\d+,\d{1,2}') THEN replace(c, ',', '.')
        WHEN regexp_full_match(c, '(\d+\.?\d*|\.\d+)([eE][+\-]?\d+)?') THEN c
    END;
CREATE OR REPLACE MACRO tp_amount_signed(n, negative) AS
    TRY_CAST(
        CASE
            WHEN regexp_full_match(n, '\d{1,16}(\.\d{0,2})?') THEN TRY_CAST(n AS DECIMAL(18, 2))
            ELSE TRY_CAST(round(TRY_CAST(n AS DECIMAL(38, 10)), 2) AS DECIMAL(18, 2))
        END * CASE WHEN negative THEN -1 ELSE 1 END
    AS DECIMAL(18, 2));
CREATE OR REPLACE MACRO tp_date(d) AS
    CASE
        WHEN regexp_full_match(d, '\d{4}-\d{1,2}-\d{1,2}([ T].*)?')
            THEN CAST(try_strptime(regexp_extract(d, '^\d{4}-\d{1,2}-\d{1,2}'), '%Y-%m-%d') AS DATE)
        WHEN regexp_full_match(d, '\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}( .*)?')
            THEN CAST(try_strptime(regexp_replace(regexp_extract(d, '^[0-9/.\-]+'), '[.\-]', '/', 'g'), '%d/%m/%Y') AS DATE)
        WHEN regexp_full_match(d, '\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}( .*)?')
            THEN CAST(try_strptime(regexp_replace(regexp_extract(d, '^[0-9/.\-]+'), '[.\-]', '/', 'g'), '%d/%m/%y') AS DATE)
        WHEN regexp_full_match(d, '\d{1,2}[ \-/]?[A-Za-z]{3,9}[ \-/]?\d{4}')
            THEN CAST(try_strptime(regexp_replace(d, '(\d+)[ \-/]?([A-Za-z]+)[ \-/]?(\d+)', '\1-\2-\3'), ['%d-%b-%Y', '%d-%B-%Y']) AS DATE)
        WHEN regexp_full_match(d, '\d{1,2}[ \-/]?[A-Za-z]{3,9}[ \-/]?\d{2}')
            THEN CAST(try_strptime(regexp_replace(d, '(\d+)[ \-/]?([A-Za-z]+)[ \-/]?(\d+)', '\1-\2-\3'), ['%d-%b-%y', '%d-%B-%y']) AS DATE)
        WHEN regexp_full_match(d, '\d{5}(\.\d+)?') AND TRY_CAST(d AS DOUBLE) BETWEEN 20000 AND 80000
            THEN CAST(DATE '1899-12-30' + CAST(floor(CAST(d AS DOUBLE)) AS INTEGER) AS DATE)
        WHEN regexp_full_match(d, '[A-Za-z]{3,9}[ \-/]\d{4}')
            THEN CAST(try_strptime(regexp_replace(d, '[ /]', '-', 'g'), ['%b-%Y', '%B-%Y']) AS DATE)
        WHEN regexp_full_match(d, '[A-Za-z]{3,9}[ \-/]\d{2}')
            THEN CAST(try_strptime(regexp_replace(d, '[ /]', '-', 'g'), ['%b-%y', '%B-%y']) AS DATE)
        WHEN regexp_full_match(d, '\d{4}-\d{1,2}')
            THEN CAST(try_strptime(d, '%Y-%m') AS DATE)
    END;
CREATE OR REPLACE MACRO tp_date_precision(d) AS
    CASE
        WHEN d IS NULL THEN 'missing'
        WHEN regexp_full_match(d, '[A-Za-z]{3,9}[ \-/]\d{2,4}|\d{4}-\d{1,2}') THEN 'month'
        ELSE 'day'
    END;
"""

#: Supplier spellings that mean the payee was redacted ("Redactive Publishing" is not).
REDACTED_PATTERN = r"(?i)\bredact(ed|ion)?\b"
#: Placeholders that hide the payee without saying "redacted".
WITHHELD_PATTERN = (
    r"(?i)^\s*(third party( supplier)?|.*name with?held|private landlord|"
    r"(redacted\s*[-:]?\s*)?personal (data|information)|withheld|not disclosed)\s*$"
)
# A total row's label is the whole cell ('Total', 'Grand Total', 'Sub-total', 'Total for
# September:'): a payee whose name starts with 'Total' ('Total People Ltd') is no label.
TOTAL_PATTERN = (
    r"(?i)(^|\|)\s*(grand[\s\-]*|sub[\s\-]*|overall\s+|net\s+)?totals?"
    r"(\s+(for|of|to)\b[^|]*|\s+(spend|spent|paid|payments?|amount|value|expenditure))?"
    r"\s*[:.]?\s*(\||$)"
)
TOTAL_REASON = "total or subtotal row, not a transaction"
#: Fields that say what a row bought or from whom: a row with none of them filled is
#: "bare" and may be an unlabelled total (see :func:`mark_sum_totals`).
BARE_FIELDS: tuple[str, ...] = (
    "supplier_name",
    "supplier_id",
    "transaction_id",
    "expense_type",
    "expense_code",
    "purpose",
    "proclass",
)

TEXT_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in ("amount", "date"))

FACT_SCHEMA = pa.schema(
    [
        ("row_number", pa.int64()),
        ("txn_date", pa.date32()),
        ("date_precision", pa.string()),
        ("amount", pa.decimal128(18, 2)),
        *[(f, pa.string()) for f in TEXT_FIELDS],
        ("payee_status", pa.string()),
    ]
)
QUARANTINE_SCHEMA = pa.schema(
    [
        ("row_number", pa.int64()),
        ("reason", pa.string()),
        ("amount", pa.decimal128(18, 2)),
        ("raw", pa.string()),
    ]
)

#: Reason given to a header row found inside the data (known only after typing).
INNER_HEADER = "header row inside the data"
_THE_HEADER = "the header row"

Blocks = list[tuple[int, Mapping_]]

_PARALLEL_RESULT_ROWS = 100_000


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the amount and date parsing macros on a DuckDB connection."""
    con.execute(_MACROS)


def sheet_rows(
    table: pa.Table,
    cols: list[str],
    blocks: Blocks,
    width: int,
    sheet_index: int,
    header_row: int | None,
    partial_row: int = 0,
    period: date | None = None,
) -> pa.Table:
    """Return a raw sheet's rows in the form :func:`typed_rows` reads.

    Sheets in this form can be concatenated and typed in one query, which costs far
    less than a query per sheet (planning alone takes ~10 ms, however few the rows).

    Cells are padded with nulls to ``width`` columns (``_width`` says how many are the
    sheet's own); each field's column is the raw column its block's mapping names (no
    copy); ``_sheet``, ``_header_row``, ``_partial_row`` and ``_period`` (a summary's
    period, dating its undated rows) carry the sheet's facts to SQL.
    """
    n = table.num_rows
    rows = table.column("_row")
    starts = np.searchsorted(rows.to_numpy(), [start for start, _ in blocks], side="left")
    ends = [*starts[1:], n]
    columns: dict[str, pa.ChunkedArray | pa.Array] = {
        "_sheet": pa.array(np.full(n, sheet_index, dtype=np.int32)),
        "_row": rows,
        "_overflow": table.column("_overflow"),
        # A reason found before typing (a ragged row that cannot be realigned), and the
        # amount every reading of it agrees on.
        "_problem": _or_nulls(table, "_problem", pa.string()),
        "_problem_amount": _or_nulls(table, "_problem_amount", pa.decimal128(18, 2)),
        "_width": pa.array(np.full(n, len(cols), dtype=np.int32)),
        "_header_row": pa.array(np.full(n, header_row or 0, dtype=np.int64)),
        "_partial_row": pa.array(np.full(n, partial_row, dtype=np.int64)),
        "_period": pa.array([period] * n, pa.date32())
        if period is not None
        else pa.nulls(n, pa.date32()),
    }
    for i in range(width):
        columns[f"c{i}"] = table.column(f"c{i}") if i < len(cols) else pa.nulls(n, pa.string())
    for fld in FIELDS:
        pieces = [pa.nulls(int(starts[0]), pa.string())]  # rows above the first block: none
        for (_, mapping), start, end in zip(blocks, starts, ends, strict=True):
            col = mapping.columns.get(fld)
            if col is not None and col < len(cols):
                pieces += table.column(f"c{col}").slice(start, end - start).chunks
            else:
                pieces.append(pa.nulls(int(end - start), pa.string()))
        columns[f"{fld}_raw"] = pa.chunked_array(pieces, pa.string())
    return pa.table(columns)


def _or_nulls(table: pa.Table, name: str, kind: pa.DataType) -> pa.ChunkedArray | pa.Array:
    return table.column(name) if name in table.column_names else pa.nulls(table.num_rows, kind)


def _blank(col: str) -> str:
    return f"NULLIF(trim({col}), '')"


def typed_rows(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> pa.Table:
    """Return every row of ``rows`` (see :func:`sheet_rows`), typed, in order, with its reason.

    Columns: ``_sheet``, those of FACT_SCHEMA, then ``reason`` (NULL for a fact), ``raw``
    (the cells as JSON, for rows with a reason or that are header candidates) and
    ``candidate`` (the amount or date cell is filled but does not parse: the row may be
    a header inside the data).
    """
    cols = [c for c in rows.column_names if c.startswith("c") and c[1:].isdigit()]
    cells = f"list_slice(list_value({', '.join(cols)}), 1, _width)"
    # One list function, not a sum of a term per column: ~1,000 terms nest too deep for DuckDB.
    n_cells = f"len(list_filter({cells}, lambda x: NULLIF(trim(x), '') IS NOT NULL))"
    all_text = f"array_to_string(list_transform({cells}, lambda x: coalesce(x, '')), '|')"
    text_select = ", ".join(f"{_blank(f + '_raw')} AS {f}" for f in TEXT_FIELDS)
    bare = " AND ".join(f"{f} IS NULL" for f in BARE_FIELDS)
    # Nested SELECTs, so each value is computed once per row; CASE only evaluates a
    # branch's condition for the rows no earlier branch took, so the cell count and the
    # total-row regex run on few rows (a filled amount cell means the row is not blank).
    sql = f"""
    WITH plain AS (
        SELECT *, tp_amount_plain(amount_raw) AS amount_plain FROM raw_rows
    ), amount_t AS (
        SELECT *, CASE WHEN NOT amount_plain THEN tp_amount_text(amount_raw) END AS amount_t
        FROM plain
    ), amount_c AS (
        SELECT *, tp_amount_core(amount_t) AS amount_c, tp_amount_negative(amount_t) AS amount_neg
        FROM amount_t
    ), amount_n AS (
        SELECT *, tp_amount_number(amount_c) AS amount_n FROM amount_c
    ), parsed AS (
        SELECT *, {_blank("amount_raw")} AS amount_text, {_blank("date_raw")} AS date_text,
               CASE
                   WHEN amount_plain THEN TRY_CAST(amount_raw AS DECIMAL(18, 2))
                   ELSE tp_amount_signed(amount_n, amount_neg)
               END AS amount,
               {text_select}
        FROM amount_n
    ), typed AS (
        SELECT *, coalesce(tp_date(date_text), CASE WHEN date_text IS NULL THEN _period END)
                  AS txn_date FROM parsed
    ), judged AS (
        SELECT *,
               (amount_raw IS NOT NULL AND amount IS NULL)
                   OR (date_raw IS NOT NULL AND txn_date IS NULL) AS candidate,
               CASE
                   WHEN _row = _header_row THEN '{_THE_HEADER}'
                   WHEN _row < _header_row THEN 'preamble before the header row'
                   WHEN _row = _partial_row THEN 'the file ends part-way through this row (truncated)'
                   WHEN amount_text IS NULL AND ({n_cells}) = 0 THEN 'blank row'
                   WHEN _problem IS NOT NULL THEN _problem
                   WHEN _overflow IS NOT NULL THEN 'more cells than the header has: ' || left(_overflow, 80)
                   WHEN date_text IS NULL AND amount IS NOT NULL
                        AND ((({n_cells}) = 1 OR regexp_matches(
                            coalesce(supplier_name_raw, '') || '|' || {all_text}, '{TOTAL_PATTERN}')))
                        AND {_blank("transaction_id_raw")} IS NULL
                        THEN '{TOTAL_REASON}'
                   WHEN amount_text IS NULL THEN 'amount is blank'
                   WHEN amount IS NULL THEN 'amount is not a number: ' || left(amount_raw, 40)
                   WHEN date_text IS NOT NULL AND txn_date IS NULL
                        THEN 'date not recognised: ' || left(date_raw, 40)
               END AS reason
        FROM typed
    )
    SELECT _sheet, _row AS row_number, txn_date,
           CASE WHEN date_text IS NULL AND _period IS NOT NULL THEN 'period'
                ELSE tp_date_precision(date_text) END AS date_precision,
           CASE WHEN _problem IS NOT NULL AND reason = _problem THEN _problem_amount
                ELSE amount END AS amount,
           {", ".join(TEXT_FIELDS)},
           CASE
               WHEN regexp_matches(coalesce(supplier_name_raw, ''), '{REDACTED_PATTERN}') THEN 'redacted'
               WHEN regexp_matches(coalesce(supplier_name_raw, ''), '{WITHHELD_PATTERN}') THEN 'withheld'
               WHEN supplier_name IS NULL THEN 'blank'
               ELSE 'named'
           END AS payee_status,
           reason,
           CASE WHEN reason IS NOT NULL OR candidate OR bare THEN to_json({cells})::VARCHAR END
               AS raw,
           candidate,
           bare
    FROM (SELECT *, reason IS NULL AND amount IS NOT NULL AND {bare} AS bare FROM judged)
    """
    con.register("raw_rows", rows)
    try:
        # The relation API (sql) builds the Arrow result on all threads, where execute
        # converts it on one thread afterwards (0.8 s more for 1M rows); but execute plans
        # a few ms faster, which is what counts for the many small files.
        query = con.sql if rows.num_rows > _PARALLEL_RESULT_ROWS else con.execute
        typed = query(sql).to_arrow_table()
    finally:
        con.unregister("raw_rows")
    # DuckDB keeps the order of a plain scan (preserve_insertion_order), so each sheet's
    # rows are one run, in order, and positions match the raw sheets'; checked, cheaply.
    if not typed.column("row_number").equals(rows.column("_row")):
        typed = typed.sort_by([("_sheet", "ascending"), ("row_number", "ascending")])
    return mark_sum_totals(typed)


def mark_sum_totals(typed: pa.Table) -> pa.Table:
    """Return ``typed`` (sorted by sheet and row) with unlabelled total rows given TOTAL_REASON.

    A "bare" row (an amount, but no supplier, transaction id or description of what was
    bought) is a total when its amount equals the sum of the transactions above it in
    its sheet: since the previous total or bare row (a subtotal block), or since the top
    of the sheet (a grand total over subtotals). Window sums over the whole table in
    numpy (integer pence, exact), no loop over rows; a payee named "Total ..." is not
    bare, so it loads whatever its amount. Drops the ``bare`` column.
    """
    bare_col = typed.column("bare")
    typed = typed.drop_columns(["bare"])
    if not pc.any(bare_col).as_py():
        return typed  # nearly every file: nothing to sum
    n = typed.num_rows
    bare = bare_col.to_numpy(zero_copy_only=False).astype(bool)
    reason = typed.column("reason")
    amount = typed.column("amount")
    pence = pc.fill_null(
        pc.cast(pc.multiply(amount, pa.scalar(100, pa.decimal128(3, 0))), pa.int64()), 0
    ).to_numpy(zero_copy_only=False)
    fact = pc.and_(pc.is_null(reason), pc.is_valid(amount)).to_numpy(zero_copy_only=False)
    fact = fact.astype(bool) & ~bare
    marker = bare | pc.fill_null(pc.equal(reason, TOTAL_REASON), False).to_numpy(
        zero_copy_only=False
    ).astype(bool)
    total = np.cumsum(np.where(fact, pence, 0))  # running sum of transactions, inclusive
    count = np.cumsum(fact)
    sheets = typed.column("_sheet").to_numpy(zero_copy_only=False)
    index = np.arange(n)
    first = np.maximum.accumulate(np.where(np.r_[True, sheets[1:] != sheets[:-1]], index, 0))
    # The sums just above each sheet's first row, and just after its last marker above.
    base_total = np.where(first > 0, total[first - 1], 0)
    base_count = np.where(first > 0, count[first - 1], 0)
    last_marker = np.maximum.accumulate(np.where(marker, index, -1))
    previous = np.r_[-1, last_marker[:-1]]
    in_sheet = previous >= first
    block_total = total - np.where(in_sheet, total[np.maximum(previous, 0)], base_total)
    block_count = count - np.where(in_sheet, count[np.maximum(previous, 0)], base_count)
    is_total = bare & (
        ((pence == block_total) & (block_count > 0))
        | ((pence == total - base_total) & (count - base_count > 0))
    )
    if not is_total.any():
        return typed
    reason = pc.if_else(pa.array(is_total), TOTAL_REASON, reason)
    return typed.set_column(typed.schema.get_field_index("reason"), "reason", reason)


def split_rows(typed: pa.Table, inner_headers: list[int]) -> tuple[pa.Table, pa.Table]:
    """Return (facts, quarantine) of one sheet's typed rows.

    ``inner_headers`` are the row numbers of header rows found inside the data.
    """
    reason = typed.column("reason")
    if inner_headers:  # second in precedence only to the header row, which is never among them
        found = pc.is_in(typed.column("row_number"), pa.array(inner_headers, pa.int64()))
        reason = pc.if_else(found, INNER_HEADER, reason)
    facts = _rows_where(typed.select(FACT_SCHEMA.names), pc.is_null(reason))
    kept = pc.fill_null(pc.not_equal(reason, _THE_HEADER), False)
    quarantine = pa.table(
        [typed.column("row_number"), reason, typed.column("amount"), typed.column("raw")],
        schema=QUARANTINE_SCHEMA,
    ).filter(kept)
    return facts, quarantine


def _rows_where(table: pa.Table, mask: pa.ChunkedArray) -> pa.Table:
    """Return the rows where mask holds: a slice, not a copy, when they are one run.

    They usually are (all rows but the header, or a preamble and a footer).
    """
    count = pc.sum(mask).as_py() or 0
    if count in (0, table.num_rows):
        return table.slice(0, count)
    first = pc.index(mask, True).as_py()
    if pc.all(mask.slice(first, count)).as_py():
        return table.slice(first, count)
    return table.filter(mask)


def empty_tables(rows: pa.ChunkedArray | None = None) -> tuple[pa.Table, pa.Table]:
    """Return (no facts, quarantine): every given row number quarantined as a blank row."""
    facts = FACT_SCHEMA.empty_table()
    if rows is None or len(rows) == 0:
        return facts, QUARANTINE_SCHEMA.empty_table()
    n = len(rows)
    quarantine = pa.table(
        [
            rows,
            pa.array(["blank row"] * n),
            pa.nulls(n, pa.decimal128(18, 2)),
            pa.array(["[]"] * n),
        ],
        schema=QUARANTINE_SCHEMA,
    )
    return facts, quarantine
