"""The integrity detectors on synthetic payments on DuckDB: rows/s, and the ratio to a plain group-by.

Run from the repository root::

    .venv/bin/python bench/bench_integrity.py [--rows 10000000] [--seed 0]

(or ROWS=1000000 in the environment). Generates the payments with NumPy (Arrow, no
Python loop over rows): 50,000 suppliers, three partners, a year of dates, amounts in
pennies, a reference per row, and 1 in 1,000 rows paid again (half re-keyed). Each
detector's findings and members are written to tables (so the engine does all the work)
and timed; the baseline is one group-by of the same payments by supplier and amount in
the same process, so the ratio says what the detectors cost beyond reading the data.
Writes bench/out/integrity.json. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

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


def synthetic(rows: int, seed: int) -> pa.Table:
    """Return ``rows`` synthetic payments (the columns of the payments view)."""
    rng = np.random.default_rng(seed)
    n = rows
    supplier = rng.integers(0, 50_000, n)
    pennies = rng.lognormal(11, 1.2, n).astype(np.int64) + 1
    days = rng.integers(0, 365, n)
    refs = np.arange(n)
    again = rng.random(n) < 0.001  # one in a thousand paid twice: the row before, again
    again[0] = False
    before = np.flatnonzero(again) - 1
    supplier[again] = supplier[before]
    pennies[again] = pennies[before]
    refs[again] = refs[before]
    days[again] = np.minimum(days[before] + 7, 364)
    keys = pc.binary_join_element_wise(pa.array(np.full(n, "b")), pa.array(refs.astype(str)), "")
    dates = pa.array((np.datetime64("2024-04-01") + days).astype("datetime64[D]"))
    supplier_text = pa.array(supplier.astype(str))
    return pa.table(
        {
            "txn_key": keys,
            "partner": pa.array(np.array(["a", "b", "c"])[rng.integers(0, 3, n)]),
            "txn_date": dates,
            "fy_start_year": pa.array(np.full(n, 2024, dtype=np.int64)),
            "amount": pa.array(pennies),  # pennies: made pounds (decimal) in the engine
            "supplier_key": pc.binary_join_element_wise("S:", supplier_text, ""),
            "supplier_name": pc.binary_join_element_wise("Supplier ", supplier_text, ""),
            "reference": pc.binary_join_element_wise("INV", pa.array(refs.astype(str)), ""),
            "category": pa.nulls(n, pa.string()),
            "theme": pa.nulls(n, pa.string()),
            "payee_kind": pa.array(np.full(n, "organisation")),
            "transfer_kind": pa.nulls(n, pa.string()),
        }
    )


def main() -> None:
    """Time the detectors and the baseline; print and write bench/out/integrity.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=int(os.environ.get("ROWS", 10_000_000)))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    t0 = time.perf_counter()
    table = synthetic(args.rows, args.seed)
    made = time.perf_counter() - t0
    con = ibis.duckdb.connect()
    raw = con.create_table("raw", table, overwrite=True)
    pounds = (raw.amount.cast("decimal(18,0)") / 100).cast("decimal(18,2)")
    con.create_table("payments", raw.mutate(amount=pounds).select(*SCHEMA.names), overwrite=True)
    pay = con.table("payments")
    results = {"rows": args.rows, "generate_seconds": round(made, 2), "engine": "duckdb"}
    t0 = time.perf_counter()
    con.create_table(
        "baseline",
        pay.group_by(["supplier_key", "amount"]).aggregate(n=pay.count()),
        overwrite=True,
    )
    base = time.perf_counter() - t0
    results["baseline_seconds"] = round(base, 2)
    params = Params()
    for name, detect in (("duplicates", duplicates.detect), ("splits", splits.detect)):
        t0 = time.perf_counter()
        found = detect(pay, params)
        con.create_table(f"{name}_findings", found.findings, overwrite=True)
        con.create_table(f"{name}_members", found.members, overwrite=True)
        seconds = time.perf_counter() - t0
        count = con.table(f"{name}_findings").count().execute()
        results[name] = {
            "seconds": round(seconds, 2),
            "rows_per_second": round(args.rows / seconds),
            "findings": int(count),
            "ratio_to_baseline": round(seconds / base, 1),
        }
    print(json.dumps(results, indent=2))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "integrity.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
