"""Experiment 3: fuzzed and hostile files, each imported in a fresh workspace.

Every run must end without a traceback, within the time limit, under the memory bound;
a loaded file must reconcile (loaded + quarantined = read, and the warehouse holds what
the report says), and for files whose original rows are known, every loaded row must carry
an (id, amount) pair of the original file: anything else is a silent value shift.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

from tests.reliability import hostile as h
from tests.reliability.harness import (
    ADDRESS_LIMIT_MB,
    EXAMPLE,
    MEMORY_BOUND_MB,
    REALDATA,
    TIME_LIMIT_S,
    ForkPool,
    Outcome,
    Result,
    has_traceback,
    run_cli,
)

PARTNER = "Fuzz Council"
SLUG = "fuzz-council"


def hostile_cases(root: Path, rng: random.Random, costly: bool = True) -> list[h.Case]:
    """Return the fixed hostile cases, written under ``root`` (one folder each)."""
    cases = _hostile_cases(root, rng, costly)
    if not costly:
        for case in cases:
            if case.kind in COSTLY:
                shutil.rmtree(case.folder, ignore_errors=True)  # type: ignore[arg-type]
        cases = [c for c in cases if c.kind not in COSTLY]
    return cases


def _hostile_cases(root: Path, rng: random.Random, costly: bool) -> list[h.Case]:
    cases: list[h.Case] = []

    def folder(name: str) -> Path:
        d = root / f"hostile-{len(cases):03d}"
        (d / "data").mkdir(parents=True, exist_ok=True)
        return d

    def add(name: str, kind: str, path: str, **kw: Any) -> None:
        cases.append(h.Case(name, kind, path, folder=root / f"hostile-{len(cases):03d}", **kw))

    rows = h.ledger_rows(rng, 50, "HX")
    good = h.csv_text(rows).encode()

    scale = 1.0 if costly else 0.01  # the quick subset leaves the bombs out: build them small
    d = folder("bomb")
    h.csv_bomb(d / "data" / "bomb.zip", 3.5 * scale)
    add("zip bomb, 3.5 GB of CSV", "zip bomb", "data/bomb.zip")
    d = folder("lying bomb")
    h.csv_bomb(d / "data" / "lying.zip", 2.0 * scale, declared=1000)
    add("zip bomb declaring 1 KB", "zip bomb", "data/lying.zip")
    d = folder("xlsx bomb")
    h.xlsx_bomb(d / "data" / "bomb.xlsx", 3.0 * scale)
    add("XLSX bomb, 3 GB sheet XML", "xlsx bomb", "data/bomb.xlsx")
    d = folder("huge dimension")
    h.write_xlsx(d / "data" / "huge.xlsx", h.sheet_xml([h.HEADER, *rows], "A1:Z2000000000"))
    add("XLSX declaring A1:Z2000000000", "xlsx dimension", "data/huge.xlsx")
    d = folder("far cell")
    far = '<row r="2000000000"><c r="Z2000000000"><v>1</v></c></row>'
    h.write_xlsx(d / "data" / "far.xlsx", h.sheet_xml([h.HEADER, *rows], None, far))
    add("XLSX with a cell at Z2000000000", "xlsx dimension", "data/far.xlsx")
    d = folder("laughs")
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    h.write_xlsx(
        d / "data" / "laughs.xlsx", h.sheet_xml([h.HEADER, *rows]), {"xl/sharedStrings.xml": laughs}
    )
    add("XLSX with billion laughs", "xml entities", "data/laughs.xlsx")
    for depth in (5, 1200):
        d = folder("nested")
        h.nested_zip(d / "data" / f"nested{depth}.zip", depth, good)
        add(f"{depth} nested ZIPs", "nested zips", f"data/nested{depth}.zip")
    d = folder("members")
    h.zip_of(d / "data" / "many.zip", {f"m{i}.csv": b"a,b\n1,2\n" for i in range(6000)})
    add("ZIP of 6,000 members", "zip members", "data/many.zip")
    for columns in (990, 1200):
        d = folder("wide")
        header = [*h.HEADER, *[f"Extra {i}" for i in range(columns - len(h.HEADER))]]
        wide = [[*r, *["x"] * (columns - len(r))] for r in rows]
        (d / "data" / f"wide{columns}.csv").write_text(h.csv_text(wide, header))
        add(
            f"CSV of {columns} columns",
            "wide",
            f"data/wide{columns}.csv",
            pairs=h.pairs_of(rows),
            rows=len(rows),
        )
    d = folder("one line")
    (d / "data" / "oneline.csv").write_bytes(b"a," * 5_000_000)
    add("10 MB without a line break", "huge line", "data/oneline.csv")
    for device in ("/dev/zero", "/dev/urandom"):
        folder("device")
        add(f"{device} as the file", "device", device)
    d = folder("fifo")
    h.make_fifo(d / "data" / "pipe.csv")
    add("a FIFO named pipe.csv", "fifo", "data/pipe.csv")
    d = folder("socket")
    h.make_socket(d / "data" / "sock.csv")
    add("a socket named sock.csv", "socket", "data/sock.csv")
    d = folder("dir")
    (d / "data" / "folder.csv").mkdir()
    add("a folder named folder.csv", "directory", "data/folder.csv")
    d = folder("loop")
    (d / "data" / "a.csv").symlink_to("b.csv")
    (d / "data" / "b.csv").symlink_to("a.csv")
    add("symlink loop a.csv -> b.csv -> a.csv", "symlink loop", "data/a.csv")
    d = folder("zero link")
    (d / "data" / "zero.csv").symlink_to("/dev/zero")
    add("symlink zero.csv -> /dev/zero", "symlink device", "data/zero.csv")
    d = folder("dangling")
    (d / "data" / "gone.csv").symlink_to("nowhere.csv")
    add("dangling symlink", "symlink", "data/gone.csv")
    d = folder("empty")
    (d / "data" / "empty.csv").write_bytes(b"")
    add("empty file", "empty", "data/empty.csv")
    d = folder("random")
    (d / "data" / "random.csv").write_bytes(random.Random(7).randbytes(5_000_000))
    add("5 MB of random bytes named .csv", "random bytes", "data/random.csv")
    d = folder("text xlsx")
    (d / "data" / "text.xlsx").write_bytes(good)
    add(
        "CSV text named .xlsx", "misnamed", "data/text.xlsx", pairs=h.pairs_of(rows), rows=len(rows)
    )
    d = folder("xlsx csv")
    h.write_xlsx(d / "data" / "sheet.csv", h.sheet_xml([h.HEADER, *rows]))
    add("XLSX named .csv", "misnamed", "data/sheet.csv")
    for name in ("\x1b[2J\x1b]0;pwned\x07clear.csv", "bell\x07\x1b[31mred.csv", "cr\rname.csv"):
        d = folder("escape")
        (d / "data" / name).write_bytes(good)
        add(
            f"name with control characters {name!r}",
            "escape name",
            f"data/{name}",
            pairs=h.pairs_of(rows),
            human=True,
        )
    # On disk a name cannot hold '/': "[/x].csv" goes inside a ZIP below.
    for name in ("markup[bold red]x.csv", "[red]x.csv", "[link=x.example]y.csv"):
        d = folder("markup")
        (d / "data" / name).write_bytes(good)
        add(
            f"name with Rich markup {name!r}",
            "markup name",
            f"data/{name}",
            pairs=h.pairs_of(rows),
            human=True,
            echo=name,
        )
    for name in ("[/x].csv", "markup[bold red]x.csv", "../../escaped.csv"):
        d = folder("zip markup")
        h.zip_of(d / "data" / "members.zip", {name: good})
        add(
            f"ZIP member named {name!r}",
            "zip member name",
            "data/members.zip",
            human=True,
            echo=name if "[" in name else None,
        )
    d = folder("formulas")
    payload_rows = h.ledger_rows(rng, 60, "FX", h.FORMULAS)
    (d / "data" / "formulas.csv").write_text(h.csv_text(payload_rows))
    add(
        "formula payloads as payee names",
        "formulas",
        "data/formulas.csv",
        pairs=h.pairs_of(payload_rows),
        rows=len(payload_rows),
    )
    d = folder("formulas xlsx")
    h.write_xlsx(d / "data" / "formulas.xlsx", h.sheet_xml([h.HEADER, *payload_rows]))
    add(
        "formula payloads in an XLSX",
        "formulas",
        "data/formulas.xlsx",
        pairs=h.pairs_of(payload_rows),
        rows=len(payload_rows),
    )
    d = folder("long name")
    long_name = "n" * 240 + ".csv"
    (d / "data" / long_name).write_bytes(good)
    add(
        "a 244-character name",
        "long name",
        f"data/{long_name}",
        pairs=h.pairs_of(rows),
        rows=len(rows),
    )
    return cases


def _real_files() -> list[Path]:
    files = sorted((EXAMPLE / "data" / "hyndburn_bc").glob("*.csv"))[:3]
    files += sorted((EXAMPLE / "data").glob("*/*.xlsx"))
    oxford = REALDATA / "oxford_city_council"
    if oxford.exists():
        files += sorted(oxford.glob("*.csv"))[:3]
    return files


def mutation_cases(root: Path, rng: random.Random, count: int, start: int) -> list[h.Case]:
    """Return ``count`` mutated files: of synthetic ledgers (values known) and of real files."""
    cases: list[h.Case] = []
    real = _real_files()
    for n in range(count):
        d = root / f"mutant-{start + n:04d}"
        (d / "data").mkdir(parents=True, exist_ok=True)
        pick = rng.random()
        if pick < 0.7:  # a synthetic ledger: every original (id, amount) is known
            rows = h.ledger_rows(rng, rng.randint(20, 400), f"T{n}X")
            text = h.csv_text(rows)
            names = rng.sample(sorted(h.TEXT_MUTATIONS), rng.choice([1, 1, 1, 2, 3]))
            for name in names:
                text = h.TEXT_MUTATIONS[name](text, rng)
            encoding = rng.choice(h.ENCODINGS) if rng.random() < 0.3 else "utf-8"
            data = h.encode(text, encoding)
            kind = "+".join(names) + ("" if encoding == "utf-8" else f" in {encoding}")
            pairs: set[tuple[str, str]] | None = h.pairs_of(rows)
            written = len(rows) if set(names) <= h.KEEPS_ROWS else None
            if rng.random() < 0.1:
                data, kind, pairs = h.flip_bytes(data, rng), kind + "+byte flips", None
                written = None
            elif rng.random() < 0.05:
                data, kind, pairs = h.insert_nul(data, rng), kind + "+NUL bytes", None
                written = None
            path = d / "data" / "ledger.csv"
            path.write_bytes(data)
            cases.append(
                h.Case(
                    f"synthetic {n}: {kind}",
                    "synthetic: " + names[0],
                    "data/ledger.csv",
                    pairs,
                    folder=d,
                    rows=written,
                )
            )
        elif pick < 0.85 and any(p.suffix == ".xlsx" for p in real):
            source = rng.choice([p for p in real if p.suffix == ".xlsx"])
            data = h.mutate_zip_member(source.read_bytes(), rng)
            if rng.random() < 0.3:
                data = h.flip_bytes(data, rng)
            (d / "data" / source.name).write_bytes(data)
            cases.append(
                h.Case(
                    f"real XLSX {n}: {source.name}", "real xlsx", f"data/{source.name}", folder=d
                )
            )
        else:
            source = rng.choice([p for p in real if p.suffix == ".csv"])
            raw = source.read_bytes()
            lines = raw.split(b"\n")
            raw = b"\n".join(lines[: rng.randint(30, 600)])
            text = raw.decode("cp1252", errors="replace")
            name = rng.choice(sorted(h.TEXT_MUTATIONS))
            text = h.TEXT_MUTATIONS[name](text.replace("\n", "\r\n").replace("\r\r", "\r"), rng)
            data = h.encode(text, rng.choice(h.ENCODINGS))
            if rng.random() < 0.3:
                data = h.flip_bytes(data, rng)
            (d / "data" / source.name).write_bytes(data)
            cases.append(
                h.Case(
                    f"real CSV {n}: {source.name} {name}",
                    "real csv: " + name,
                    f"data/{source.name}",
                    folder=d,
                )
            )
    return cases


def _classify(case: h.Case, ws: Path, run: dict[str, Any]) -> Outcome:
    stdout = (ws / "stdout.txt").read_text("utf-8", "replace")
    stderr = (ws / "stderr.txt").read_text("utf-8", "replace")
    reading: dict[str, Any] = {}
    if (ws / "reading.json").exists():
        try:
            reading = json.loads((ws / "reading.json").read_text() or "{}")
        except ValueError:
            reading = {}
    label = f"{case.name} [{case.path!r}]"
    peak = run.get("peak_rss_kb", 0) / 1024

    def fail(outcome: str, detail: str) -> Outcome:
        return Outcome(label, outcome, True, detail, peak_mb=peak)

    if run.get("server_error"):
        return fail("harness error", run["server_error"])
    if run["timed_out"]:
        return fail("hang", f"still running after {TIME_LIMIT_S:.0f} s; peak {peak:.0f} MB")
    if has_traceback(stdout, stderr) or "MemoryError" in stderr:
        last = [line for line in stderr.splitlines() if line.strip()][-1:] or [""]
        kind = "memory" if "MemoryError" in stderr or "memory" in last[0].lower() else "traceback"
        return fail(kind, f"exit {run['returncode']}; {last[0][:200]}; peak {peak:.0f} MB")
    if run["signal"]:
        return fail(
            "crash",
            f"killed by signal {run['signal']}; peak {peak:.0f} MB; {stderr.strip()[-160:]}",
        )
    if peak > MEMORY_BOUND_MB:
        return fail("memory", f"peak {peak:.0f} MB over the {MEMORY_BOUND_MB} MB bound")
    if "\x1b" in stdout + stderr or "\x07" in stdout + stderr:
        return fail(
            "raw control characters", "the output echoes escape/bell characters from a name"
        )
    if case.echo and case.echo not in stdout + stderr:
        stripped = re.sub(r"\[[^\]]*\]", "", case.echo)
        if stripped in stdout + stderr:
            return fail("markup swallowed", f"{case.echo!r} printed as {stripped!r}")
    loaded = [row for row in reading.get("transactions", []) if row[0] == SLUG]
    rows_in_warehouse = sum(int(row[2]) for row in loaded)
    if run["returncode"] != 0:
        message = (stderr + stdout).strip()
        if not message:
            return fail("error without a message", f"exit {run['returncode']}")
        if rows_in_warehouse:
            return fail(
                "error but stored", f"exit {run['returncode']} with {rows_in_warehouse} rows stored"
            )
        shown = (stderr.strip() or stdout.strip()).splitlines()
        return Outcome(label, "refused with a message", False, shown[-1][:160] if shown else "")
    if "error" in reading or not run.get("read_ok", True):
        return fail("warehouse unreadable", str(reading.get("error", "the reader died")))
    if not case.human:
        try:
            report = json.loads(stdout)
        except ValueError:
            return fail("bad --json output", stdout[:160])
        sheets = report.get("files", [])
        for sheet in sheets:
            if sheet["rows_loaded"] + sheet["rows_quarantined"] != sheet["rows_read"]:
                return fail(
                    "unreconciled",
                    f"{sheet['file']}: read {sheet['rows_read']} but loaded {sheet['rows_loaded']} "
                    f"+ quarantined {sheet['rows_quarantined']}",
                )
        accounted = sum(s["rows_loaded"] + s["rows_quarantined"] for s in sheets)
        if case.rows is not None and accounted != case.rows:
            # Against the rows the generator wrote, not the parser's own count of them.
            return fail(
                "rows lost",
                f"the file has {case.rows} data rows but {accounted} were loaded or quarantined",
            )
        reported = sum(s["rows_loaded"] for s in sheets if s["status"] in ("loaded", "replaced"))
        if reported != rows_in_warehouse:
            return fail(
                "unreconciled",
                f"report says {reported} rows loaded, warehouse holds {rows_in_warehouse}",
            )
    if case.pairs is not None:
        # A stray quote inside an unquoted id is kept literally: the same id, not a shift.
        known = {(i.replace('"', ""), a) for i, a in case.pairs}
        strange = [
            (i, a)
            for i, a in reading.get("pairs", [])
            if (str(i).strip().replace('"', ""), a) not in known
        ]
        if strange:
            return fail(
                "silent value shift",
                f"{len(strange)} loaded row(s) with an (id, amount) no original row had, e.g. {strange[:2]}",
            )
    return Outcome(label, "loaded" if rows_in_warehouse else "loaded nothing", False)


# Hostile kinds that cost seconds to build or, on a tool that does not bound them, a minute
# and gigabytes to run: left out of the quick subset (kept in the full run).
COSTLY = {
    "zip bomb",
    "xlsx bomb",
    "device",
    "fifo",
    "symlink device",
    "xlsx dimension",
    "huge line",
}


def run_fuzz(
    work: Path, count: int, jobs: int, seed: int, fork: bool = True, costly: bool = True
) -> Result:
    """Experiment 3: ``count`` files (the hostile set plus mutations) each in a fresh workspace."""
    result = Result("fuzzed and hostile files")
    started = time.monotonic()
    rng = random.Random(seed)
    root = work / "fuzz"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    template = root / "template"
    init = run_cli(["init", str(template), "--place", "E07000120"], timeout=300)
    if init.returncode != 0:
        result.add(Outcome("init", "harness error", True, init.brief()))
        return result
    cases = hostile_cases(root, rng, costly)
    for extra in cases[count:]:
        shutil.rmtree(extra.folder, ignore_errors=True)  # type: ignore[arg-type]
    cases = cases[:count]
    cases += mutation_cases(root, rng, max(0, count - len(cases)), len(cases))
    queue: Queue[tuple[h.Case, Path]] = Queue()
    for case in cases:
        folder = case.folder
        assert folder is not None
        shutil.copy2(template / "place.toml", folder / "place.toml")
        (folder / ".totalplace").mkdir(exist_ok=True)
        queue.put((case, folder))
    pool = ForkPool(jobs) if fork else None
    lock = threading.Lock()

    def worker(server: int) -> None:
        while True:
            try:
                case, ws = queue.get_nowait()
            except Empty:
                return
            outcome = run_case(pool, server, case, ws)
            if pool is not None and (
                outcome.outcome == "crash" or outcome.outcome == "hang" and outcome.peak_mb < 400
            ):
                # A forked child could deadlock on a lock another thread held at fork time
                # (it would hang small, at once): such a hang or crash counts only if a plain
                # process does the same.
                outcome = run_case(None, server, case, ws)
            with lock:
                result.add(outcome)
            if not outcome.failed:
                shutil.rmtree(ws, ignore_errors=True)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if pool is not None:
        pool.close()
    result.seconds = time.monotonic() - started
    result.note = f"time limit {TIME_LIMIT_S:.0f} s, memory bound {MEMORY_BOUND_MB} MB peak RSS (hard limit {ADDRESS_LIMIT_MB} MB address space)"
    return result


def run_case(pool: ForkPool | None, server: int, case: h.Case, ws: Path) -> Outcome:
    """Import one case in its workspace (forked, or as a plain process) and classify it."""
    args = ["import", "--partner", PARTNER, case.path]
    if not case.human:
        args.insert(1, "--json")
    if (ws / ".totalplace").exists():
        for stale in (ws / ".totalplace").iterdir():
            if stale.is_file():
                stale.unlink()
    warehouse = ws / ".totalplace" / "warehouse.duckdb"
    if pool is not None:
        job = {
            "id": 0,
            "args": args,
            "cwd": str(ws),
            "stdout": str(ws / "stdout.txt"),
            "stderr": str(ws / "stderr.txt"),
            "timeout": TIME_LIMIT_S,
            "address_limit_mb": ADDRESS_LIMIT_MB,
            "read": {"warehouse": str(warehouse), "partner": SLUG, "out": str(ws / "reading.json")},
        }
        run = pool.run(server, job)
        if not warehouse.exists():
            (ws / "reading.json").write_text("{}")
    else:
        from tests.reliability.harness import read_warehouse

        done = run_cli(args, cwd=ws)
        (ws / "stdout.txt").write_text(done.stdout)
        (ws / "stderr.txt").write_text(done.stderr)
        (ws / "reading.json").write_text(
            json.dumps(read_warehouse(warehouse, SLUG) if warehouse.exists() else {})
        )
        run = {
            "timed_out": done.timed_out,
            "returncode": done.returncode,
            "signal": done.signal,
            "peak_rss_kb": done.peak_rss_mb * 1024,
            "read_ok": True,
        }
    return _classify(case, ws, run)
