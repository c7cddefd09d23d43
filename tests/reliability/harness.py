"""Shared machinery of the reliability experiments: run the ``totalplace`` CLI as a user would.

Everything here drives the command from outside, as separate processes, so the experiments
hold whatever the internals become. A run is bounded in time (killed past its limit) and in
memory (``RLIMIT_AS`` on the child, peak RSS measured with ``wait4``).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hyndburn"
REALDATA = Path(os.environ.get("TOTALPLACE_REALDATA", ROOT.parent / "shared" / "realdata"))

# The stated bounds of one command run in these experiments.
MEMORY_BOUND_MB = 3072  # peak resident memory of one import (the child and its workers)
ADDRESS_LIMIT_MB = 6144  # hard RLIMIT_AS per process: a runaway fails instead of eating the host
TIME_LIMIT_S = 60.0  # wall time of one command; past it the run is a hang and is killed


def totalplace_command() -> list[str]:
    """Return the argv prefix that runs the installed ``totalplace`` command of this Python."""
    script = Path(sys.executable).parent / "totalplace"
    if script.exists():
        return [str(script)]
    found = shutil.which("totalplace")
    if found:
        return [found]
    # No console script (an odd install): run the entry point the package declares.
    return [sys.executable, "-c", "from totalplace.cli import main; main()"]


def child_env() -> dict[str, str]:
    """Return the environment of a command run: the caller's, without colour or a terminal."""
    env = dict(os.environ)
    env.pop("FORCE_COLOR", None)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("CI", "")
    return env


def has_traceback(*texts: str) -> bool:
    """Return whether any output shows a Python traceback (or a Rich-rendered one)."""
    return any(
        "Traceback (most recent call last)" in t or "Traceback" in t and "──" in t for t in texts
    )


@dataclass
class Run:
    """What one command run did."""

    argv: list[str]
    returncode: int | None  # None: killed by the harness on timeout
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    peak_rss_mb: float = 0.0
    signal: int | None = None  # the signal that ended it, if any

    @property
    def traceback(self) -> bool:
        return has_traceback(self.stdout, self.stderr)

    def json(self) -> Any:
        """Return stdout parsed as JSON, or None if it is not one JSON document."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None

    def brief(self) -> str:
        """Return a one-line summary for a failure report."""
        tail = (self.stderr.strip().splitlines() or self.stdout.strip().splitlines() or [""])[-1]
        state = "timeout" if self.timed_out else f"exit {self.returncode}"
        return f"{state}: {tail[:160]}"


def _limit_memory() -> None:
    limit = ADDRESS_LIMIT_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_cli(
    args: list[str],
    cwd: Path | None = None,
    timeout: float = TIME_LIMIT_S,
    limit_memory: bool = True,
) -> Run:
    """Run ``totalplace ARGS`` to completion (or kill it past ``timeout``) and return the Run.

    The child gets its own process group (its parse workers die with it) and, when asked,
    an address-space limit; its peak RSS (largest of it and its waited-for children) is
    read from ``wait4``.
    """
    argv = [*totalplace_command(), *args]
    started = time.monotonic()
    with (
        open(os.devnull, "rb") as stdin,
        _tempfile() as out_file,
        _tempfile() as err_file,
    ):
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=stdin,
            stdout=out_file,
            stderr=err_file,
            env=child_env(),
            start_new_session=True,
            preexec_fn=_limit_memory if limit_memory else None,  # noqa: PLW1509
        )
        status, rss_kb, timed_out = _wait(proc, timeout)
        seconds = time.monotonic() - started
        out_file.seek(0)
        err_file.seek(0)
        stdout = out_file.read().decode("utf-8", "replace")
        stderr = err_file.read().decode("utf-8", "replace")
    code, sig = _decode(status)
    return Run(
        argv=list(args),
        returncode=None if timed_out else code,
        stdout=stdout,
        stderr=stderr,
        seconds=seconds,
        timed_out=timed_out,
        peak_rss_mb=rss_kb / 1024,
        signal=sig,
    )


def _tempfile() -> Any:
    import tempfile

    return tempfile.TemporaryFile()


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, int, bool]:
    """Wait for the child with wait4 (for its rusage); kill its group past the timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = _decode(status)[0]
            return status, usage.ru_maxrss, False
        if time.monotonic() > deadline:
            kill_group(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return status, usage.ru_maxrss, True
        time.sleep(delay)
        delay = min(delay * 1.5, 0.05)


def _decode(status: int) -> tuple[int, int | None]:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return -sig, sig
    return os.WEXITSTATUS(status), None


def kill_group(pid: int, sig: int) -> None:
    """Send a signal to a child's whole process group (it and its workers); ignore if gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


@dataclass
class Started:
    """A command started in the background, to be signalled at a chosen moment."""

    proc: subprocess.Popen[bytes]
    started: float
    out_path: Path
    err_path: Path

    def exited(self) -> bool:
        """Return whether the command has ended (without reaping it: wait4 reads its rusage)."""
        try:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None

    def finish(self, timeout: float = TIME_LIMIT_S) -> Run:
        status, rss_kb, timed_out = _wait(self.proc, timeout)
        code, sig = _decode(status)
        return Run(
            argv=[],
            returncode=None if timed_out else code,
            stdout=self.out_path.read_text("utf-8", "replace"),
            stderr=self.err_path.read_text("utf-8", "replace"),
            seconds=time.monotonic() - self.started,
            timed_out=timed_out,
            peak_rss_mb=rss_kb / 1024,
            signal=sig,
        )


def start_cli(args: list[str], cwd: Path | None, log_dir: Path) -> Started:
    """Start ``totalplace ARGS`` in its own process group; return it to be signalled later."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / "stdout.txt", log_dir / "stderr.txt"
    with (
        open(os.devnull, "rb") as stdin,
        out_path.open("wb") as out_file,
        err_path.open("wb") as err_file,
    ):
        proc = subprocess.Popen(
            [*totalplace_command(), *args],
            cwd=cwd,
            stdin=stdin,
            stdout=out_file,
            stderr=err_file,
            env=child_env(),
            start_new_session=True,
            preexec_fn=_limit_memory,  # noqa: PLW1509
        )
    return Started(proc, time.monotonic(), out_path, err_path)


# --- Reading the warehouse as a command would: what a stage reads, per source -------------

READER_SOURCE = r"""
import json, sys
import duckdb
path = sys.argv[1]
try:
    con = duckdb.connect(path, read_only=True)
except Exception as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"})); sys.exit(0)
def q(sql):
    return con.execute(sql).fetchall()
names = {r[0] for r in q("SELECT table_name FROM information_schema.tables")}
doc = {"relations": sorted(names)}
try:
    if "transactions" in names:
        doc["transactions"] = [
            [p, f, n, str(s), h]
            for p, f, n, s, h in q(
                "SELECT partner, source_file, count(*), sum(amount), count(DISTINCT source_hash) "
                "FROM transactions GROUP BY ALL ORDER BY ALL"
            )
        ]
        doc["total"] = [[n, str(s)] for n, s in q("SELECT count(*), sum(amount) FROM transactions")][0]
    else:
        doc["transactions"] = []
        doc["total"] = [0, "None"]
    if "sources" in names:
        cols = {r[0] for r in q("SELECT column_name FROM information_schema.columns WHERE table_name = 'sources'")}
        if {"rows_loaded", "amount_loaded", "source_hash"} <= cols:
            doc["sources"] = [
                [p, f, n, str(s), h]
                for p, f, n, s, h in q(
                    "SELECT partner, source_file, sum(rows_loaded), sum(amount_loaded), "
                    "count(DISTINCT source_hash) FROM sources GROUP BY ALL ORDER BY ALL"
                )
            ]
    if len(sys.argv) > 2 and sys.argv[2] and "transactions" in names:
        doc["pairs"] = [[i, str(a)] for i, a in con.execute("SELECT transaction_id, amount FROM transactions WHERE partner = ?", [sys.argv[2]]).fetchall()]
except Exception as exc:
    doc["error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(doc))
"""


def read_warehouse(
    path: Path, pairs_for: str | None = None, timeout: float = 120
) -> dict[str, Any]:
    """Return what the warehouse holds, opened read-only in a separate process.

    Per partner and source file: rows and sum of ``transactions`` (the relation every stage
    reads) and, where the table has them, the ``sources`` records. A separate process: a
    damaged file must not take the harness down with it. ``{"missing": True}`` if absent.
    """
    if not path.exists():
        return {"missing": True, "transactions": [], "total": [0, "None"]}
    argv = [sys.executable, "-c", READER_SOURCE, str(path)]
    if pairs_for:
        argv.append(pairs_for)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "reading the warehouse hung"}
    if proc.returncode != 0:
        return {"error": f"reader died (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"}
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return {"error": f"reader printed no JSON: {proc.stdout[-300:]}"}


def ledger(doc: dict[str, Any]) -> list[Any]:
    """Return the part of a warehouse reading that says what is counted (transactions per source)."""
    return doc.get("transactions", [])


def sources_disagree(doc: dict[str, Any]) -> str | None:
    """Return how the sources records disagree with the rows (today's schema), or None."""
    if "sources" not in doc:
        return None
    rows = {(p, f): (n, s, h) for p, f, n, s, h in doc.get("transactions", [])}
    srcs = {(p, f): (n, s, h) for p, f, n, s, h in doc["sources"] if int(n) or (p, f) in rows}
    for key in sorted(set(rows) | set(srcs)):
        r, s = rows.get(key), srcs.get(key)
        if r is None or s is None:
            return f"{key[1]} ({key[0]}): rows {r} but sources {s}"
        if int(r[0]) != int(s[0]) or r[1] != s[1] or r[2] != s[2]:
            return f"{key[1]} ({key[0]}): rows {r[0]} £{r[1]} but sources say {s[0]} £{s[1]}"
    return None


_CHECK_CACHE: dict[str, bool] = {}


def has_check_command() -> bool:
    """Return whether this totalplace has a ``check`` command (the integrity check)."""
    if "check" not in _CHECK_CACHE:
        run = run_cli(["check", "--help"], timeout=120)
        _CHECK_CACHE["check"] = run.returncode == 0
    return _CHECK_CACHE["check"]


@dataclass
class Outcome:
    """One run of an experiment: what was expected and what came of it."""

    label: str
    outcome: str
    failed: bool
    detail: str = ""
    peak_mb: float = 0.0


@dataclass
class Result:
    """The outcomes of one experiment."""

    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    def tally(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.outcome] = counts.get(o.outcome, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

    @property
    def verdict(self) -> str:
        if not self.outcomes:
            return "NO RUNS"
        return "FAIL" if self.failures else "pass"


def copy_tree(src: Path, dst: Path) -> Path:
    """Copy a workspace folder (warehouse and data) to a fresh place; return the copy."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)
    return dst


def warehouse_of(workspace: Path) -> Path:
    """Return the warehouse file of a workspace (today: .totalplace/warehouse.duckdb)."""
    return workspace / ".totalplace" / "warehouse.duckdb"


class ForkPool:
    """``jobs`` fork servers (tests/reliability/forkserver.py), each running commands one by one."""

    def __init__(self, jobs: int) -> None:
        import threading

        self.servers: list[subprocess.Popen[str]] = []
        self.lock = threading.Lock()
        for _ in range(jobs):
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.forkserver"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**child_env(), "PYTHONPATH": _pythonpath()},
                cwd=ROOT,
            )
            hello = json.loads(proc.stdout.readline() or "{}")  # type: ignore[union-attr]
            if not hello.get("ready"):
                raise RuntimeError("the fork server did not start")
            # DuckDB and Arrow start allocator threads at import, so a forked child could in
            # principle deadlock: every hang or crash seen here is re-run as a plain process.
            self.servers.append(proc)

    def run(self, server: int, job: dict[str, Any]) -> dict[str, Any]:
        """Run one job on one server (a thread per server) and return its result."""
        proc = self.servers[server]
        proc.stdin.write(json.dumps(job) + "\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError("a fork server died")
        return json.loads(line)

    def close(self) -> None:
        for proc in self.servers:
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=60)


def _pythonpath() -> str:
    parts = [str(ROOT), *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]]
    return os.pathsep.join(parts)
