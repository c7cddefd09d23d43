"""Write the integrity findings to a file: an Excel workbook (summary, findings, the payments behind each, the tables behind the statistics) or one CSV/Parquet of findings."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from totalplace import stages
from totalplace.integrity.result import Integrity
from totalplace.report import EXPORT_FORMATS, export_table, write_workbook
from totalplace.warehouse import connect
from totalplace.workspace import Workspace

__all__ = ["export_integrity"]

XLSX_MAX_ROWS = 1_048_575  # Excel's row limit, less the header


def _summary(result: Integrity) -> pa.Table:
    rows = [{**r, "money_at_stake": r["money_at_stake"]} for r in result.by_detector()]
    schema = pa.schema(
        [
            ("detector", pa.string()),
            ("grade", pa.string()),
            ("findings", pa.int64()),
            ("payments", pa.int64()),
            ("money_at_stake", pa.decimal128(18, 2)),
            ("mean_confidence", pa.float64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _payments(con: object, ids: list[str]) -> pa.Table:
    """Return each finding's payments with their source file, sheet, row, date, payee and reference."""
    m = con.table("integrity_members")  # type: ignore[attr-defined]
    if ids:
        m = m.filter(m.finding_id.isin(ids))
    t = con.table("transactions").select(  # type: ignore[attr-defined]
        "txn_key",
        "source_file",
        "sheet",
        "row_number",
        "txn_date",
        "supplier_name",
        "transaction_id",
    )
    j = m.join(t, "txn_key")
    return j.order_by(["finding_id", "txn_date", "txn_key"]).to_pyarrow()


def export_integrity(workspace: Workspace, result: Integrity, path: Path | str) -> Path:
    """Write ``result``'s findings to ``path`` and return it.

    ``.xlsx``: sheets summary, findings, payments (each finding's transactions with
    source file and row), repeats, benford (the first-digit test of every partner and
    supplier tested), concentration (HHI and top shares per category) and parameters;
    ``.csv`` / ``.parquet``: the findings. Raises ValueError for another suffix or too many rows for Excel.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(
            f"cannot export to {path.name}: use a name ending {', '.join(EXPORT_FORMATS)}"
        )
    con = connect(workspace, read_only=True)
    try:
        stages.require(con, workspace, "integrity")
        ids = [f["finding_id"] for f in result.findings]
        findings = con.table("integrity_findings")
        findings = findings.filter(findings.finding_id.isin(ids)) if ids else findings.limit(0)
        findings_table = findings.order_by(findings.money_at_stake.desc()).to_pyarrow()
        if suffix != ".xlsx":
            return export_table(findings_table, path, sheet="findings")
        members = _payments(con, ids) if ids else _payments(con, ["-"])
        sheets = {
            "summary": _summary(result),
            "findings": findings_table,
            "payments": members,
            "repeats": con.table("integrity_repeats").to_pyarrow(),
            "benford": con.table("integrity_benford").to_pyarrow(),
            "concentration": con.table("integrity_concentration").to_pyarrow(),
            "parameters": con.table("integrity_parameters").to_pyarrow(),
        }
    finally:
        con.disconnect()
    too_long = [n for n, t in sheets.items() if t.num_rows > XLSX_MAX_ROWS]
    if too_long:
        raise ValueError(
            f"{', '.join(too_long)} has more rows than Excel holds; export to .parquet or .csv"
        )
    write_workbook(sheets, path)
    return path
