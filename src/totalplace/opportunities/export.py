"""Write the opportunity tables to files: one Excel workbook (a sheet each) or one CSV/Parquet file each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace import stages
from totalplace.report import EXPORT_FORMATS, export_table, write_workbook
from totalplace.warehouse import connect
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


def opportunity_tables(con: Any, workspace: Workspace) -> dict[str, pa.Table]:
    """Return every opportunity table as Arrow, by name.

    Raises StageNotRun if opportunities has not run here, StageStale if what it read
    changed since (see :func:`totalplace.stages.require`).
    """
    stages.require(con, workspace, "opportunities")
    return {name: con.table(name).to_pyarrow() for name in SHEETS}


def export_opportunities(workspace: Workspace, path: Path | str) -> list[Path]:
    """Write every opportunity table and return the files written.

    ``x.xlsx`` gives one workbook with a sheet per table; ``x.csv`` or ``x.parquet``
    give one file per table (``x_procurement.csv``, ...). Raises ValueError for
    another suffix or a table too long for Excel, StageNotRun or StageStale unless
    ``totalplace opportunities`` has run since its inputs last changed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(
            f"cannot export to {path.name}: use a name ending {', '.join(EXPORT_FORMATS)}"
        )
    con = connect(workspace, read_only=True)
    try:
        tables = opportunity_tables(con, workspace)
    finally:
        con.disconnect()
    if suffix == ".xlsx":
        too_long = [n for n, t in tables.items() if t.num_rows > XLSX_MAX_ROWS]
        if too_long:
            raise ValueError(
                f"{', '.join(too_long)} has more rows than Excel holds; export to .parquet or .csv"
            )
        write_workbook({SHEETS[n]: t for n, t in tables.items()}, path)
        return [path]
    written = []
    for name, table in tables.items():
        target = path.with_name(f"{path.stem}_{SHEETS[name]}{suffix}")
        written.append(export_table(table, target))
    return written
