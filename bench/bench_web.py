"""The web service under load on loopback: p50/p95 of the overview, a drill-down and the resident page.

Run from the repository root::

    .venv/bin/python bench/bench_web.py [--users 50] [--seconds 30] [--wait 1.0] [--drill PATH]

1. **The place.** A counted copy of examples/hyndburn (import, classify, count,
   opportunities, count by ward) is built once in ``bench/out/web-hyndburn`` (delete the
   folder to rebuild); a fresh app-state SQLite database with the demo accounts each run.
2. **The server.** The app (``totalplace.web.create_app``) under uvicorn, one worker, in a
   child process listening on 127.0.0.1 only (a port the child binds and reports).
3. **The load.** ``--users`` concurrent virtual users (asyncio + httpx in this process;
   locust's gevent does not share a process with anything else well), each signed in as
   the board member (one sign-in shared: argon2 is slow by design and sign-ins are
   throttled), for ``--seconds``: each user asks for the pages in turn, waiting a uniform
   0.5-1.5 x ``--wait`` seconds between requests (like locust's ``between``). At most
   ``--max-requests`` requests in all. Traffic goes only to 127.0.0.1.
4. **The baseline**, measured in the same run and mix: ``/api/v1/health``, the framework's
   floor (routing, middleware, sessions; no warehouse read).

The drill-down is the first overview link whose address contains "drill" unless
``--drill`` names one. Prints count, errors, p50/p95/p99 per page, each p95 against the
baseline's, and the aim (p95 < 200 ms); ``bench/out/web.json`` keeps the figures. Nothing
asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from totalplace.web import Settings, create_app  # noqa: E402
from totalplace.web.demo import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: E402

OUT = ROOT / "bench" / "out"
EXAMPLE = ROOT / "examples" / "hyndburn"
HOST = "127.0.0.1"
BOARD = "board@example.org"
AIM_P95_MS = 200.0
BASELINE = ("baseline (health)", "/api/v1/health")


def build_workspace(root: Path) -> Path:
    """Return ``root``, a counted copy of the example place with its count by ward (built once)."""
    done = root / ".bench-built"
    if done.exists():
        return root
    from totalplace.classify import classify
    from totalplace.count import count
    from totalplace.ingest import import_files
    from totalplace.needs import count_by_ward
    from totalplace.opportunities import opportunities
    from totalplace.workspace import open_workspace

    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(EXAMPLE, root)
    ws = open_workspace(root)
    for partner in ws.partners:
        import_files(ws, partner.name, ws.source_files(partner))
    classify(ws)
    count(ws)
    opportunities(ws)
    count_by_ward(ws)
    done.write_text("built\n", encoding="utf-8")
    return root


def serve(workspace: Path, database: Path) -> None:
    """Child process: run the app on a free loopback port; print the port, then serve until SIGINT."""
    import uvicorn

    app = create_app(
        Settings(
            workspace=workspace,
            database_url=f"sqlite:///{database}",
            secret_key="bench-web-secret-key-not-for-production",
            demo=True,
        )
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, host=HOST, log_level="warning", access_log=False)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C after a clean stop
        uvicorn.Server(config).run(sockets=[sock])


def start_server(workspace: Path, database: Path) -> tuple[subprocess.Popen[str], str]:
    """Start the child server; return it and its base URL once it answers."""
    import httpx

    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(workspace), str(database)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    if not line.isdigit():
        child.kill()
        raise SystemExit(f"the web app did not start (said {line!r})")
    base = f"http://{HOST}:{line}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/sign-in", timeout=2).status_code == 200:
                return child, base
        except httpx.TransportError:
            pass
        if child.poll() is not None:
            raise SystemExit(f"the web app exited ({child.returncode})")
        time.sleep(0.2)
    stop_server(child)
    raise SystemExit("the web app did not answer /sign-in within 60 s")


def stop_server(child: subprocess.Popen[str]) -> None:
    """Stop the child as Ctrl-C would; kill it if it has not gone in 10 s."""
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def sign_in(base: str, email: str, password: str) -> dict[str, str]:
    """Return the session cookies of ``email`` signed in through the sign-in form."""
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/sign-in")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', form.text
        )
        if token is None:
            raise SystemExit("no csrf_token on /sign-in")
        answer = client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token.group(1)}
        )
        if answer.status_code not in (302, 303):
            raise SystemExit(f"sign-in as {email}: {answer.status_code}")
        # Explicit values, so a cookie marked Secure still goes back over plain loopback HTTP.
        return {cookie.name: cookie.value or "" for cookie in client.cookies.jar}


def find_drill(base: str, cookies: dict[str, str]) -> str | None:
    """Return the first link on the overview whose address contains "drill", or None."""
    import httpx

    page = httpx.get(base + "/", cookies=cookies, timeout=30)
    for href in re.findall(r'href="([^"#]+)"', page.text):
        if "drill" in href and href.startswith("/"):
            return href.replace("&amp;", "&")
    return None


async def load(
    base: str,
    cookies: dict[str, str],
    pages: list[tuple[str, str]],
    users: int,
    seconds: float,
    wait: float,
    max_requests: int,
) -> dict[str, list[tuple[float, int]]]:
    """Run ``users`` virtual users for ``seconds``; return (milliseconds, status) per page name."""
    import httpx

    timings: dict[str, list[tuple[float, int]]] = {name: [] for name, _ in pages}
    sent = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)

    async def user(client: httpx.AsyncClient, number: int) -> None:
        nonlocal sent
        rng = random.Random(number)
        turn = number  # users start at different pages
        await asyncio.sleep(rng.uniform(0, wait))  # ramp up rather than one burst
        while time.monotonic() < deadline and sent < max_requests:
            name, path = pages[turn % len(pages)]
            turn += 1
            sent += 1
            started = time.perf_counter()
            try:
                status = (await client.get(path)).status_code
            except httpx.HTTPError:
                status = 0
            timings[name].append(((time.perf_counter() - started) * 1000, status))
            await asyncio.sleep(rng.uniform(0.5 * wait, 1.5 * wait))

    async with httpx.AsyncClient(
        base_url=base, cookies=cookies, timeout=10, limits=limits
    ) as client:
        await asyncio.gather(*(user(client, n) for n in range(users)))
    return timings


def percentile(values: list[float], share: float) -> float | None:
    """Return the nearest-rank percentile of ``values`` (``share`` in 0..1) to 0.1 ms; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))], 1)


def summarise(timings: dict[str, list[tuple[float, int]]], seconds: float) -> list[dict[str, Any]]:
    """Return one row per page: requests, errors, p50/p95/p99/max in ms, requests per second."""
    rows = []
    for name, samples in timings.items():
        ok = [ms for ms, status in samples if status == 200]
        rows.append(
            {
                "page": name,
                "requests": len(samples),
                "errors": len(samples) - len(ok),
                "error_statuses": dict(Counter(s for _, s in samples if s != 200)),
                "p50_ms": percentile(ok, 0.50),
                "p95_ms": percentile(ok, 0.95),
                "p99_ms": percentile(ok, 0.99),
                "max_ms": round(max(ok), 1) if ok else None,
                "per_second": round(len(samples) / seconds, 1),
            }
        )
    return rows


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    """Build the place, serve it, load it, print and write the figures; return the exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--wait", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--drill", help="the drill-down path (default: found on the overview)")
    parser.add_argument(
        "--serve", nargs=2, metavar=("WORKSPACE", "DATABASE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.serve:
        serve(Path(args.serve[0]), Path(args.serve[1]))
        return 0

    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 130)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    workspace = build_workspace(OUT / "web-hyndburn")
    console.print(f"workspace {workspace} ready in {time.perf_counter() - started:.1f} s")
    database = OUT / "web-app.db"
    database.unlink(missing_ok=True)
    child, base = start_server(workspace, database)
    try:
        assert BOARD in DEMO_ACCOUNTS
        cookies = sign_in(base, BOARD, DEMO_PASSWORD)
        drill = args.drill or find_drill(base, cookies)
        pages = [("overview", "/"), ("residents", "/residents"), BASELINE]
        if drill:
            pages.insert(1, ("drill-down", drill))
        else:
            console.print("[yellow]No drill-down link on the overview; pass --drill PATH.[/]")
        console.print(f"{args.users} users for {args.seconds:g} s on {base}")
        timings = asyncio.run(
            load(base, cookies, pages, args.users, args.seconds, args.wait, args.max_requests)
        )
    finally:
        stop_server(child)
    rows = summarise(timings, args.seconds)
    floor = next(row["p95_ms"] for row in rows if row["page"] == BASELINE[0])
    table = Table(title=f"Web pages at {args.users} concurrent users (loopback, 1 uvicorn worker)")
    for column in ("page", "path", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column in ("page", "path") else "right")
    table.add_column("p95 / baseline", justify="right")
    table.add_column(f"p95 < {AIM_P95_MS:g} ms")
    paths = dict(pages)
    for row in rows:
        row["path"] = paths[row["page"]]
        p95 = row["p95_ms"]
        row["p95_vs_baseline"] = round(p95 / floor, 2) if floor and p95 is not None else None
        row["aim_met"] = row["errors"] == 0 and p95 is not None and p95 < AIM_P95_MS
        table.add_row(
            row["page"],
            row["path"],
            str(row["requests"]),
            str(row["errors"])
            + "".join(
                f" ({n} x {code or 'no answer'})" for code, n in row["error_statuses"].items()
            ),
            _ms(row["p50_ms"]),
            _ms(row["p95_ms"]),
            _ms(row["p99_ms"]),
            _ms(row["max_ms"]),
            f"{row['p95_vs_baseline']:.2f}" if row["p95_vs_baseline"] else "-",
            "[green]met[/]" if row["aim_met"] else "[red]missed[/]",
        )
    console.print(table)
    console.print(f"[dim]Aim: p95 < {AIM_P95_MS:g} ms on every page, no errors.[/]")
    report = {
        "users": args.users,
        "seconds": args.seconds,
        "wait_mean_s": args.wait,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "pages": rows,
    }
    (OUT / "web.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    console.print(f"[dim]Wrote {OUT / 'web.json'}[/]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
