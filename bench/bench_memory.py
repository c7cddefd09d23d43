"""Peak memory of one import, measured in a child process, against the bound we state.

Run from the repository root::

    .venv/bin/python bench/bench_memory.py [--realdata DIR] [--rows 1000000]

Each file is imported into a fresh workspace by a child process; its peak resident set
(``ru_maxrss`` from ``os.wait4``) is reported beside the stated bound:

    peak RSS <= BASE_MB + FACTOR x (the file's bytes, unpacked)

The bound holds because the whole import of one file is bounded by its size: the bytes
are read once, Arrow holds the cells as text (about the file's size again), and the
typed rows and the store work on that table; the limits (``totalplace.limits``) bound
the size any one file may have or unpack to. Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_MB = 400  # the interpreter, DuckDB, Arrow, calamine, and the warehouse's buffers
FACTOR = 6

_CHILD = """
import sys
from pathlib import Path
from totalplace.ingest import import_files
from totalplace.workspace import init_workspace, open_workspace
root, path = Path(sys.argv[1]), Path(sys.argv[2])
init_workspace(root, "E07000120")
reports = import_files(open_workspace(root), "Bench partner", [path])
print(sum(r.rows_loaded for r in reports))
"""


def unpacked_size(path: Path) -> int:
    """Return the bytes a file holds, unpacked if it is a ZIP."""
    if zipfile.is_zipfile(path) and path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            return sum(m.file_size for m in zf.infolist())
    return path.stat().st_size


def largest_real_file(realdata: Path) -> Path:
    """Return TRUTH.json's largest file (by unpacked size)."""
    truth = json.loads((realdata / "TRUTH.json").read_text())
    files = [realdata / t["path"] for t in truth["file_totals"]]
    return max((f for f in files if f.exists()), key=unpacked_size)


def million_row_file(realdata: Path, rows: int, folder: Path) -> Path:
    """Return a CSV of ``rows`` rows, Trafford 2024-25's data rows repeated."""
    source = realdata / "trafford_council/trafford-supplier-spend-2024-25.zip"
    with zipfile.ZipFile(source) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".csv"))
        lines = zf.read(name).splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    target = folder / f"trafford_{rows}.csv"
    with target.open("wb") as fh:
        fh.write(header)
        written = 0
        while written < rows:
            chunk = body[: rows - written]
            fh.writelines(chunk)
            written += len(chunk)
    return target


def measure(path: Path, folder: Path) -> tuple[int, float, int]:
    """Return (rows loaded, peak RSS in MB, exit status) of importing ``path`` in a child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    workspace = folder / f"ws-{path.stem}"
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(workspace), str(path)],
        stdout=subprocess.PIPE,
        env=env,
    ) as child:
        out = child.stdout.read() if child.stdout else b""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    lines = out.decode().strip().splitlines()  # DuckDB may print progress bars first
    rows = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return rows, usage.ru_maxrss / 1024, child.returncode  # ru_maxrss: KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = [
            largest_real_file(args.realdata),
            million_row_file(args.realdata, args.rows, folder),
        ]
        print(f"Peak memory of one import (bound: {BASE_MB} MB + {FACTOR} x unpacked size)")
        print(f"{'file':<45} {'unpacked MB':>12} {'rows':>10} {'peak MB':>9} {'bound MB':>9}")
        for path in files:
            size = unpacked_size(path) / (1 << 20)
            rows, peak, status = measure(path, folder)
            bound = BASE_MB + FACTOR * size
            verdict = "within" if peak <= bound and status == 0 else "OVER"
            print(
                f"{path.name:<45} {size:>12.1f} {rows:>10,} {peak:>9.0f} {bound:>9.0f}  {verdict}"
            )


if __name__ == "__main__":
    main()
