"""Write an Arrow table to CSV, XLSX or Parquet, chosen by the file's suffix.

Amounts stay exact in CSV and Parquet (decimal text / DECIMAL type). Excel stores
numbers as binary floating point, so XLSX amounts are exact only to 15 significant
digits — ample for pounds and pence below £10 trillion.
"""

from __future__ import annotations

import datetime as dt
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
    tmp = path.with_name(f".{path.name}.tmp")
    if suffix == ".csv":
        pacsv.write_csv(table, tmp)
    elif suffix == ".parquet":
        pq.write_table(table, tmp)
    else:
        _write_xlsx(table, tmp, sheet)
    tmp.replace(path)
    return path


def _write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    ws = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, name in enumerate(table.column_names):
        ws.write(0, col, name, bold)
        values = table.column(name).to_pylist()
        for row, value in enumerate(values, start=1):
            if isinstance(value, Decimal):
                ws.write_number(row, col, float(value), money)
            elif isinstance(value, dt.date):
                ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date)
            elif value is not None:
                ws.write(row, col, value)
        ws.set_column(col, col, max(10, min(60, len(name) + 2)))
    ws.freeze_panes(1, 0)
    workbook.close()
