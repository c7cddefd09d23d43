"""Write an Arrow table to CSV, XLSX or Parquet, chosen by the file's suffix.

Amounts stay exact in CSV and Parquet (decimal text / DECIMAL type). Excel stores
numbers as binary floating point, so XLSX amounts are exact only to 15 significant
digits — ample for pounds and pence below £10 trillion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

EXPORT_FORMATS = (".csv", ".xlsx", ".parquet")


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
    if suffix == ".csv":
        pacsv.write_csv(table, tmp)
    else:
        pq.write_table(table, tmp)
    tmp.replace(path)
    return path


def write_workbook(
    sheets: Mapping[str, pa.Table],
    path: Path | str,
    is_rate: Callable[[str], bool] = lambda _column: False,
) -> Path:
    """Write one XLSX workbook, a sheet per table, atomically; return the path.

    Decimal columns get a money format, or a rate format where ``is_rate(column)``.
    """
    import xlsxwriter

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    workbook = xlsxwriter.Workbook(str(tmp), {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    rate = workbook.add_format({"num_format": "0.00####"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for sheet_name, table in sheets.items():
        ws = workbook.add_worksheet(sheet_name[:31])
        for col, name in enumerate(table.column_names):
            ws.write(0, col, name, bold)
            decimal_format = rate if is_rate(name) else money
            for row, value in enumerate(table.column(name).to_pylist(), start=1):
                if isinstance(value, Decimal):
                    ws.write_number(row, col, float(value), decimal_format)
                elif isinstance(value, dt.date):
                    ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date)
                elif value is not None:
                    ws.write(row, col, value)
            ws.set_column(col, col, max(10, min(60, len(name) + 2)))
        ws.freeze_panes(1, 0)
    workbook.close()
    tmp.replace(path)
    return path
