"""Reproduce issue 13 finding 1: a cut WAL of a replacing import counts rows twice.

Run: ``PYTHONPATH=src python scripts/repro_replace_crash.py [--rows N]``

1. Import a large CSV (A) into a fresh workspace, then a changed version (B) at the same
   path: store_files replaces it (DELETE A's rows + INSERT B's rows, one transaction).
2. Right after B's COMMIT, before the connection closes (and checkpoints), copy the
   database file and its WAL: the state a SIGKILL at that moment leaves on disk.
3. For a series of cuts, reopen a copy whose WAL lost its last ``cut`` bytes (the tail
   of a WAL being written when the power went) and print what every stage would read:
   rows per source hash in the physical rows table and in ``transactions``, and what
   ``sources`` says.

A consistent outcome is "before" (``transactions`` reads A's rows only, sources = A) or
"after" (B's only, sources = B). "DOUBLED" means the stages read A's and B's rows.
Since the fix, the physical table may still hold B's rows after such a cut, but no
stage reads them (no live source) and the next import removes them.

First it runs the cause reduced to DuckDB alone (``minimal``): one transaction inserts
500,000 rows into ``t`` (big enough that DuckDB writes them to the database file before
COMMIT and logs only a ROW_GROUP_DATA pointer in the WAL) and one row into ``m`` (logged
as INSERT_TUPLE). Dropping only the WAL's last entry, the WAL_FLUSH that marks the
commit, must lose both; DuckDB 1.5 replays the 500,000 rows and drops the one row.
See docs/decisions/0008-crash-safe-store.md.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

from totalplace import ingest
from totalplace.workspace import init_workspace, open_workspace


def write_csv(path: Path, rows: int, version: int) -> None:
    """Write a spending CSV of ``rows`` rows; versions differ in every amount."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Payment Date", "Supplier Name", "Amount", "Transaction ID"])
        for i in range(rows):
            writer.writerow(
                [
                    f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                    f"Supplier {i % 5000}",
                    f"{(i % 9973) + version}.{i % 100:02d}",
                    f"T{version}-{i}",
                ]
            )


def state(db: Path) -> dict[str, object]:
    """Return rows per source hash (physical and as read) and the live sources of a warehouse."""
    con = duckdb.connect(str(db))
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        physical = "transaction_rows" if "transaction_rows" in tables else "transactions"
        rows = dict(
            con.execute(
                f"SELECT source_hash[:8], count(*) FROM {physical} GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
        read = dict(
            con.execute(
                "SELECT source_hash[:8], count(*) FROM transactions GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
        live = [r[0] for r in con.execute("SELECT source_hash[:8] FROM sources").fetchall()]
    finally:
        con.close()
    return {"physical": rows, "read": read, "sources": live}


def minimal(tmp: Path, rows: int = 500_000) -> bool:
    """Return whether DuckDB replays an uncommitted optimistic append (the cause, reduced)."""
    db = tmp / "minimal.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (i BIGINT, s VARCHAR); CREATE TABLE m (k INTEGER)")
    con.execute("INSERT INTO t SELECT range, 'old' FROM range(5); CHECKPOINT")
    con.execute("BEGIN")
    con.execute(f"INSERT INTO t SELECT range, 'new' FROM range({rows})")
    con.execute("INSERT INTO m VALUES (1)")
    con.execute("COMMIT")
    saved_db, saved_wal = db.read_bytes(), Path(f"{db}.wal").read_bytes()
    con.close()
    print(
        f"minimal: WAL of the committed transaction is {len(saved_wal):,} bytes; its last entry "
        "(WAL_FLUSH, the commit marker) is 21 bytes"
    )
    replayed = False
    for cut in (0, 21):
        trial = tmp / f"minimal-cut{cut}.duckdb"
        trial.write_bytes(saved_db)
        Path(f"{trial}.wal").write_bytes(saved_wal[: len(saved_wal) - cut])
        check = duckdb.connect(str(trial))
        new = check.execute("SELECT count(*) FROM t WHERE s = 'new'").fetchone()[0]  # type: ignore[index]
        marker = check.execute("SELECT count(*) FROM m").fetchone()[0]  # type: ignore[index]
        check.close()
        print(
            f"minimal: WAL cut by {cut:>2} bytes -> t has {new:,} new rows, m has {marker} row(s)"
            + ("  <- uncommitted rows replayed" if cut and new else "")
        )
        replayed |= bool(cut and new)
    return replayed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument(
        "--cuts",
        type=int,
        nargs="*",
        default=[0, 8, 50, 200, 400, 600, 875, 1000, 1500, 3000, 10000],
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="repro-replace-"))
    try:
        cause = minimal(tmp)
        print(f"DuckDB {duckdb.__version__}: uncommitted optimistic append replayed: {cause}\n")
        init_workspace(tmp / "ws", "E07000120")
        ws = open_workspace(tmp / "ws")
        data = tmp / "ws" / "spend.csv"
        write_csv(data, args.rows, 1)
        ingest.import_files(ws, "Big Co", [data])
        before = state(ws.warehouse_path)
        write_csv(data, args.rows, 2)

        real_store = ingest.store_files
        saved = tmp / "saved"

        def copy_files() -> None:
            if saved.exists():
                return
            saved.mkdir()  # the files as a SIGKILL right after COMMIT would leave them
            shutil.copy(ws.warehouse_path, saved / "warehouse.duckdb")
            wal = Path(str(ws.warehouse_path) + ".wal")
            if wal.exists():
                shutil.copy(wal, saved / "warehouse.duckdb.wal")

        class Raw:
            """The DuckDB connection, copying the files just before a CHECKPOINT merges the WAL."""

            def __init__(self, raw):  # type: ignore[no-untyped-def]
                self._raw = raw

            def execute(self, sql, *args):  # type: ignore[no-untyped-def]
                if sql.strip().upper() == "CHECKPOINT":
                    copy_files()
                return self._raw.execute(sql, *args)

            def __getattr__(self, name):  # type: ignore[no-untyped-def]
                return getattr(self._raw, name)

        class Con:
            def __init__(self, con):  # type: ignore[no-untyped-def]
                self.con = Raw(con.con)

        def store_and_copy(con, files):  # type: ignore[no-untyped-def]
            reports = real_store(Con(con), files)
            copy_files()
            return reports

        ingest.store_files = store_and_copy  # type: ignore[assignment]
        ingest.import_files(ws, "Big Co", [data])
        after = state(ws.warehouse_path)
        print(f"before: {before}\nafter:  {after}")
        wal = saved / "warehouse.duckdb.wal"
        if not wal.exists():
            print("no WAL left after COMMIT (checkpointed at commit): nothing to cut")
            return 0
        size = wal.stat().st_size
        print(f"database {(saved / 'warehouse.duckdb').stat().st_size:,} bytes, WAL {size:,} bytes")
        doubled = 0
        for cut in args.cuts:
            if cut > size:
                continue
            trial = tmp / f"cut{cut}"
            trial.mkdir()
            shutil.copy(saved / "warehouse.duckdb", trial / "warehouse.duckdb")
            with (saved / "warehouse.duckdb.wal").open("rb") as src:
                (trial / "warehouse.duckdb.wal").write_bytes(src.read(size - cut))
            try:
                got = state(trial / "warehouse.duckdb")
            except duckdb.Error as exc:
                print(f"cut {cut:>6}: cannot open ({exc})")
                continue
            seen = {k: got[k] for k in ("read", "sources")}
            verdict = (
                "after"
                if seen == {k: after[k] for k in ("read", "sources")}
                else "before"
                if seen == {k: before[k] for k in ("read", "sources")}
                else "DOUBLED"
                if len(got["read"]) > 1  # type: ignore[arg-type]
                else "other"
            )
            if got["physical"] != got["read"]:
                verdict += " (rows of no live source stored, not read)"
            doubled += not verdict.startswith(("before", "after"))
            print(f"cut {cut:>6}: {verdict}\n            {got}")
        print(f"{doubled} cut(s) left the stages reading something other than before or after")
        return 1 if doubled else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
