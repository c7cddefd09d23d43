"""Write an Arrow table to CSV, XLSX or Parquet, chosen by the file's suffix.

Amounts stay exact: decimal text in CSV, the DECIMAL type in Parquet, and in XLSX the
exact decimal digits as a number cell (Excel reads it as binary floating point, exact
to 15 significant digits — ample for pounds and pence below £10 trillion) with the
format ``#,##0.00``; shares and rates are number cells formatted as percentages.

Text is never a formula. A spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and some also one that starts with a tab or carriage return), so a
payee named ``=HYPERLINK("http://…","click")`` would become a live link. In CSV and
XLSX such text is prefixed with a single quote (the OWASP rule for CSV injection,
https://owasp.org/www-community/attacks/CSV_Injection); XLSX text cells are also
written as plain strings, never parsed as formulas or links. Parquet is read by data
tools, not spreadsheets, and keeps the text exactly as loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

EXPORT_FORMATS = (".csv", ".xlsx", ".parquet")

#: First characters that make a spreadsheet treat text as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = "^[=+\\-@\t\r]"

MONEY_FORMAT = "#,##0.00"
#: Two places always, up to four more for small shares: 0.0537 → 5.37%, 0.000123 → 0.0123%.
PERCENT_FORMAT = "0.00####%"


def neutralise(text: str) -> str:
    """Return ``text`` prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def neutralise_table(table: pa.Table) -> pa.Table:
    """Return ``table`` with every text cell neutralised (vectorised); other columns untouched."""
    for index, field in enumerate(table.schema):
        kind = field.type
        if pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type):
            kind = kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        column = pc.cast(table.column(index), kind)
        risky = pc.match_substring_regex(column, _TRIGGER_PATTERN)
        quoted = pc.binary_join_element_wise(pa.scalar("'", kind), column, pa.scalar("", kind))
        table = table.set_column(
            index, pa.field(field.name, kind), pc.if_else(risky, quoted, column)
        )
    return table


def is_rate(column: str) -> bool:
    """Return True for a column holding a share or rate (a fraction shown as a percentage)."""
    return (
        column in ("share", "rate", "low", "central", "high")
        or column.startswith("rate_")
        or column.endswith("_share")
    )


def export_table(table: pa.Table, path: Path | str, sheet: str = "count") -> Path:
    """Write ``table`` to ``path`` (format from its suffix) atomically; return the path.

    Raises ValueError for a suffix other than .csv, .xlsx or .parquet.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(
            f"cannot export to {path.name}: use a name ending {', '.join(EXPORT_FORMATS)}"
        )
    if suffix == ".xlsx":
        return write_workbook({sheet: table}, path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if suffix == ".csv":
            pacsv.write_csv(neutralise_table(table), tmp)
        else:
            pq.write_table(table, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_workbook(
    sheets: Mapping[str, pa.Table],
    path: Path | str,
    rate: Callable[[str], bool] = is_rate,
) -> Path:
    """Write one XLSX workbook, a sheet per table, atomically; return the path.

    Decimal columns get the money format, or the percentage format where ``rate(column)``;
    text is written as neutralised plain strings (never formulas or links).
    """
    import xlsxwriter

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    workbook = xlsxwriter.Workbook(
        str(tmp),
        {
            "in_memory": True,
            # Text stays text: no formula, link or number is guessed from a string.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "bold": workbook.add_format({"bold": True}),
        "money": workbook.add_format({"num_format": MONEY_FORMAT}),
        "rate": workbook.add_format({"num_format": PERCENT_FORMAT}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    try:
        for sheet_name, table in sheets.items():
            ws = workbook.add_worksheet(sheet_name[:31])
            for col, name in enumerate(table.column_names):
                ws.write_string(0, col, neutralise(name), formats["bold"])
                number_format = formats["rate"] if rate(name) else formats["money"]
                for row, value in enumerate(table.column(name).to_pylist(), start=1):
                    _write_cell(ws, row, col, value, number_format, formats["date"])
                ws.set_column(col, col, max(10, min(60, len(name) + 2)))
            ws.freeze_panes(1, 0)
        workbook.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _write_cell(ws: Any, row: int, col: int, value: Any, number_format: Any, date: Any) -> None:
    if value is None:
        return
    if isinstance(value, Decimal):
        # xlsxwriter writes the number with format spec .16G, which a Decimal honours
        # exactly: the cell holds "1234.50", not the float artefact "1234.5000000000001".
        ws.write_number(row, col, cast(float, value), number_format)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, date)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date)
    else:
        ws.write_string(row, col, neutralise(str(value)))
