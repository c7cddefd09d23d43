"""Experiments 1 and 2: SIGKILL and SIGINT during imports; a committed WAL cut short.

After every kill the warehouse is reopened read-only, as the next command would see it,
and its ledger (rows and sums per partner and source file in ``transactions``) must be
exactly the ledger before the command or exactly the one after it; the integrity check
(``totalplace check``, or the sources records where that command does not exist yet)
must agree with the rows.
"""

from __future__ import annotations

import random
import shutil
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.reliability.harness import (
    Outcome,
    Result,
    has_check_command,
    kill_group,
    ledger,
    read_warehouse,
    run_cli,
    sources_disagree,
    start_cli,
    warehouse_of,
)
from tests.reliability.scenarios import Scenario, calibrate, clone

EXIT_INTERRUPTED = 130


def classify_state(
    scenario: Scenario, ws: Path, doc: dict[str, Any] | None = None
) -> tuple[str, str]:
    """Return ("before" | "after" | "OTHER", detail) for a workspace after a kill."""
    doc = doc if doc is not None else read_warehouse(warehouse_of(ws))
    if "error" in doc:
        return "OTHER", f"warehouse unreadable: {doc['error']}"
    state = ledger(doc)
    if state == ledger(scenario.before):
        name = "before"
    elif state == ledger(scenario.after):
        name = "after"
    else:
        return (
            "OTHER",
            f"{doc.get('total')} rows/sum; before {scenario.before.get('total')}, after {scenario.after.get('total')}",
        )
    problem = integrity_problem(ws, doc)
    if problem:
        return "OTHER", f"rows match '{name}' but integrity fails: {problem}"
    return name, ""


def integrity_problem(ws: Path, doc: dict[str, Any]) -> str | None:
    """Return what the integrity check finds wrong with a workspace, or None."""
    if has_check_command():
        run = run_cli(["check", "--json", "-w", str(ws)], timeout=300)
        if run.traceback:
            return f"'totalplace check' crashed: {run.brief()}"
        return None if run.returncode == 0 else f"'totalplace check' says: {run.brief()}"
    return sources_disagree(doc)


def kill_delays(duration: float, count: int, rng: random.Random) -> list[tuple[str, float]]:
    """Return (kind, delay) for ``count`` kills: spread over the run, near its end, on the WAL.

    Half are stratified uniformly over [0, 1.05 x duration]; a quarter over its last 20%
    (where the commit is); a quarter fire 0-60 ms after the WAL file appears.
    """
    uniform = count - 2 * (count // 4)
    plan: list[tuple[str, float]] = []
    for i in range(uniform):
        plan.append(("spread", (i + rng.random()) / uniform * 1.05 * duration))
    late = count // 4
    for i in range(late):
        plan.append(("late", duration * (0.85 + 0.2 * (i + rng.random()) / max(1, late))))
    wal = count // 4
    for i in range(wal):
        plan.append(("wal", 0.060 * (i + rng.random()) / max(1, wal)))
    return plan


def _wait_for_wal(started: Any, wal: Path, limit: float) -> bool:
    """Poll (every ~1 ms) until the WAL file exists or the command ends; True if it appeared."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if wal.exists():
            return True
        if started.exited():
            return False
        time.sleep(0.001)
    return False


def kill_trial(
    scenario: Scenario, work: Path, n: int, kind: str, delay: float, keep_wal: Path | None
) -> Outcome:
    """Start the import on a copy, SIGKILL it at the planned moment, classify the warehouse."""
    ws = clone(scenario.before_dir, work / f"{scenario.name}-kill-{n}")
    started = start_cli(scenario.args, ws, ws.parent / f"{ws.name}.log")
    wal = Path(str(warehouse_of(ws)) + ".wal")
    if kind == "wal":
        seen = _wait_for_wal(started, wal, 10 * scenario.duration + 30)
        label = f"{kind} +{delay * 1000:.0f}ms" + ("" if seen else " (no WAL seen)")
    else:
        label = f"{kind} {delay:.2f}s of {scenario.duration:.2f}s"
    time.sleep(delay)
    finished_first = started.exited()
    kill_group(started.proc.pid, signal.SIGKILL)
    run = started.finish(timeout=60)
    # Copy the WAL as the kill left it, before anything opens the warehouse: checking the
    # state (``totalplace check``) may replay and remove it.
    left = ws.parent / f"{ws.name}.left"
    wal_left = False
    if keep_wal is not None and wal.exists() and wal.stat().st_size > 0:
        left.mkdir(exist_ok=True)
        try:
            shutil.copy2(warehouse_of(ws), left / "warehouse.duckdb")
            shutil.copy2(wal, left / "warehouse.duckdb.wal")
            wal_left = True
        except FileNotFoundError:  # gone between the look and the copy: nothing to keep
            shutil.rmtree(left, ignore_errors=True)
    outcome, detail = classify_state(scenario, ws)
    if finished_first and run.returncode != 0:
        outcome, detail = "OTHER", f"the command failed on its own: {run.brief()}"
    if keep_wal is not None and wal_left and outcome != "OTHER":
        target = keep_wal / f"{scenario.name}-{n}-{outcome}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(left), str(target))
    shutil.rmtree(left, ignore_errors=True)
    if outcome != "OTHER":
        shutil.rmtree(ws, ignore_errors=True)
        shutil.rmtree(ws.parent / f"{ws.name}.log", ignore_errors=True)
    return Outcome(
        f"{scenario.name}: {label}",
        outcome,
        outcome == "OTHER",
        detail + (f" [kept {ws}]" if outcome == "OTHER" else ""),
    )


def _spread(scenarios: list[Scenario], count: int) -> list[tuple[Scenario, int]]:
    """Return how many runs each scenario gets, adding up to ``count``."""
    share = [count // len(scenarios)] * len(scenarios)
    for i in range(count - sum(share)):
        share[i % len(share)] += 1
    return list(zip(scenarios, share, strict=True))


def _parallel(jobs: int, tasks: list[Callable[[], Outcome]], result: Result) -> None:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for outcome in pool.map(lambda task: task(), tasks):
            result.add(outcome)


def prepare(scenarios: list[Scenario], work: Path, runs: int, jobs: int) -> list[Outcome]:
    """Calibrate the scenarios (in parallel, as the trials run); return problems as outcomes."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda s: calibrate(s, work, runs), scenarios))
    problems: list[Outcome] = []
    for s in scenarios:
        for p in s.problems:
            problems.append(Outcome(f"{s.name}: unkilled run", "wrong result", True, p))
    return problems


def run_kills(
    scenarios: list[Scenario], work: Path, count: int, jobs: int, seed: int, wal_dir: Path | None
) -> Result:
    """Experiment 1: ``count`` SIGKILLs spread over the scenarios; 0 OTHER outcomes expected."""
    result = Result("kills during imports")
    started = time.monotonic()
    rng = random.Random(seed)
    tasks: list[Callable[[], Outcome]] = []
    n = 0
    for scenario, share in _spread([s for s in scenarios if s.after], count):
        for kind, delay in kill_delays(scenario.duration, share, rng):
            n += 1
            tasks.append(
                lambda s=scenario, i=n, k=kind, d=delay: kill_trial(s, work, i, k, d, wal_dir)
            )
    rng.shuffle(tasks)
    _parallel(jobs, tasks, result)
    result.seconds = time.monotonic() - started
    return result


def interrupt_trial(scenario: Scenario, work: Path, n: int, delay: float) -> Outcome:
    """Send Ctrl-C (SIGINT to the process group) at ``delay``; check exit code and state."""
    ws = clone(scenario.before_dir, work / f"{scenario.name}-int-{n}")
    started = start_cli(scenario.args, ws, ws.parent / f"{ws.name}.log")
    time.sleep(delay)
    kill_group(started.proc.pid, signal.SIGINT)
    run = started.finish(timeout=120)
    state, detail = classify_state(scenario, ws)
    label = f"{scenario.name}: SIGINT at {delay:.2f}s of {scenario.duration:.2f}s"
    code = "hang" if run.timed_out else f"exit {run.returncode}"
    if run.traceback:
        outcome, failed = "traceback", True
        tb = [line for line in (run.stderr + run.stdout).splitlines() if line.strip()]
        detail = f"{code}; {' | '.join(tb[-2:])[:200]}"
    elif run.timed_out:
        outcome, failed = "hang", True
    elif run.returncode == EXIT_INTERRUPTED and state == "before":
        outcome, failed = "130, before", False
    elif run.returncode == 0 and state == "after":
        outcome, failed = "0, after", False
    else:
        outcome, failed = f"{code}, {state}", True
        detail = f"{detail} {run.brief()}".strip()
    if not failed:
        shutil.rmtree(ws, ignore_errors=True)
        shutil.rmtree(ws.parent / f"{ws.name}.log", ignore_errors=True)
    return Outcome(label, outcome, failed, detail)


def run_interrupts(
    scenarios: list[Scenario], work: Path, count: int, jobs: int, seed: int
) -> Result:
    """Experiment 2: ``count`` SIGINTs at spread delays: 130 and before, or 0 and after."""
    result = Result("interrupts (Ctrl-C)")
    started = time.monotonic()
    rng = random.Random(seed + 1)
    tasks: list[Callable[[], Outcome]] = []
    n = 0
    for scenario, share in _spread([s for s in scenarios if s.after], count):
        for i in range(share):
            n += 1
            delay = (i + rng.random()) / share * 1.05 * scenario.duration
            tasks.append(lambda s=scenario, k=n, d=delay: interrupt_trial(s, work, k, d))
    _parallel(jobs, tasks, result)
    result.seconds = time.monotonic() - started
    return result


# Byte counts cut from the end of a WAL; "875" is where finding 1 reproduced.
_CUTS = [
    1,
    2,
    8,
    16,
    64,
    128,
    256,
    512,
    700,
    800,
    875,
    900,
    1024,
    1500,
    2048,
    4096,
    8192,
    16384,
    65536,
    262144,
]
_FRACTIONS = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99]


def run_wal_cuts(
    scenarios: list[Scenario], wal_dir: Path, work: Path, limit: int, jobs: int
) -> Result:
    """The WAL-cut experiment: WALs kept by kills, cut short by a range of byte counts."""
    result = Result("WAL cut short")
    started = time.monotonic()
    by_name = {s.name: s for s in scenarios}
    kept = sorted(wal_dir.iterdir()) if wal_dir.exists() else []
    # Prefer WALs of committed imports (state "after"), then the rest; at most ``limit``.
    kept.sort(key=lambda p: (not p.name.endswith("after"), p.name))
    kept = kept[:limit]
    if not kept:
        result.note = "no kill left a WAL behind"
    tasks: list[Callable[[], Outcome]] = []
    for capture in kept:
        scenario = by_name[capture.name.rsplit("-", 2)[0]]
        size = (capture / "warehouse.duckdb.wal").stat().st_size
        cuts = sorted({c for c in _CUTS if c < size} | {int(size * f) for f in _FRACTIONS})
        for cut in cuts:
            tasks.append(lambda c=capture, s=scenario, k=cut, z=size: _cut_trial(c, s, k, z, work))
    _parallel(jobs, tasks, result)
    result.seconds = time.monotonic() - started
    return result


def _cut_trial(capture: Path, scenario: Scenario, cut: int, size: int, work: Path) -> Outcome:
    target = work / f"cut-{capture.name}-{cut}" / ".totalplace"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(capture / "warehouse.duckdb", target / "warehouse.duckdb")
    data = (capture / "warehouse.duckdb.wal").read_bytes()
    (target / "warehouse.duckdb.wal").write_bytes(data[: size - cut])
    doc = read_warehouse(target / "warehouse.duckdb")
    if "error" in doc:
        outcome, detail = "unreadable", doc["error"]
    elif ledger(doc) == ledger(scenario.before):
        outcome, detail = "before", ""
    elif ledger(doc) == ledger(scenario.after):
        outcome, detail = "after", ""
    else:
        outcome, detail = (
            "OTHER",
            f"{doc.get('total')}; before {scenario.before.get('total')}, after {scenario.after.get('total')}",
        )
    shutil.rmtree(target.parent, ignore_errors=True)
    # An unreadable warehouse is loud, not silent: reported, but only OTHER fails.
    return Outcome(
        f"{capture.name} minus {cut} of {size} bytes", outcome, outcome == "OTHER", detail
    )
