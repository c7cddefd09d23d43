"""Import throughput, as ratios against baselines measured in the same run on the same bytes.

Run from the repository root::

    .venv/bin/python bench/bench_import.py [--realdata DIR] [--rows N] [--runs 3]

For each dataset it measures, best of ``--runs`` runs (wall clock, ``time.perf_counter``):

* **ours**: a fresh workspace (``init_workspace`` + ``open_workspace``, not timed), then
  ``totalplace.ingest.import_files`` per partner (parse, clean, validate, store) and
  ``totalplace.classify.classify`` if that module exists yet;
* **DuckDB bare read**: ``SELECT count(*) FROM read_csv(..., all_varchar=true, header=true)``
  for each CSV; for XLSX (DuckDB has no built-in reader) a bare ``python_calamine``
  ``to_python()`` of every sheet;
* **pandas script**: what a careful analyst would write: ``read_csv(dtype=str)`` /
  ``read_excel(engine="calamine", sheet_name=None, dtype=str)``, find the header row, strip
  ``£``/commas/spaces, bracketed and trailing-minus negatives, amounts rounded to 2 dp,
  ``to_datetime(dayfirst=True, errors="coerce")``, drop blank rows, flag redacted suppliers,
  and write one DuckDB table.

Datasets: the real Lancashire set (Hyndburn CSVs, fire and police XLSX: three partners), a
CSV of >= N rows made by repeating the data rows of Trafford's 2024-25 supplier spend
(UTF-8, ISO dates), and one made from Leeds 2020-06 (Windows-1252, dd/mm/yyyy dates).

Each method runs in its own Python process per dataset, set up once (imports, file
checks: not timed) and then asked for one run at a time; the runs of the three methods are
interleaved in rotating order, so background load hits all three alike, and each process's
peak RSS can be reported. Wall-clock and CPU time (all threads) are both recorded; the aims
are judged on wall clock. Nothing here asserts on time: it prints Rich tables and writes
``bench/out/import.json`` (and ``import.txt``); ``bench/out/import_profile.txt`` holds a
cProfile of our import of the Trafford-based file. See docs/decisions/0003-benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import io
import json
import math
import os
import platform
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DEFAULT_REALDATA = Path(os.environ.get("TOTALPLACE_REALDATA", ROOT.parent / "shared" / "realdata"))
PLACE_CODE = "E07000120"  # Hyndburn: the workspace each run of ours creates

AIM_DUCKDB = 3.0  # ours must take at most 3x DuckDB's bare read of the same bytes
AIM_PANDAS = 1.0  # ours must take less time than the pandas script

LANCASHIRE_PARTNERS = {
    "Hyndburn Borough Council": "hyndburn_bc/*.csv",
    "Lancashire Fire and Rescue Service": "lancashire_fire/*.xlsx",
    "Lancashire Police and Crime Commissioner": "lancashire_pcc/*.xlsx",
}
TRAFFORD_ZIP = "trafford_council/trafford-supplier-spend-2024-25.zip"
LEEDS_CP1252 = "leeds_city_council_raw/leeds_2020-06.csv"

METHODS = ("ours", "duckdb_bare", "pandas")  # the aims are judged against these
INFO_METHODS = ("duckdb_store",)  # context only, CSV-only datasets
METHOD_LABELS = {
    "ours": "ours (totalplace)",
    "duckdb_bare": "DuckDB bare read",
    "pandas": "pandas script",
    "duckdb_store": "(info) DuckDB read + store",
}


# --------------------------------------------------------------------------- datasets


def _dataset(
    key: str, label: str, partners: dict[str, list[Path]], rows: int | None, note: str
) -> dict[str, Any]:
    files = [p for paths in partners.values() for p in paths]
    return {
        "key": key,
        "label": label,
        "partners": {name: [str(p) for p in paths] for name, paths in partners.items()},
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "formats": sorted({p.suffix.lstrip(".").lower() for p in files}),
        "rows": rows,
        "note": note,
    }


def lancashire_dataset(realdata: Path) -> dict[str, Any] | None:
    """Return the real Lancashire set (three partners), or None if it is not there."""
    base = realdata / "lancashire"
    partners = {name: sorted(base.glob(pattern)) for name, pattern in LANCASHIRE_PARTNERS.items()}
    if not all(partners.values()):
        return None
    counts = ", ".join(f"{len(v)} {k}" for k, v in partners.items())
    return _dataset(
        "lancashire",
        "Lancashire (real files)",
        partners,
        None,  # data rows: taken from our importer's count (header rows excluded)
        f"{counts}; most bytes are XLSX, whose bare-read baseline is python-calamine",
    )


def _data_lines(text_bytes: bytes, encoding: str) -> tuple[bytes, list[bytes]]:
    """Return (header line, data lines) of a one-record-per-line CSV; blank rows are dropped."""
    lines = text_bytes.splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    body = [ln for ln in body if ln.strip(b" ,\t\r\n")]
    body = [ln if ln.endswith(b"\n") else ln.rstrip(b"\r") + b"\r\n" for ln in body]
    records = list(csv.reader(io.StringIO(b"".join(body).decode(encoding))))
    if len(records) != len(body):
        raise SystemExit(
            f"cannot repeat rows: {len(records)} CSV records on {len(body)} lines (quoted newlines?)"
        )
    return header, body


def repeated_csv(header: bytes, body: list[bytes], min_rows: int, path: Path) -> int:
    """Write header once and the data lines repeated until there are >= min_rows; return rows."""
    repeats = max(1, math.ceil(min_rows / len(body)))
    block = b"".join(body)
    with path.open("wb") as fh:
        fh.write(header)
        for _ in range(repeats):
            fh.write(block)
    return repeats * len(body)


def trafford_dataset(realdata: Path, min_rows: int, tmp: Path) -> dict[str, Any]:
    """Return a >= min_rows UTF-8 CSV made from Trafford 2024-25 supplier spend."""
    source = realdata / TRAFFORD_ZIP
    if not source.exists():
        raise SystemExit(
            f"{source} is missing: the Trafford-based dataset is required (pass --realdata DIR)"
        )
    with zipfile.ZipFile(source) as zf:
        member = next(m for m in zf.namelist() if m.lower().endswith(".csv"))
        data = zf.read(member)
    header, body = _data_lines(data, "utf-8")
    path = tmp / f"trafford-x{math.ceil(min_rows / len(body))}.csv"
    rows = repeated_csv(header, body, min_rows, path)
    return _dataset(
        "trafford_1m",
        f"Trafford ×{rows // len(body)} (UTF-8 CSV)",
        {"Trafford Council": [path]},
        rows,
        f"header once + the {len(body):,} data rows of {member} repeated; ISO dates",
    )


def leeds_dataset(realdata: Path, min_rows: int, tmp: Path) -> dict[str, Any] | None:
    """Return a >= min_rows Windows-1252 CSV made from Leeds 2020-06, or None if absent."""
    source = realdata / LEEDS_CP1252
    if not source.exists():
        return None
    header, body = _data_lines(source.read_bytes(), "cp1252")
    path = tmp / f"leeds-cp1252-x{math.ceil(min_rows / len(body))}.csv"
    rows = repeated_csv(header, body, min_rows, path)
    return _dataset(
        "leeds_1m_cp1252",
        f"Leeds ×{rows // len(body)} (cp1252 CSV)",
        {"Leeds City Council": [path]},
        rows,
        f"header once + the {len(body):,} data rows of {source.name} repeated (blank footer dropped); "
        "needs transcoding; dd/mm/yyyy dates",
    )


# --------------------------------------------------------------------------- methods
#
# Each method is set up once in its own process (imports, file checks: not timed), then
# asked for one timed run at a time, so the three methods' runs can be interleaved.


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads of this process
    return usage.ru_utime + usage.ru_stime


def _load_classify() -> tuple[Callable[[Any], Any] | None, str]:
    try:
        from totalplace.classify import classify
    except ImportError as exc:
        return None, f"not available ({exc})"
    return classify, "included"


class Ours:
    """A fresh workspace per run (not timed), then import_files per partner, then classify."""

    def __init__(self, ds: dict[str, Any]) -> None:
        from totalplace.ingest import ImportFailed, import_files
        from totalplace.workspace import init_workspace, open_workspace

        self.ds = ds
        self.failed, self.import_files = ImportFailed, import_files
        self.init_workspace, self.open_workspace = init_workspace, open_workspace
        self.classify, self.classify_status = _load_classify()
        self.check: dict[str, Any] = {}

    def run(self) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="tp-bench-ws-") as tmp:
            self.init_workspace(tmp, PLACE_CODE)
            workspace = self.open_workspace(tmp)
            gc.collect()
            start, cpu = time.perf_counter(), _cpu_seconds()
            reports: list[Any] = []
            try:
                for partner, paths in self.ds["partners"].items():
                    reports += self.import_files(workspace, partner, [Path(p) for p in paths])
            except self.failed as exc:
                raise RuntimeError(f"import failed: {exc}"[:2000]) from exc
            imported = time.perf_counter()
            if self.classify is not None:
                try:
                    self.classify(workspace)
                except Exception as exc:  # another engineer's work in progress: report, don't crash
                    self.classify_status = f"failed, so not timed ({type(exc).__name__}: {exc})"[
                        :400
                    ]
                    self.classify = None
            end = time.perf_counter() if self.classify is not None else imported
            cpu = _cpu_seconds() - cpu
        self.check = {
            "rows_read": sum(r.rows_read for r in reports),
            "rows_loaded": sum(r.rows_loaded for r in reports),
            "rows_quarantined": sum(r.rows_quarantined for r in reports),
            "amount_loaded": str(sum(r.amount_loaded for r in reports)),
            "statuses": sorted({r.status for r in reports}),
        }
        return {"wall": end - start, "cpu": cpu, "import_wall": imported - start}

    def final(self) -> dict[str, Any]:
        return {"check": self.check, "classify": self.classify_status}


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _duckdb_query(path: Path, options: str) -> str:
    quoted = str(path).replace("'", "''")
    return f"SELECT count(*) FROM read_csv('{quoted}', all_varchar=true, header=true{options})"


class DuckDBBare:
    """DuckDB's bare read_csv count(*) of each CSV; a bare calamine read of each XLSX."""

    def __init__(self, ds: dict[str, Any]) -> None:
        import duckdb
        from python_calamine import CalamineWorkbook

        self.con = duckdb.connect()
        self.workbook = CalamineWorkbook
        paths = [Path(p) for paths in ds["partners"].values() for p in paths]
        self.csvs = {p: self._options(p) for p in paths if p.suffix.lower() == ".csv"}
        self.sheets = [p for p in paths if p.suffix.lower() != ".csv"]
        self.counted = 0

    def _options(self, path: Path) -> str:
        """Return the fewest extra read_csv options with which DuckDB reads the file at all.

        DuckDB refuses cp1252, so a non-UTF-8 file is read as latin-1; ragged rows need
        strict_mode=false; a CR-only file defeats the sniffer unless the dialect is given.
        Worked out before timing, so a timed read never fails and retries.
        """
        encoding = "" if _is_utf8(path) else ", encoding='latin-1'"
        for extra in (
            "",
            ", strict_mode=false, null_padding=true",
            ", delim=',', quote='\"', new_line='\\r', strict_mode=false, null_padding=true",
        ):
            try:
                self.con.sql(_duckdb_query(path, encoding + extra)).fetchall()
            except Exception:  # noqa: S112 - try the next dialect
                continue
            return encoding + extra
        raise RuntimeError(f"DuckDB cannot read {path} with any of the options tried")

    def run(self) -> dict[str, Any]:
        gc.collect()
        start, cpu = time.perf_counter(), _cpu_seconds()
        counted = 0
        for path, options in self.csvs.items():
            counted += self.con.sql(_duckdb_query(path, options)).fetchall()[0][0]
        for path in self.sheets:
            workbook = self.workbook.from_path(str(path))
            for name in workbook.sheet_names:
                counted += max(len(workbook.get_sheet_by_name(name).to_python()) - 1, 0)
        wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        self.counted = counted
        return {"wall": wall, "cpu": cpu}

    def final(self) -> dict[str, Any]:
        return {
            "threads": self.con.sql("SELECT current_setting('threads')").fetchall()[0][0],
            "check": {
                "rows_counted": self.counted,
                "csv_files": len(self.csvs),
                "xlsx_files_via_calamine": len(self.sheets),
                "csv_options": {p.name: o for p, o in self.csvs.items() if o},
            },
        }


class DuckDBStore:
    """Context, not an aim: DuckDB reading each CSV and storing it, all VARCHAR, in an on-disk file.

    This is the floor for any importer that keeps every row in a DuckDB warehouse: it shows
    how much of the gap to the bare read is storage rather than cleaning.
    """

    def __init__(self, ds: dict[str, Any]) -> None:
        import duckdb

        self.duckdb = duckdb
        self.bare = DuckDBBare(ds)  # same per-file read options as the bare read
        self.stored = 0

    def run(self) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="tp-bench-db-") as tmp:
            gc.collect()
            start, cpu = time.perf_counter(), _cpu_seconds()
            con = self.duckdb.connect(str(Path(tmp) / "store.duckdb"))
            for index, (path, options) in enumerate(self.bare.csvs.items()):
                select = _duckdb_query(path, options).replace("SELECT count(*)", "SELECT *", 1)
                con.execute(f"CREATE TABLE t{index} AS {select}")
            con.execute("CHECKPOINT")
            self.stored = sum(
                con.sql(f"SELECT count(*) FROM t{i}").fetchall()[0][0]
                for i in range(len(self.bare.csvs))
            )
            con.close()
            wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        return {"wall": wall, "cpu": cpu}

    def final(self) -> dict[str, Any]:
        return {"check": {"rows_stored": self.stored}}


# --------------------------------------------------------------------------- pandas


_AMOUNT_HEADERS = (
    "net amount",
    "amount paid",
    "amount",
    "netamount",
    "total invoice amount",
    "total",
)
_DATE_HEADERS = ("payment date", "paymentdate", "date paid", "datepaid", "date")
_SUPPLIER_HEADERS = (
    "supplier name",
    "suppliername",
    "beneficiary name",
    "beneficiaryname",
    "supplier final",
    "supplier",
    "name",
)
_REDACTED = r"(?i)\bredact(ed|ion)?\b"


def _norm(cell: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(cell).lower().replace("£", "")).strip()


def _pick(names: list[str], wanted: tuple[str, ...]) -> str | None:
    return next((w for w in wanted if w in names), None)


def _pandas_clean(raw: Any, source: str) -> Any:
    """Clean one sheet read with header=None, the way an analyst would; None if no header."""
    import pandas as pd

    n = len(raw)
    header_at = None
    for i in [*range(min(20, n)), *range(max(n - 5, 20), n)]:  # header at the top, or last
        names = [_norm(v) if isinstance(v, str) else "" for v in raw.iloc[i].tolist()]
        if _pick(names, _AMOUNT_HEADERS) and _pick(names, _DATE_HEADERS):
            header_at = i
            break
    if header_at is None:
        return None
    columns: list[str] = []
    for index, name in enumerate(names):
        name = name.replace(" ", "_") or f"col{index}"
        columns.append(name if name not in columns else f"{name}_{index}")
    data = raw.iloc[header_at + 1 :] if header_at < 20 else raw.iloc[:header_at]
    data = data.set_axis(columns, axis=1)
    data = data.dropna(how="all")
    amount_col = _pick(names, _AMOUNT_HEADERS).replace(" ", "_")  # type: ignore[union-attr]
    date_col = _pick(names, _DATE_HEADERS).replace(" ", "_")  # type: ignore[union-attr]
    supplier = _pick(names, _SUPPLIER_HEADERS)

    text = data[amount_col].str.replace(r"[£,\s\u00a0]", "", regex=True)
    negative = (
        text.str.match(r"\(.*\)$") | text.str.startswith("-") | text.str.endswith("-")
    ).fillna(False)
    number = pd.to_numeric(text.str.strip("()+-"), errors="coerce")
    out = data.assign(
        amount_gbp=number.where(~negative, -number).round(2),
        paid_on=pd.to_datetime(data[date_col], dayfirst=True, errors="coerce"),
        redacted=(
            data[supplier.replace(" ", "_")].str.contains(_REDACTED, regex=True, na=False)
            if supplier
            else False
        ),
        source_file=source,
        row_number=data.index + 1,
    )
    return out


def _pandas_import(paths: list[Path], db_path: Path) -> dict[str, Any]:
    import duckdb
    import pandas as pd

    frames = []
    skipped = []
    for path in paths:
        if path.suffix.lower() == ".csv":
            try:
                sheets = {None: _read_csv(path, "utf-8-sig")}
            except UnicodeDecodeError:
                sheets = {None: _read_csv(path, "cp1252")}
        else:
            sheets = pd.read_excel(path, engine="calamine", sheet_name=None, dtype=str, header=None)
        for sheet, raw in sheets.items():
            cleaned = _pandas_clean(raw, path.name if sheet is None else f"{path.name} [{sheet}]")
            if cleaned is None:
                skipped.append(f"{path.name} [{sheet}]")
            else:
                frames.append(cleaned)
    result = pd.concat(frames, ignore_index=True)
    con = duckdb.connect(str(db_path))
    con.execute("CREATE TABLE spend AS SELECT * FROM result")
    con.close()
    return {
        "rows_out": len(result),
        "rows_with_amount": int(result["amount_gbp"].notna().sum()),
        "rows_with_date": int(result["paid_on"].notna().sum()),
        "rows_redacted": int(result["redacted"].sum()),
        "amount_total": f"{result['amount_gbp'].sum():.2f}",
        "sheets_without_header": skipped,
    }


def _read_csv(path: Path, encoding: str) -> Any:
    import pandas as pd

    return pd.read_csv(path, dtype=str, header=None, encoding=encoding, on_bad_lines="skip")


class PandasScript:
    """The analyst's pandas script over every file of the dataset, writing one DuckDB table."""

    def __init__(self, ds: dict[str, Any]) -> None:
        import pandas  # noqa: F401 - imported before the clock starts

        self.paths = [Path(p) for paths in ds["partners"].values() for p in paths]
        self.check: dict[str, Any] = {}
        warnings.simplefilter("ignore")  # dayfirst with ISO dates, format inference: noise here

    def run(self) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="tp-bench-pd-") as tmp:
            gc.collect()
            start, cpu = time.perf_counter(), _cpu_seconds()
            self.check = _pandas_import(self.paths, Path(tmp) / "pandas.duckdb")
            wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        return {"wall": wall, "cpu": cpu}

    def final(self) -> dict[str, Any]:
        return {"check": self.check}


# --------------------------------------------------------------------------- profile


class Profile:
    """cProfile one import of the dataset: the main thread and the worker threads, merged.

    import_files reads files on a thread pool, which cProfile (per thread) would not see,
    so read_file (the per-file work) is wrapped, in this process only, to profile inside
    its own thread. Typing the rows and storing them run on the main thread.
    """

    def __init__(self, ds: dict[str, Any]) -> None:
        import totalplace.ingest as ingest
        import totalplace.ingest.parse as parse
        from totalplace.workspace import init_workspace, open_workspace

        self.ds, self.ingest, self.parse = ds, ingest, parse
        self.init_workspace, self.open_workspace = init_workspace, open_workspace
        self.out = Path(ds["profile_out"])
        self.result: dict[str, Any] = {}

    def run(self) -> dict[str, Any]:
        ingest, parse = self.ingest, self.parse
        original = parse.read_file
        thread_profiles: list[cProfile.Profile] = []

        def profiled_read_file(*args: Any, **kwargs: Any) -> Any:
            profile = cProfile.Profile()
            thread_profiles.append(profile)
            profile.enable()
            try:
                return original(*args, **kwargs)
            finally:
                profile.disable()

        parse.read_file = profiled_read_file
        main = cProfile.Profile()
        with tempfile.TemporaryDirectory(prefix="tp-bench-prof-") as tmp:
            self.init_workspace(tmp, PLACE_CODE)
            workspace = self.open_workspace(tmp)
            start = time.perf_counter()
            main.enable()
            for partner, paths in self.ds["partners"].items():
                ingest.import_files(workspace, partner, [Path(p) for p in paths])
            classify, status = _load_classify()
            if classify is not None:
                try:
                    classify(workspace)
                except (
                    Exception
                ) as exc:  # reported, not fatal: classify is someone's work in progress
                    status = f"failed ({type(exc).__name__})"
            main.disable()
            wall = time.perf_counter() - start
        parse.read_file = original

        buffer = io.StringIO()
        stats = pstats.Stats(main, stream=buffer)
        for profile in thread_profiles:
            stats.add(profile)
        stages = _stages(stats)
        buffer.write(
            f"cProfile of import_files, then classify ({status}), on {self.ds['label']} ({self.ds['rows']:,} rows, "
            f"{self.ds['bytes'] / 1e6:.1f} MB): one run, {wall:.2f} s wall under the profiler, "
            f"{datetime.now():%Y-%m-%d %H:%M}, load average {_load():.1f} on {_cores()} cores.\n"
            "The main thread and read_file's worker threads are merged; the main thread's wait "
            "for the pool shows as lock 'acquire'. Time inside DuckDB shows as 'execute' / "
            "'to_arrow_table' of the Python function that issued the SQL.\n\n"
            "Stages (cumulative seconds, from the profile):\n"
        )
        for name, seconds in stages.items():
            buffer.write(f"  {name:<60} {seconds:8.2f}\n")
        buffer.write("\n== top 25 by cumulative time ==\n")
        stats.sort_stats("cumulative").print_stats(25)
        buffer.write("\n== top 15 by own time (tottime) ==\n")
        stats.sort_stats("tottime").print_stats(15)
        self.out.write_text(buffer.getvalue(), encoding="utf-8")
        self.result = {"wall_under_profiler": wall, "stages": stages}
        return {"wall": wall, "cpu": 0.0}

    def final(self) -> dict[str, Any]:
        return self.result


_STAGES = (
    ("parse_files (read in threads, then type; fingerprint)", "parse.py", "parse_files"),
    ("  read_file (per file, worker threads)", "parse.py", "read_file"),
    ("    read_bytes (decode, sniff, pyarrow CSV, row numbers)", "readers.py", "read_bytes"),
    ("      decode_text (UTF-8 check or cp1252 transcode)", "encoding.py", "decode_text"),
    ("      read_csv_text", "csv_reader.py", "read_csv_text"),
    ("      read_spreadsheet", "workbook.py", "read_spreadsheet"),
    ("    prepare_sheet (header search, column mapping)", "prepare.py", "prepare_sheet"),
    ("  clean_sheets (type all sheets of a group of files)", "clean.py", "clean_sheets"),
    ("    typed_rows (the one typing query)", "rows.py", "typed_rows"),
    ("    split_rows (facts / quarantine, in Arrow)", "rows.py", "split_rows"),
    ("  fingerprints (md5 of ordered string_agg)", "store.py", "fingerprints"),
    ("store_files (one warehouse transaction)", "store.py", "store_files"),
    ("  flush (INSERT ... SELECT from Arrow, all sheets)", "store.py", "flush"),
    ("  _amount_sum (pyarrow sums)", "store.py", "_amount_sum"),
    ("connect (ibis + schema DDL)", "warehouse.py", "connect"),
    ("classify (whole, if available)", "classify/__init__.py", "classify"),
)


def _stages(stats: pstats.Stats) -> dict[str, float]:
    found: dict[str, float] = {}
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for label, filename, func in _STAGES:
        total = sum(
            v[3] for (file, _, name), v in table.items() if name == func and file.endswith(filename)
        )
        if total:
            found[label] = round(total, 3)
    return found


# --------------------------------------------------------------------------- processes

KINDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "ours": Ours,
    "duckdb_bare": DuckDBBare,
    "pandas": PandasScript,
    "duckdb_store": DuckDBStore,
    "profile": Profile,
}
_MARK = "@@BENCH "


def worker(kind: str, dataset_file: str) -> None:
    """Body of a measuring process: set up, then answer 'run' and 'done' lines on stdin."""
    protocol = sys.stdout
    sys.stdout = sys.stderr  # anything a library prints must not look like a reply

    def send(kind_: str, payload: dict[str, Any]) -> None:
        protocol.write(_MARK + json.dumps({"type": kind_, **payload}, default=str) + "\n")
        protocol.flush()

    try:
        method = KINDS[kind](json.loads(Path(dataset_file).read_text(encoding="utf-8")))
    except Exception as exc:
        send("error", {"error": f"{type(exc).__name__}: {exc}"[:1000]})
        return
    send("ready", {})
    for line in sys.stdin:
        try:
            if line.strip() == "run":
                send("result", method.run())
            else:
                send("final", {**method.final(), "peak_rss_mb": _peak_rss_mb()})
                return
        except Exception as exc:
            send("error", {"error": f"{type(exc).__name__}: {exc}"[:1000]})
            return


def _peak_rss_mb() -> float | None:
    """Return this process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited at exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class Remote:
    """A measuring process driven line by line, so runs of the methods can be interleaved."""

    def __init__(self, kind: str, dataset_file: Path) -> None:
        self.stderr = tempfile.TemporaryFile(mode="w+", prefix="tp-bench-err-")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", kind, str(dataset_file)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.error: str | None = None
        self._reply()

    def _reply(self) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(_MARK):
                message = json.loads(line[len(_MARK) :])
                if message["type"] == "error":
                    self.error = message["error"]
                    return None
                return message
        self.stderr.seek(0)
        self.error = (
            "worker died: " + (self.stderr.read().strip().splitlines() or ["no message"])[-1][:500]
        )
        return None

    def call(self, command: str) -> dict[str, Any] | None:
        if self.error is not None:
            return None
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._reply()

    def close(self) -> dict[str, Any]:
        final = self.call("done") or {}
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.stderr.close()
        return final


def measure_dataset(
    ds: dict[str, Any], runs: int, tmp: Path, progress: Callable[[str], None]
) -> dict[str, Any]:
    """Run every method ``runs`` times, interleaved (rotating order), each in its own process."""
    dataset_file = tmp / f"{ds['key']}.json"
    dataset_file.write_text(json.dumps(ds), encoding="utf-8")
    progress(f"{ds['label']}: starting the three measuring processes…")
    methods = _methods(ds)
    remotes = {method: Remote(method, dataset_file) for method in methods}
    timings: dict[str, list[dict[str, Any]]] = {method: [] for method in methods}
    loads = [_load()]
    for run in range(runs):
        for method in methods[run % len(methods) :] + methods[: run % len(methods)]:
            progress(f"{ds['label']}: run {run + 1}/{runs}: {METHOD_LABELS[method]}…")
            reply = remotes[method].call("run")
            if reply is not None:
                timings[method].append({k: v for k, v in reply.items() if k != "type"})
            loads.append(_load())
    results: dict[str, dict[str, Any]] = {}
    for method, remote in remotes.items():
        final = {k: v for k, v in remote.close().items() if k != "type"}
        results[method] = {"runs": timings[method], **final}
        if remote.error is not None:
            results[method]["error"] = remote.error
    ds["load_average"] = {"min": min(loads), "max": max(loads)}
    return results


def _methods(ds: dict[str, Any]) -> tuple[str, ...]:
    return METHODS + (INFO_METHODS if ds["formats"] == ["csv"] else ())


def profile_dataset(ds: dict[str, Any], out: Path, tmp: Path) -> dict[str, Any]:
    """Run our import once under cProfile in a fresh process; return the stage summary."""
    dataset_file = tmp / f"{ds['key']}-profile.json"
    dataset_file.write_text(json.dumps({**ds, "profile_out": str(out)}), encoding="utf-8")
    remote = Remote("profile", dataset_file)
    remote.call("run")
    final = remote.close()
    if remote.error is not None:
        return {"error": remote.error}
    return {"path": str(out.relative_to(ROOT)), **{k: v for k, v in final.items() if k != "type"}}


# --------------------------------------------------------------------------- report


def _load() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def _cores() -> int:
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )


def _summarise(ds: dict[str, Any], results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if (
        ds["rows"] is None
    ):  # real files: data rows as our importer counts them (header rows excluded)
        ours_check = results["ours"].get("check") or {}
        ds["rows"] = ours_check.get("rows_read") or (results["pandas"].get("check") or {}).get(
            "rows_out"
        )
    mb = ds["bytes"] / 1e6
    for result in results.values():
        if result.get("runs"):
            best = min(r["wall"] for r in result["runs"])
            result["best_s"] = best
            result["best_cpu_s"] = min(r["cpu"] for r in result["runs"])
            result["rows_per_s"] = ds["rows"] / best if ds["rows"] else None
            result["mb_per_s"] = mb / best
    ours = results["ours"]
    if ours.get("runs"):
        ours["best_import_only_s"] = min(r["import_wall"] for r in ours["runs"])
    ds["methods"] = results

    def ratio(key: str, other: str) -> float | None:
        a, b = results["ours"].get(key), results[other].get(key)
        return a / b if a and b else None

    vs_duck, vs_pandas = ratio("best_s", "duckdb_bare"), ratio("best_s", "pandas")
    ds["ratios"] = {
        "ours_over_duckdb_bare_wall": vs_duck,
        "ours_over_duckdb_bare_cpu": ratio("best_cpu_s", "duckdb_bare"),
        "aim_duckdb": f"within {AIM_DUCKDB:g}x of DuckDB's bare read (wall ratio <= {AIM_DUCKDB:g})",
        "duckdb_aim_met": None if vs_duck is None else vs_duck <= AIM_DUCKDB,
        "ours_over_pandas_wall": vs_pandas,
        "ours_over_pandas_cpu": ratio("best_cpu_s", "pandas"),
        "aim_pandas": "faster than pandas (wall ratio < 1)",
        "pandas_aim_met": None if vs_pandas is None else vs_pandas < AIM_PANDAS,
    }
    only = ours.get("best_import_only_s")
    for other in ("duckdb_bare", "pandas"):
        base = results[other].get("best_s")
        ds["ratios"][f"ours_import_only_over_{other}_wall"] = only / base if only and base else None
    if "duckdb_store" in results:
        ds["ratios"]["info_ours_over_duckdb_store_wall"] = ratio("best_s", "duckdb_store")
        ds["ratios"]["info_duckdb_store_over_duckdb_bare_wall"] = (
            results["duckdb_store"]["best_s"] / results["duckdb_bare"]["best_s"]
            if results["duckdb_store"].get("best_s") and results["duckdb_bare"].get("best_s")
            else None
        )
    return ds


def _machine() -> dict[str, Any]:
    import duckdb
    import pandas
    import pyarrow

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": _cores(),
        "cpu": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
    }


def _num(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def _verdict(met: bool | None) -> str:
    return (
        "[dim]n/a[/dim]" if met is None else ("[green]met[/green]" if met else "[red]NOT met[/red]")
    )


def _print(console: Any, report: dict[str, Any]) -> None:
    from rich.table import Table

    machine = report["machine"]
    table = Table(
        title=f"Import throughput: best of {report['runs']} interleaved runs, wall clock; "
        f"{machine['cores']} cores; {report['date']}",
        title_justify="left",
    )
    for name in (
        "Dataset",
        "Method",
        "Rows",
        "MB",
        "Wall s",
        "CPU s",
        "Rows/s",
        "MB/s",
        "Peak RSS MB",
    ):
        table.add_column(name, justify="left" if name in ("Dataset", "Method") else "right")
    for ds in report["datasets"]:
        methods = _methods(ds)
        for index, method in enumerate(methods):
            result = ds["methods"][method]
            label = METHOD_LABELS[method]
            if method == "duckdb_bare" and "xlsx" in ds["formats"]:
                label += " (XLSX: calamine)"
            cells = (
                [ds["label"], label, f"{ds['rows']:,}", f"{ds['bytes'] / 1e6:.1f}"]
                if index == 0
                else ["", label, "", ""]
            )
            if "best_s" not in result:
                cells += ["[red]error[/red]", "", "", "", ""]
            else:
                cells += [
                    _num(result["best_s"], ".3f"),
                    _num(result["best_cpu_s"], ".2f"),
                    _num(result["rows_per_s"], ",.0f"),
                    _num(result["mb_per_s"], ".2f"),
                    _num(result.get("peak_rss_mb"), ",.0f"),
                ]
            if method in INFO_METHODS:
                cells = [f"[dim]{c}[/dim]" if c else c for c in cells]
            table.add_row(*cells, end_section=index == len(methods) - 1)
            only = result.get("best_import_only_s")
            if method == "ours" and only and report["classify"] == "included":
                table.add_row(
                    "",
                    "[dim]  of which import_files (no classify)[/dim]",
                    "",
                    "",
                    f"[dim]{only:.3f}[/dim]",
                    "",
                    f"[dim]{ds['rows'] / only:,.0f}[/dim]",
                    f"[dim]{ds['bytes'] / 1e6 / only:.2f}[/dim]",
                    "",
                )
    console.print(table)

    aims = Table(
        title="Aims: ratios of best wall-clock times, ours ÷ baseline (CPU-time ratio in brackets)",
        title_justify="left",
    )
    for name in (
        "Dataset",
        "ours ÷ DuckDB bare",
        "aim: within 3× of DuckDB's bare read",
        "ours ÷ pandas",
        "aim: faster than pandas",
    ):
        aims.add_column(name, justify="left" if name == "Dataset" else "right")
    for ds in report["datasets"]:
        r = ds["ratios"]
        aims.add_row(
            ds["label"],
            f"{_num(r['ours_over_duckdb_bare_wall'], '.1f')}× ({_num(r['ours_over_duckdb_bare_cpu'], '.1f')}×)",
            _verdict(r["duckdb_aim_met"]),
            f"{_num(r['ours_over_pandas_wall'], '.2f')}× ({_num(r['ours_over_pandas_cpu'], '.2f')}×)",
            _verdict(r["pandas_aim_met"]),
        )
    console.print(aims)
    if report["classify"] == "included":
        console.print(
            "Without classify (import_files only), ours ÷ DuckDB bare / ours ÷ pandas, wall:"
        )
        for ds in report["datasets"]:
            r = ds["ratios"]
            console.print(
                f"  {ds['label']}: {_num(r['ours_import_only_over_duckdb_bare_wall'], '.1f')}× / "
                f"{_num(r['ours_import_only_over_pandas_wall'], '.2f')}×"
            )

    for ds in report["datasets"]:
        r = ds["ratios"]
        if r.get("info_duckdb_store_over_duckdb_bare_wall"):
            console.print(
                f"Context, {ds['label']}: DuckDB's own read + store to disk takes "
                f"{r['info_duckdb_store_over_duckdb_bare_wall']:.1f}× its bare read; "
                f"ours ÷ that = {_num(r['info_ours_over_duckdb_store_wall'], '.1f')}×."
            )
    for ds in report["datasets"]:
        console.print(f"[bold]{ds['label']}[/bold]: {ds['files']} file(s); {ds['note']}.")
        for method in _methods(ds):
            result = ds["methods"][method]
            if "error" in result:
                console.print(f"  {METHOD_LABELS[method]}: [red]{result['error']}[/red]")
            elif result.get("check"):
                console.print(
                    f"  {METHOD_LABELS[method]} check: {json.dumps(result['check'], default=str)}"
                )
    console.print(f"classify: {report['classify']}")
    console.print(
        "DuckDB bare read = read_csv(all_varchar=true, header=true) count(*) per CSV on DuckDB's "
        f"{report['duckdb_threads']} threads (cp1252 read as latin-1, the nearest DuckDB accepts); XLSX read "
        "by python-calamine to_python(), as DuckDB has no built-in XLSX reader. pandas script = read_csv/"
        "read_excel(dtype=str), header search, amount/date/redaction cleaning, one DuckDB table "
        "(single-threaded, as pandas is). ours = import_files (files read at most 2 at once here, their "
        "rows typed in one DuckDB query) into a fresh on-disk warehouse, then classify if available. "
        "Each method runs in its own process."
    )
    cores = report["machine"]["cores"]
    worst = max(ds["load_average"]["max"] for ds in report["datasets"])
    if worst > cores:
        console.print(
            f"[yellow]Load average reached {worst:.1f} on {cores} cores: other processes competed for the "
            "CPU, so wall-clock times are inflated and noisier than on a quiet machine; the CPU-time "
            "ratios in brackets are less affected.[/yellow]"
        )
    profile = report.get("profile")
    if profile and "stages" in profile:
        console.print(
            f"Profile of ours on {profile['dataset']}: {profile['path']} (cumulative s under cProfile)"
        )
        for name, seconds in profile["stages"].items():
            console.print(f"  {name:<60} {seconds:8.2f}")
    elif profile:
        console.print(f"[red]profile failed: {profile.get('error')}[/red]")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--realdata", type=Path, default=DEFAULT_REALDATA, help="folder of real published files"
    )
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="minimum rows of the repeated CSVs"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per method and dataset; the best is kept"
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    parser.add_argument(
        "--worker", nargs=2, metavar=("KIND", "DATASET_JSON"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker)
        return 0

    from rich.console import Console

    console = Console(record=True)
    if not console.is_terminal:
        console = Console(record=True, width=160)
    realdata = args.realdata.resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="tp-bench-data-"))
    try:
        with console.status("preparing datasets…") as status:
            datasets = [
                d
                for d in (
                    lancashire_dataset(realdata),
                    trafford_dataset(realdata, args.rows, tmp),
                    leeds_dataset(realdata, args.rows, tmp),
                )
                if d is not None
            ]
            report: dict[str, Any] = {
                "command": " ".join([".venv/bin/python", *sys.argv])
                if not argv
                else " ".join(argv),
                "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
                "runs": args.runs,
                "realdata": str(realdata),
                "machine": _machine(),
                "classify": _load_classify()[1],
                "aims": {
                    "ours_over_duckdb_bare_max": AIM_DUCKDB,
                    "ours_over_pandas_below": AIM_PANDAS,
                },
                "datasets": [],
            }
            for ds in datasets:
                results = measure_dataset(ds, args.runs, tmp, status.update)
                report["datasets"].append(_summarise(ds, results))
                report["classify"] = results["ours"].get("classify", report["classify"])
                console.print(
                    f"measured {ds['label']}: "
                    + ", ".join(
                        f"{METHOD_LABELS[m]} {_num(results[m].get('best_s'), '.3f')} s"
                        for m in _methods(ds)
                    )
                )
            report["duckdb_threads"] = next(
                (
                    d["methods"]["duckdb_bare"]["threads"]
                    for d in report["datasets"]
                    if "threads" in d["methods"]["duckdb_bare"]
                ),
                "?",
            )
            target = next((d for d in report["datasets"] if d["key"] == "trafford_1m"), None)
            if target is not None and not args.no_profile:
                status.update(f"profiling our import of {target['label']}…")
                profile = {
                    "dataset": target["label"],
                    **profile_dataset(target, OUT / "import_profile.txt", tmp),
                }
                report["profile"] = profile
        _print(console, report)
        (OUT / "import.json").write_text(
            json.dumps(report, indent=2, default=str), encoding="utf-8"
        )
        (OUT / "import.txt").write_text(console.export_text(), encoding="utf-8")
        console.print(
            f"Wrote {(OUT / 'import.json').relative_to(ROOT)} and {(OUT / 'import.txt').relative_to(ROOT)}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
