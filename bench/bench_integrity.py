"""The integrity detectors on synthetic payments, on DuckDB and Spark: rows/s, and the ratio to a plain group-by.

Run from the repository root::

    .venv/bin/python bench/bench_integrity.py [--rows 10000000] [--seed 0] [--engines duckdb,spark]

(or ROWS=1000000 in the environment). Generates the payments with NumPy (Arrow, no
Python loop over rows): 50,000 suppliers, three partners, a year of dates, amounts in
pennies, a reference per row, a file per partner and month with row numbers, 1 in 1,000
rows paid again (half re-keyed) and 1 in 2,000 printed again on the next row (a repeated
line). Each detector's findings and members are written to tables (so the engine does
all the work) and timed; the baseline is one group-by of the same payments by supplier
and amount on the same engine, so the ratio says what the detectors cost beyond reading
the data. Spark runs in local mode (--spark-rows caps its rows: default the same).
Writes bench/out/integrity.json (one entry per engine and size, kept across runs).
Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))

import ibis  # noqa: E402

from totalplace.integrity import duplicates, splits  # noqa: E402
from totalplace.integrity.params import Params  # noqa: E402
from totalplace.integrity.planted import SCHEMA  # noqa: E402

SPARK_MEMORY = os.environ.get("TOTALPLACE_SPARK_MEMORY", "6g")  # local mode: all of Spark's heap
COLUMNS = [*SCHEMA.names, *duplicates.ROW_COLUMNS]


def synthetic(rows: int, seed: int) -> pa.Table:
    """Return ``rows`` synthetic payments (the columns of the payments view, amounts in pennies)."""
    rng = np.random.default_rng(seed)
    n = rows
    supplier = rng.integers(0, 50_000, n)
    pennies = rng.lognormal(11, 1.2, n).astype(np.int64) + 1
    days = rng.integers(0, 365, n)
    partner = rng.integers(0, 3, n)
    refs = np.arange(n)
    again = rng.random(n) < 0.001  # one in a thousand paid twice: the row before, again
    printed = (rng.random(n) < 0.0005) & ~again  # one in 2,000: the row before printed again
    again[0] = printed[0] = False
    for mask, shift in ((again, 7), (printed, 0)):
        before = np.flatnonzero(mask) - 1
        supplier[mask] = supplier[before]
        pennies[mask] = pennies[before]
        refs[mask] = refs[before]
        partner[mask] = partner[before]
        days[mask] = np.minimum(days[before] + shift, 364)
    keys = pc.binary_join_element_wise(
        pa.array(np.full(n, "b")), pa.array(np.arange(n).astype(str)), ""
    )
    dates = (np.datetime64("2024-04-01") + days).astype("datetime64[D]")
    month = dates.astype("datetime64[M]").astype(str)
    slugs = np.array(["a", "b", "c"])[partner]
    supplier_text = pa.array(supplier.astype(str))
    return pa.table(
        {
            "txn_key": keys,
            "partner": pa.array(slugs),
            "txn_date": pa.array(dates),
            "fy_start_year": pa.array(np.full(n, 2024, dtype=np.int64)),
            "amount": pa.array(pennies),  # pennies: made pounds (decimal) in the engine
            "supplier_key": pc.binary_join_element_wise("S:", supplier_text, ""),
            "supplier_name": pc.binary_join_element_wise("Supplier ", supplier_text, ""),
            "reference": pc.binary_join_element_wise("INV", pa.array(refs.astype(str)), ""),
            "category": pa.nulls(n, pa.string()),
            "theme": pa.nulls(n, pa.string()),
            "payee_kind": pa.array(np.full(n, "organisation")),
            "transfer_kind": pa.nulls(n, pa.string()),
            # a file per partner and month; the row number is the line's place in the
            # generated order, so a line printed again sits on the next row
            "source_file": pc.binary_join_element_wise(pa.array(slugs), pa.array(month), "-"),
            "sheet": pa.nulls(n, pa.string()),
            "row_number": pa.array(np.arange(n, dtype=np.int64) + 2),
        }
    )


def measure(con: Any, raw: Any, rows: int) -> dict[str, Any]:
    """Time the baseline and each detector on ``con`` (``raw`` is the generated table there)."""
    pounds = (raw.amount.cast("decimal(18,0)") / 100).cast("decimal(18,2)")
    con.create_table("payments", raw.mutate(amount=pounds).select(*COLUMNS), overwrite=True)
    pay = con.table("payments")
    t0 = time.perf_counter()
    con.create_table(
        "baseline",
        pay.group_by(["supplier_key", "amount"]).aggregate(n=pay.count()),
        overwrite=True,
    )
    base = time.perf_counter() - t0
    results: dict[str, Any] = {"rows": rows, "baseline_seconds": round(base, 2)}
    params = Params()
    for name, detect in (("duplicates", duplicates.detect), ("splits", splits.detect)):
        t0 = time.perf_counter()
        found = detect(pay, params)
        con.create_table(f"{name}_findings", found.findings, overwrite=True)
        con.create_table(f"{name}_members", found.members, overwrite=True)
        seconds = time.perf_counter() - t0
        f = con.table(f"{name}_findings")
        kinds = f.group_by("detector").aggregate(n=f.count()).to_pyarrow().to_pylist()
        results[name] = {
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds),
            "findings": {k["detector"]: int(k["n"]) for k in kinds},
            "ratio_to_baseline": round(seconds / base, 1),
        }
    return results


def on_duckdb(table: pa.Table, rows: int, tmp: str) -> dict[str, Any]:
    """Run on an in-memory DuckDB that may spill to ``tmp``."""
    con = ibis.duckdb.connect(memory_limit="6GB", temp_directory=tmp, threads=2)
    raw = con.create_table("raw", table, overwrite=True)
    try:
        return measure(con, raw, rows)
    finally:
        con.disconnect()


def on_spark(table: pa.Table, rows: int, tmp: str) -> dict[str, Any]:
    """Run on Spark in local mode through the seam (a fresh database in ``tmp``)."""
    from totalplace.warehouse.engines.spark import local_session, open_warehouse
    from totalplace.workspace.engine_url import parse

    session = local_session(f"{tmp}/warehouse", memory=SPARK_MEMORY)
    try:
        con = open_warehouse(parse("spark-local:///tp_integrity"), Path(tmp))
        raw = con.create_table("raw", table.to_pandas(), overwrite=True)
        return measure(con, raw, rows)
    finally:
        session.stop()


def main() -> None:
    """Time the detectors and the baseline per engine; print and write bench/out/integrity.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=int(os.environ.get("ROWS", 10_000_000)))
    parser.add_argument("--spark-rows", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engines", default="duckdb,spark")
    args = parser.parse_args()
    path = OUT / "integrity.json"
    doc: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    # entries are "<engine>-<rows>"; anything else is the one-run layout before them
    doc = {k: v for k, v in doc.items() if k.startswith(("duckdb-", "spark-"))}
    for engine in args.engines.split(","):
        rows = args.rows if engine == "duckdb" else (args.spark_rows or args.rows)
        t0 = time.perf_counter()
        table = synthetic(rows, args.seed)
        made = time.perf_counter() - t0
        with tempfile.TemporaryDirectory(prefix="tp-bench-integrity-") as tmp:
            run = on_duckdb if engine == "duckdb" else on_spark
            results = {
                "engine": engine,
                "generate_seconds": round(made, 2),
                **run(table, rows, tmp),
            }
        print(json.dumps(results, indent=2), flush=True)
        doc[f"{engine}-{rows}"] = results
        OUT.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
