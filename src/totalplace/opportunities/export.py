"""Write the opportunity tables to files: one Excel workbook (a sheet each) or one CSV/Parquet file each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace.report import EXPORT_FORMATS, export_table
from totalplace.warehouse import connect, has_table
from totalplace.workspace import Workspace

#: Sheet (and file-name suffix) of each table; opp_lines last, as it is the longest.
SHEETS: dict[str, str] = {
    "opp_procurement": "procurement",
    "opp_procurement_partners": "procurement_partners",
    "opp_back_office": "back_office",
    "opp_shared_suppliers": "shared_suppliers",
    "opp_fragmentation": "fragmentation",
    "opp_assumptions": "assumptions",
    "opp_category_rules": "category_rules",
    "opp_lines": "lines",
}
XLSX_MAX_ROWS = 1_048_575  # Excel's row limit, less the header


def export_opportunities(workspace: Workspace, path: Path | str) -> list[Path]:
    """Write every opportunity table and return the files written.

    ``x.xlsx`` gives one workbook with a sheet per table; ``x.csv`` or ``x.parquet``
    give one file per table (``x_procurement.csv``, ...). Raises ValueError for
    another suffix, a missing table (run ``totalplace opportunities`` first) or a
    table too long for Excel.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(
            f"cannot export to {path.name}: use a name ending {', '.join(EXPORT_FORMATS)}"
        )
    con = connect(workspace, read_only=True)
    try:
        missing = [name for name in SHEETS if not has_table(con, name)]
        if missing:
            raise ValueError(
                f"no {', '.join(missing)} in the warehouse: run 'totalplace opportunities' first"
            )
        tables = {name: con.table(name).to_pyarrow() for name in SHEETS}
    finally:
        con.disconnect()
    if suffix == ".xlsx":
        too_long = [n for n, t in tables.items() if t.num_rows > XLSX_MAX_ROWS]
        if too_long:
            raise ValueError(
                f"{', '.join(too_long)} has more rows than Excel holds; export to .parquet or .csv"
            )
        _write_workbook(tables, path)
        return [path]
    written = []
    for name, table in tables.items():
        target = path.with_name(f"{path.stem}_{SHEETS[name]}{suffix}")
        written.append(export_table(table, target))
    return written


def _write_workbook(tables: dict[str, pa.Table], path: Path) -> None:
    import xlsxwriter

    tmp = path.with_name(f".{path.name}.tmp")
    workbook = xlsxwriter.Workbook(str(tmp), {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    rate = workbook.add_format({"num_format": "0.00####"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, table in tables.items():
        sheet = workbook.add_worksheet(SHEETS[name][:31])
        for col, column in enumerate(table.column_names):
            sheet.write(0, col, column, bold)
            is_rate = column.startswith("rate_") or column.endswith("share")
            decimal_format = rate if is_rate or column in ("low", "central", "high") else money
            values: list[Any] = table.column(column).to_pylist()
            for row, value in enumerate(values, start=1):
                if isinstance(value, Decimal):
                    sheet.write_number(row, col, float(value), decimal_format)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date)
                elif value is not None:
                    sheet.write(row, col, value)
            sheet.set_column(col, col, max(10, min(60, len(column) + 2)))
        sheet.freeze_panes(1, 0)
    workbook.close()
    tmp.replace(path)
