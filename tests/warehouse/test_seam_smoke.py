"""The seam's primitives on each engine: schema, append, run_sql, delete, replace, transaction."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from totalplace import warehouse
from totalplace.workspace import open_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"


def _workspace(tmp_path: Path, url: str | None):
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root)
    if url:
        with (root / "place.toml").open("a") as f:
            f.write(f'\n[warehouse]\nurl = "{url}"\n')
    return open_workspace(root)


def test_the_seam_stores_and_reads_the_same_on_every_engine(backend, tmp_path: Path) -> None:
    ws = _workspace(tmp_path, backend.url)
    con = warehouse.connect(ws)
    try:
        assert warehouse.engine_of(con) == backend.name
        assert {"sources", "transaction_rows", "quarantine_rows"} <= warehouse.base_tables(con)
        assert warehouse.has_table(con, "transactions")
        rows = pa.table(
            {
                "partner": ["p", "p", "q"],
                "source_hash": ["h1", "h1", "h2"],
                "source_file": ["a.csv", "a.csv", "b.csv"],
                "sheet": pa.array([None, None, None], pa.string()),
                "row_number": pa.array([1, 2, 1], pa.int64()),
                "reason": ["x", "y", "z"],
                "amount": pa.array([Decimal("1.10"), None, Decimal("-2.05")], pa.decimal128(18, 2)),
                "raw": ["", "r,2", 'q"3'],
            }
        )
        warehouse.append(con, "quarantine_rows", rows)
        got = warehouse.run_sql(
            con,
            "SELECT source_hash, count(*) AS n, sum(amount) AS total FROM quarantine_rows "
            "WHERE partner IN (?, ?) GROUP BY source_hash ORDER BY source_hash",
            ["p", "q"],
        )
        assert got is not None
        assert got.to_pylist() == [
            {"source_hash": "h1", "n": 2, "total": Decimal("1.10")},
            {"source_hash": "h2", "n": 1, "total": Decimal("-2.05")},
        ]
        # no live source: the view reads none of them
        assert warehouse.rows(con, "SELECT count(*) FROM quarantine") == [(0,)]
        texts = warehouse.rows(con, "SELECT raw FROM quarantine_rows ORDER BY row_number, raw")
        assert sorted(t for (t,) in texts) == ["", 'q"3', "r,2"]
        warehouse.delete_where(
            con, "quarantine_rows", "partner = ? AND source_hash = ?", ["p", "h1"]
        )
        assert warehouse.rows(con, "SELECT count(*) FROM quarantine_rows") == [(1,)]
        warehouse.replace_table(con, "scratch", rows.select(["partner", "amount"]))
        assert con.table("scratch").count().execute() == 3
    finally:
        con.disconnect()
