"""Run many ``totalplace`` commands quickly: load the command once, fork one child per command.

Each child is a separate process running the installed console-script entry point with its
own argv, working folder, stdout/stderr files, process group and address-space limit; the
server waits for it with ``wait4`` (peak RSS), kills its group past the time limit, then
forks a second child to read the warehouse read-only (a damaged file kills only that child).
Jobs and results are JSON lines on stdin/stdout. Used by the fuzz experiment, where starting
Python and the package 1,000 times would cost more than the imports themselves.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import resource
import signal
import sys
import time
import traceback
from typing import Any


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def _entry_point() -> Any:
    from importlib.metadata import entry_points

    found = list(entry_points(group="console_scripts", name="totalplace"))
    if found:
        return found[0].load()
    from totalplace.cli import app

    return app


def _child_command(func: Any, job: dict[str, Any]) -> None:
    """In the forked child: become the command; never return."""
    code = 1
    try:
        os.setsid()
        limit = job["address_limit_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        devnull = os.open(os.devnull, os.O_RDONLY)
        out = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.chdir(job["cwd"])
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = ["totalplace", *job["args"]]
        try:
            result = func()
            code = result if isinstance(result, int) else 0
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:
            # What the interpreter prints for an uncaught exception.
            traceback.print_exc()
            code = 1
        try:
            atexit._run_exitfuncs()
            gc.collect()
        except BaseException:
            traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _child_reader(job: dict[str, Any]) -> None:
    """In a forked child: read the warehouse read-only into a JSON file; never return."""
    code = 0
    try:
        os.setsid()
        from tests.reliability.harness import READER_SOURCE

        sys.argv = ["reader", job["read"]["warehouse"], job["read"].get("partner") or ""]
        out = os.open(job["read"]["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
        exec(compile(READER_SOURCE, "reader", "exec"), {"__name__": "__main__"})
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        os._exit(code)


def _wait(pid: int, timeout: float) -> tuple[int, int, bool]:
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage.ru_maxrss, False
        if time.monotonic() > deadline:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage.ru_maxrss, True
        time.sleep(delay)
        delay = min(delay * 1.5, 0.05)


def run_job(func: Any, job: dict[str, Any]) -> dict[str, Any]:
    """Run one command child (and the warehouse reader after it); return what happened."""
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child_command(func, job)
    status, rss_kb, timed_out = _wait(pid, job["timeout"])
    seconds = time.monotonic() - started
    # Workers the command left behind in its group are not waited for; end them.
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    result: dict[str, Any] = {
        "seconds": seconds,
        "timed_out": timed_out,
        "peak_rss_kb": rss_kb,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "returncode": None
        if timed_out
        else (-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)),
    }
    # No warehouse file: nothing was stored (a fresh workspace), so there is nothing to read.
    if job.get("read") and os.path.exists(job["read"]["warehouse"]):
        reader = os.fork()
        if reader == 0:
            _child_reader(job)
        read_status, _, read_timeout = _wait(reader, 120)
        result["read_ok"] = not read_timeout and os.WIFEXITED(read_status)
    return result


def main() -> None:
    """Serve jobs from stdin until it closes."""
    func = _entry_point()
    # The import command loads its stage and the Ibis DuckDB backend lazily: load them once
    # here (if they are there) rather than in every child.
    modules = ("totalplace.ingest", "totalplace.warehouse", "ibis.backends.duckdb", "duckdb")
    # What an import loads on first use (found by diffing sys.modules around one run).
    lazy = ("pandas", "pydantic", "numpy.random", "dateutil", "zoneinfo", "_strptime", "tarfile")
    for module in (*modules, *lazy, "tests.reliability.harness"):
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    threads = _threads()
    sys.stdout.write(json.dumps({"ready": True, "threads": threads}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            result = run_job(func, job)
        except Exception as exc:  # the server itself must keep going
            result = {"server_error": f"{type(exc).__name__}: {exc}"}
        result["id"] = job["id"]
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
