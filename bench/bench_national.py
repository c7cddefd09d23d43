"""National scale: a synthetic England classified and counted at once on DuckDB and on Spark.

Run from the repository root::

    .venv/bin/python bench/bench_national.py [--rows 10000000] [--seed 0] [--engines duckdb,spark]

Generates (once per size and seed, kept in bench/out/synth-<rows>-<seed>) a synthetic
England with ``totalplace.synth`` -- every English council, county, police and fire
body, ledgers sampled from real rows (the bundled example, plus Trafford's 2024-25
spend when ../shared/realdata is there) -- then on each engine: loads the Parquet,
classifies and counts every place at once with the stages' own code over an Ibis
connection. Prints rows, seconds and rows/s per step and engine, the Spark/DuckDB
ratio, whether the issue's aims are met (count over >= 10M facts < 1 s on DuckDB once
classified; classify >= 1M rows/s), whether the count is equal on both engines to the
penny, peak RSS, and ``totalplace --help`` start-up time (median of 10; a figure, not
an aim checked here). Writes bench/out/national.json. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))

from totalplace.synth import generate  # noqa: E402
from totalplace.synth.national import Step, run  # noqa: E402
from totalplace.synth.pool import default_realdata  # noqa: E402
from totalplace.warehouse import connect  # noqa: E402
from totalplace.workspace import open_workspace  # noqa: E402

AIM_COUNT_SECONDS = 1.0  # count over >= 10M facts on DuckDB, once classified
AIM_COUNT_FACTS = 10_000_000
AIM_CLASSIFY_RATE = 1_000_000  # rows per second
SPARK_MEMORY = os.environ.get("TOTALPLACE_SPARK_MEMORY", "6g")  # local mode: all of Spark's heap


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def jvm_peak_mb(session: Any) -> float | None:
    """Return the Spark driver JVM's peak RSS in MB (VmHWM), or None if it cannot be read."""
    try:
        pid = session._jvm.java.lang.ProcessHandle.current().pid()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except Exception:  # a figure for the report only
        return None
    return None


def help_seconds(runs: int = 10) -> float:
    """Return the median wall-clock seconds of ``totalplace --help`` in a fresh process."""
    exe = Path(sys.executable).with_name("totalplace")
    argv = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "totalplace", "--help"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def on_duckdb(root: Path) -> tuple[list[Step], Any, float]:
    """Run the national steps on DuckDB (the workspace's own warehouse file)."""
    shutil.rmtree(root / ".totalplace", ignore_errors=True)
    workspace = open_workspace(root)
    con = connect(workspace)
    try:
        steps, table = run("duckdb", con, workspace, root)
    finally:
        con.disconnect()
    return steps, table, peak_rss_mb()


def on_spark(root: Path) -> tuple[list[Step], Any, float | None]:
    """Run the national steps on Spark in local mode, in a fresh database, through the seam."""
    from totalplace.warehouse.engines.spark import local_session, open_warehouse
    from totalplace.workspace.engine_url import parse

    workspace = open_workspace(root)
    with tempfile.TemporaryDirectory(prefix="tp-bench-spark-") as tmp:
        session = local_session(f"{tmp}/warehouse", memory=SPARK_MEMORY)
        try:
            con = open_warehouse(parse("spark-local:///tp_national"), Path(tmp))
            steps, table = run("spark", con, workspace, root)
            peak = jvm_peak_mb(session)
        finally:
            session.stop()
    return steps, table, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--realdata", type=Path, default=default_realdata())
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    root = OUT / f"synth-{args.rows}-{args.seed}"
    if not (root / "sources.parquet").exists():
        made = generate(root, args.rows, seed=args.seed, realdata=args.realdata)
        print(
            f"generated {made.rows:,} rows for {made.bodies} bodies, {made.sources} sources "
            f"in {made.seconds:.1f} s ({made.rows / made.seconds:,.0f} rows/s) -> {root}"
        )
    else:
        print(f"reusing {root}")
    steps: list[Step] = []
    tables: dict[str, Any] = {}
    peaks: dict[str, float | None] = {}
    problems: dict[str, str] = {}
    for engine in engines:
        try:
            found, tables[engine], peaks[engine] = (on_duckdb if engine == "duckdb" else on_spark)(
                root
            )
            steps += found
        except Exception as exc:  # report what blocked an engine, and go on
            problems[engine] = f"{type(exc).__name__}: {exc}"[:600]
            print(f"{engine}: failed: {problems[engine]}")
    print(f"\n{'engine':<8}{'step':<10}{'rows':>14}{'seconds':>10}{'rows/s':>14}")
    for s in steps:
        print(
            f"{s.engine:<8}{s.name:<10}{s.rows:>14,}{s.seconds:>10.2f}{s.rows_per_second:>14,.0f}"
        )
    by = {(s.engine, s.name): s for s in steps}
    for name in ("load", "classify", "count", "sum"):
        if ("duckdb", name) in by and ("spark", name) in by:
            ratio = by[("spark", name)].seconds / by[("duckdb", name)].seconds
            print(f"Spark/DuckDB {name}: {ratio:.1f}x")
    equal = None
    if len(tables) == 2:
        duck, spark = tables["duckdb"], tables["spark"]
        equal = duck.equals(spark)
        print(
            f"count by place x partner x theme x year equal on both engines to the penny: "
            f"{'yes' if equal else 'NO'} ({duck.num_rows:,} rows)"
        )
    aims = {}
    if ("duckdb", "count") in by and ("duckdb", "sum") in by:
        c, total = by[("duckdb", "sum")], by[("duckdb", "count")]
        aims["count"] = c.rows >= AIM_COUNT_FACTS and c.seconds < AIM_COUNT_SECONDS
        aims["count_stage"] = total.rows >= AIM_COUNT_FACTS and total.seconds < AIM_COUNT_SECONDS
        print(
            f"aim: count over >= {AIM_COUNT_FACTS:,} facts < {AIM_COUNT_SECONDS:.0f} s on DuckDB: "
            f"the sum over the classified lines {'met' if aims['count'] else 'NOT met'} "
            f"({c.rows:,} facts in {c.seconds:.2f} s); the whole count stage, which first "
            f"builds and writes those lines, {'met' if aims['count_stage'] else 'NOT met'} "
            f"({total.seconds:.2f} s)"
        )
    for engine in engines:
        if (engine, "classify") in by:
            c = by[(engine, "classify")]
            aims[f"classify_{engine}"] = c.rows_per_second >= AIM_CLASSIFY_RATE
            print(
                f"aim: classify >= {AIM_CLASSIFY_RATE:,} rows/s on {engine}: "
                f"{'met' if aims[f'classify_{engine}'] else 'NOT met'} ({c.rows_per_second:,.0f} rows/s)"
            )
    for engine, peak in peaks.items():
        what = "Python process" if engine == "duckdb" else "Spark driver JVM"
        print(f"peak RSS ({engine}, {what}): " + (f"{peak:,.0f} MB" if peak else "unknown"))
    started = help_seconds()
    print(f"'totalplace --help' start-up: {started:.2f} s (median of 10)")
    doc = {
        "rows": args.rows,
        "seed": args.seed,
        "steps": [{**s.__dict__, "rows_per_second": s.rows_per_second} for s in steps],
        "equal": equal,
        "aims": aims,
        "peak_rss_mb": peaks,
        "help_seconds": started,
        "problems": problems,
    }
    (OUT / "national.json").write_text(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
