"""Type and check the text cells of a raw sheet in SQL: facts out, or quarantine with a reason.

This is per-file work on an in-memory DuckDB connection over the Arrow table the
reader produced; no Python loop touches the rows. Each input row ends up as exactly
one fact or one quarantined row, except the one header row a sheet is read by.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.columns import FIELDS, Mapping_, header_score, map_header, pinned_mapping
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.readers import RawSheet, iter_cells

# Amount text -> exact DECIMAL(18,2): '£1,234.56', '(219,507.23)', '1,450.18-', 'œ3000',
# '1241,32' (decimal comma), float noise '1041.4099999999999' rounded half away from zero
# (= half-up on magnitudes, as TRUTH-NOTES and accounting practice do).
_MACROS = r"""
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
CREATE OR REPLACE MACRO tp_amount(a) AS
    TRY_CAST(round(TRY_CAST(tp_amount_number(tp_amount_core(tp_amount_text(a))) AS DECIMAL(38, 10)), 2)
         * CASE WHEN tp_amount_negative(tp_amount_text(a)) THEN -1 ELSE 1 END AS DECIMAL(18, 2));
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
_TOTAL_PATTERN = r"(?i)(^|\|)\s*(grand\s+|sub[\s\-]*)?totals?\b"

_HEADER_SEARCH_TOP = 50
_HEADER_SEARCH_BOTTOM = 5


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


def _mapping_sql(blocks: list[tuple[int, Mapping_]], width: int) -> str:
    """Return a SELECT list that maps raw columns to fields, block by block."""
    parts = []
    for fld in FIELDS:
        whens = []
        for start, mapping in reversed(blocks):
            col = mapping.columns.get(fld)
            value = f"c{col}" if col is not None and col < width else "NULL::VARCHAR"
            whens.append(f"WHEN _row >= {start} THEN {value}")
        parts.append(f"CASE {' '.join(whens)} END AS {fld}_raw")
    return ",\n".join(parts)


def _nullif_blank(col: str) -> str:
    return f"NULLIF(trim({col}), '')"


def clean_sheet(
    con: duckdb.DuckDBPyConnection,
    sheet: RawSheet,
    profile: Mapping[str, str | int] | None = None,
) -> CleanSheet:
    """Return the typed facts and quarantined rows of one raw sheet.

    Raises ImportProblem when no header row can be found and no profile says where
    the columns are, or when the sheet has no amount column.
    """
    label = sheet.file if sheet.sheet is None else f"{sheet.file} [{sheet.sheet}]"
    cols = [c for c in sheet.table.column_names if re.fullmatch(r"c\d+", c)]
    width = len(cols)
    notes = list(sheet.notes)
    if sheet.n_rows == 0 or width == 0:
        return _empty(sheet, notes + ["empty sheet"])

    top = list(iter_cells(sheet, _HEADER_SEARCH_TOP))
    header_row: int | None = None  # 1-based _row of the header that precedes the data
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

    con.register("raw_sheet", sheet.table)
    blocks = [(1, mapping)]
    extra_headers = _find_block_headers(con, blocks, width, cols, header_row)
    for row_number, cells in extra_headers:
        layout = map_header(cells)
        if not profile and layout.columns != blocks[-1][1].columns:
            blocks.append((row_number + 1, layout))
    header_rows = sorted({r for r, _ in extra_headers} - {header_row})

    partial_row = sheet.n_rows if "truncated" in sheet.notes else 0  # the reader's cut last row
    facts, quarantine = _classify_rows(
        con, blocks, width, cols, header_row, header_rows, partial_row
    )
    con.unregister("raw_sheet")
    rows_read = sheet.n_rows - (1 if header_row else 0)
    if len(blocks) > 1:
        notes.append(
            f"{len(blocks) - 1} further header row(s) changed the column layout at row(s) "
            + ", ".join(str(s - 1) for s, _ in blocks[1:])
        )
    return CleanSheet(
        file=sheet.file,
        sheet=sheet.sheet,
        facts=facts,
        quarantine=quarantine,
        rows_read=rows_read,
        mapping=mapping.describe(),
        notes=notes,
    )


def _find_block_headers(
    con: duckdb.DuckDBPyConnection,
    blocks: list[tuple[int, Mapping_]],
    width: int,
    cols: list[str],
    header_row: int | None,
) -> list[tuple[int, list[object]]]:
    """Return rows inside the data whose amount or date cell fails to parse and that read as a header."""
    select = _mapping_sql(blocks, width)
    sql = f"""
        WITH m AS (SELECT _row, {", ".join(cols)}, {select} FROM raw_sheet)
        SELECT _row, {", ".join(cols)} FROM m
        WHERE _row <> {header_row or 0}
          AND ((amount_raw IS NOT NULL AND tp_amount(amount_raw) IS NULL)
               OR (date_raw IS NOT NULL AND tp_date(trim(date_raw)) IS NULL))
        ORDER BY _row LIMIT 2000
    """
    found = []
    for row in con.execute(sql).fetchall():
        cells = list(row[1:])
        if _is_header(cells):
            found.append((row[0], cells))
    return found


def _classify_rows(
    con: duckdb.DuckDBPyConnection,
    blocks: list[tuple[int, Mapping_]],
    width: int,
    cols: list[str],
    header_row: int | None,
    header_rows: list[int],
    partial_row: int = 0,
) -> tuple[pa.Table, pa.Table]:
    select = _mapping_sql(blocks, width)
    nonnull = " + ".join(f"(NULLIF(trim({c}), '') IS NOT NULL)::INT" for c in cols)
    all_text = "array_to_string(list_transform(cells, lambda x: coalesce(x, '')), '|')"
    header_list = ", ".join(str(r) for r in header_rows) or "NULL"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE mapped AS
        SELECT _row, _overflow, ({nonnull}) AS n_cells, list_value({", ".join(cols)}) AS cells,
               {select}
        FROM raw_sheet
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE typed AS
        SELECT *,
               tp_amount(amount_raw) AS amount,
               tp_date(NULLIF(trim(date_raw), '')) AS txn_date,
               tp_date_precision(NULLIF(trim(date_raw), '')) AS date_precision,
               CASE
                   WHEN _row = {header_row or 0} THEN 'the header row'
                   WHEN _row IN ({header_list}) THEN 'header row inside the data'
                   WHEN _row < {header_row or 0} THEN 'preamble before the header row'
                   WHEN _row = {partial_row} THEN 'the file ends part-way through this row (truncated)'
                   WHEN n_cells = 0 THEN 'blank row'
                   WHEN _overflow IS NOT NULL THEN 'more cells than the header has: ' || left(_overflow, 80)
                   WHEN NULLIF(trim(date_raw), '') IS NULL AND tp_amount(amount_raw) IS NOT NULL
                        AND (n_cells = 1 OR regexp_matches(
                            coalesce(supplier_name_raw, '') || '|' || {all_text}, '{_TOTAL_PATTERN}'))
                        THEN 'total or subtotal row, not a transaction'
                   WHEN NULLIF(trim(amount_raw), '') IS NULL THEN 'amount is blank'
                   WHEN tp_amount(amount_raw) IS NULL THEN 'amount is not a number: ' || left(amount_raw, 40)
                   WHEN NULLIF(trim(date_raw), '') IS NOT NULL AND tp_date(trim(date_raw)) IS NULL
                        THEN 'date not recognised: ' || left(date_raw, 40)
               END AS reason
        FROM mapped
    """)
    text_fields = [f for f in FIELDS if f not in ("amount", "date")]
    text_select = ",\n".join(f"{_nullif_blank(f + '_raw')} AS {f}" for f in text_fields)
    facts = con.sql(f"""
        SELECT _row AS row_number, txn_date, date_precision, amount,
               {text_select},
               CASE
                   WHEN regexp_matches(coalesce(supplier_name_raw, ''), '{REDACTED_PATTERN}') THEN 'redacted'
                   WHEN regexp_matches(coalesce(supplier_name_raw, ''), '{WITHHELD_PATTERN}') THEN 'withheld'
                   WHEN NULLIF(trim(supplier_name_raw), '') IS NULL THEN 'blank'
                   ELSE 'named'
               END AS payee_status
        FROM typed WHERE reason IS NULL ORDER BY _row
    """).to_arrow_table()
    quarantine = con.sql("""
        SELECT _row AS row_number, reason, amount, to_json(cells)::VARCHAR AS raw
        FROM typed WHERE reason IS NOT NULL AND reason <> 'the header row' ORDER BY _row
    """).to_arrow_table()
    return facts, quarantine


def _empty(sheet: RawSheet, notes: list[str]) -> CleanSheet:
    con = duckdb.connect()
    install_macros(con)
    facts = con.execute(
        "SELECT NULL::BIGINT AS row_number, NULL::DATE AS txn_date, NULL::VARCHAR AS date_precision, "
        "NULL::DECIMAL(18,2) AS amount, "
        + ", ".join(f"NULL::VARCHAR AS {f}" for f in FIELDS if f not in ("amount", "date"))
        + ", NULL::VARCHAR AS payee_status LIMIT 0"
    ).to_arrow_table()
    quarantine = con.execute(
        "SELECT NULL::BIGINT AS row_number, NULL::VARCHAR AS reason, NULL::DECIMAL(18,2) AS amount, "
        "NULL::VARCHAR AS raw LIMIT 0"
    ).to_arrow_table()
    # Rows of an empty sheet are blank rows: quarantined so that nothing goes uncounted.
    if sheet.n_rows:
        quarantine = pa.table(
            {
                "row_number": sheet.table.column("_row"),
                "reason": pa.array(["blank row"] * sheet.n_rows, pa.string()),
                "amount": pa.nulls(sheet.n_rows, quarantine.schema.field("amount").type),
                "raw": pa.array(["[]"] * sheet.n_rows, pa.string()),
            }
        )
    return CleanSheet(sheet.file, sheet.sheet, facts, quarantine, sheet.n_rows, {}, notes)


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the amount and date parsing macros on a DuckDB connection."""
    con.execute(_MACROS)
