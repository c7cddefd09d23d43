"""Finding 2: a source is a partner's file; the same bytes for two partners are reported.

Identity, duplicate detection and replacement are per (partner, path); deletes match
partner and source hash, never the hash alone.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from totalplace.ingest import import_files
from totalplace.ingest.store import SheetReport
from totalplace.warehouse import connect
from totalplace.workspace import Workspace

GOOD = "lancashire/hyndburn_bc/hyndburn_2024-04.csv"  # 428 transactions, £2,639,411.52


def _totals(ws: Workspace) -> dict[str, tuple[int, Decimal]]:
    con = connect(ws)
    try:
        return {
            p: (n, a)
            for p, n, a in con.con.execute(
                "SELECT partner, count(*), sum(amount) FROM transactions GROUP BY ALL"
            ).fetchall()
        }
    finally:
        con.disconnect()


def _imported_for_alpha(realdata: Path, ws: Workspace) -> tuple[Path, SheetReport]:
    """Return the path of a copy of GOOD in the workspace, and Alpha Council's import of it."""
    path = ws.root / "data" / "spend.csv"
    path.parent.mkdir()
    shutil.copyfile(realdata / GOOD, path)
    [report] = import_files(ws, "Alpha Council", [path])
    return path, report


def test_same_bytes_for_a_second_partner_are_a_duplicate_naming_the_first(
    realdata: Path, workspace: Workspace
) -> None:
    path, first = _imported_for_alpha(realdata, workspace)
    [second] = import_files(workspace, "Beta Council", [path])
    assert first.status == "loaded"
    assert second.status == "duplicate"
    assert any("alpha-council" in note for note in second.notes)
    assert _totals(workspace) == {"alpha-council": (428, Decimal("2639411.52"))}


def test_replacing_one_partners_file_leaves_the_other_partners_copy(
    realdata: Path, workspace: Workspace
) -> None:
    """A warehouse already holding the same bytes for two partners (as the old code stored)."""
    path, _ = _imported_for_alpha(realdata, workspace)
    con = connect(workspace)
    try:
        raw = con.con
        tables = {r[0] for r in raw.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        rows = "transaction_rows" if "transaction_rows" in tables else "transactions"
        for table in ("sources", rows):
            raw.execute(
                f"INSERT INTO {table} SELECT * REPLACE ('beta-council' AS partner) FROM {table}"
            )
    finally:
        con.disconnect()
    beta = _totals(workspace)["beta-council"]
    assert beta == (428, Decimal("2639411.52"))

    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-10]))  # Alpha re-issues the month, 10 payments fewer
    [report] = import_files(workspace, "Alpha Council", [path])
    assert report.status == "replaced"
    totals = _totals(workspace)
    assert totals["beta-council"] == beta, "Beta's copy must survive Alpha's replacement"
    assert totals["alpha-council"] == (418, report.amount_loaded)
    con = connect(workspace)
    try:
        assert con.con.execute("SELECT count(DISTINCT partner) FROM sources").fetchone() == (2,)
    finally:
        con.disconnect()


def test_same_path_for_two_partners_with_the_same_transactions_is_a_duplicate(
    realdata: Path, workspace: Workspace
) -> None:
    """Different bytes, same transactions (re-saved) at the same path for another partner."""
    path, _ = _imported_for_alpha(realdata, workspace)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # re-saved: new bytes
    [report] = import_files(workspace, "Beta Council", [path])
    assert report.status == "duplicate"
    assert any("alpha-council" in note for note in report.notes)
    assert set(_totals(workspace)) == {"alpha-council"}
