"""Run the reliability experiments and print a table; exit 1 if any experiment has a failure.

    python -m tests.reliability            # the default run (about 20-25 minutes on 2 cores)
    python -m tests.reliability --quick    # a small run (a couple of minutes)
    python -m tests.reliability --count 50 --only kills,interrupts

See docs/reliability.md for what each experiment does and what counts as a failure.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.reliability.harness import REALDATA, Outcome, Result

EXPERIMENTS = ("kills", "interrupts", "walcut", "fuzz", "placetoml")
DEFAULT = {"kills": 100, "interrupts": 20, "walcut": 3, "fuzz": 1000, "placetoml": None}
QUICK = {"kills": 8, "interrupts": 4, "walcut": 1, "fuzz": 60, "placetoml": 15}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts, bundled example only")
    parser.add_argument("--count", type=int, help="runs per experiment (WAL captures: N // 40 + 1)")
    parser.add_argument("--only", default=",".join(EXPERIMENTS), help="comma-separated experiments")
    parser.add_argument("--jobs", type=int, default=2, help="runs at the same time (default 2)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--workdir", type=Path, help="where to build workspaces (default: a temp dir)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-realdata", action="store_true", help="use the bundled example only")
    parser.add_argument("--no-fork", action="store_true", help="fuzz: one plain process per file")
    return parser.parse_args(argv)


def counts(args: argparse.Namespace) -> dict[str, int | None]:
    chosen = dict(QUICK if args.quick else DEFAULT)
    if args.count is not None:
        chosen = {name: args.count for name in EXPERIMENTS}
        chosen["walcut"] = args.count // 40 + 1
    return chosen


def print_table(results: list[Result], out=sys.stdout) -> None:  # noqa: ANN001
    rows = [("Experiment", "Runs", "Outcomes", "Failures", "Verdict", "Time")]
    for r in results:
        outcomes = ", ".join(f"{k} {v}" for k, v in r.tally().items()) or "-"
        rows.append(
            (
                r.name,
                str(len(r.outcomes)),
                outcomes,
                str(len(r.failures)),
                r.verdict,
                f"{r.seconds:.0f}s",
            )
        )
    widths = [min(max(len(row[i]) for row in rows), 90) for i in range(len(rows[0]))]
    line = "+".join("-" * (w + 2) for w in widths)
    for n, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            text = cell if len(cell) <= widths[i] else cell[: widths[i] - 1] + "…"
            cells.append(f" {text:<{widths[i]}} ")
        print("|".join(cells), file=out)
        if n == 0:
            print(line, file=out)
    for r in results:
        if r.note:
            print(f"{r.name}: {r.note}", file=out)


def print_failures(results: list[Result], limit: int = 25, out=sys.stdout) -> None:  # noqa: ANN001
    for r in results:
        if not r.failures:
            continue
        print(f"\n{r.name}: {len(r.failures)} failure(s)", file=out)
        for o in r.failures[:limit]:
            print(f"  - {o.outcome}: {o.label} — {o.detail}".rstrip(" —"), file=out)
        if len(r.failures) > limit:
            print(f"  … and {len(r.failures) - limit} more", file=out)


def run(args: argparse.Namespace) -> list[Result]:
    """Run the chosen experiments and return their results."""
    from tests.reliability import kills, scenarios
    from tests.reliability.fuzz import run_fuzz
    from tests.reliability.placetoml import run_placetoml

    chosen = counts(args)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(only) - set(EXPERIMENTS)
    if unknown:
        raise SystemExit(
            f"unknown experiment(s): {', '.join(sorted(unknown))}; choose from {EXPERIMENTS}"
        )
    work = args.workdir or Path(tempfile.mkdtemp(prefix="totalplace-reliability-"))
    work.mkdir(parents=True, exist_ok=True)
    realdata = not (args.quick or args.no_realdata) and (REALDATA / "TRUTH.json").exists()
    results: list[Result] = []
    print(
        f"Work folder: {work}; real data: {'yes' if realdata else 'no (bundled example)'}",
        flush=True,
    )

    def guarded(name: str, step: Callable[[], None]) -> None:
        """Run one experiment; a harness error fails it and the others still run."""
        try:
            step()
        except Exception as exc:  # a harness that cannot run must say so, and fail
            failed = Result(f"{name} (harness)")
            failed.add(Outcome(name, "harness error", True, f"{type(exc).__name__}: {exc}"))
            results.append(failed)

    def killing() -> None:
        started = time.monotonic()
        which = None if not args.quick else ["replace-changed", "multi"]
        built = scenarios.build(work / "scenarios", realdata, which)
        problems = kills.prepare(built, work / "trials", 2 if not args.quick else 1, args.jobs)
        print(
            f"Scenarios ready in {time.monotonic() - started:.0f}s: "
            + ", ".join(f"{s.name} {s.duration:.1f}s" for s in built),
            flush=True,
        )
        wal_dir = work / "wal"
        if "kills" in only or "walcut" in only:
            result = kills.run_kills(
                built, work / "trials", chosen["kills"] or 0, args.jobs, args.seed, wal_dir
            )
            for problem in problems:
                result.add(problem)
            results.append(result)
            print(f"kills done in {result.seconds:.0f}s", flush=True)
        if "walcut" in only:
            results.append(
                kills.run_wal_cuts(
                    built, wal_dir, work / "trials", chosen["walcut"] or 0, args.jobs
                )
            )
        if "interrupts" in only:
            results.append(
                kills.run_interrupts(
                    built, work / "trials", chosen["interrupts"] or 0, args.jobs, args.seed
                )
            )
            print(f"interrupts done in {results[-1].seconds:.0f}s", flush=True)

    def fuzzing() -> None:
        results.append(
            run_fuzz(
                work,
                chosen["fuzz"] or 0,
                args.jobs,
                args.seed,
                fork=not args.no_fork,
                costly=not args.quick,
            )
        )
        print(f"fuzz done in {results[-1].seconds:.0f}s", flush=True)

    try:
        if {"kills", "interrupts", "walcut"} & set(only):
            guarded("kills and interrupts", killing)
        if "fuzz" in only:
            guarded("fuzz", fuzzing)
        if "placetoml" in only:
            guarded(
                "place.toml",
                lambda: results.append(run_placetoml(work, chosen["placetoml"], args.jobs)),
            )
    finally:
        if not args.keep and not any(r.failures for r in results):
            shutil.rmtree(work, ignore_errors=True)
        elif not args.keep:
            print(f"Failures kept for inspection under {work}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.monotonic()
    results = run(args)
    print()
    print_table(results)
    print_failures(results)
    print(f"\nTotal time {time.monotonic() - started:.0f}s.")
    # A WAL-cut run has nothing to cut if no kill left a WAL behind: said in its note.
    return (
        1 if any(r.failures or not r.outcomes and r.name != "WAL cut short" for r in results) else 0
    )


if __name__ == "__main__":
    sys.exit(main())
