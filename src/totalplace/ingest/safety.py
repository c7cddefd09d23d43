"""Refuse hostile or runaway input before it uses memory: what a file is, and what it unpacks to.

Only regular files are read (a device such as ``/dev/zero`` never ends, and opening a
FIFO blocks until someone writes to it); symlinks are followed, a loop reported. ZIP
archives (XLSX and ODS are ZIPs too) are checked from their central directory before
anything is unpacked, and again while unpacking, since the directory can lie: total
unpacked size, compression ratio, number of members and nesting depth. A worksheet's
declared and real extent is read from its XML, streamed, before calamine allocates it.
Every refusal names the limit and its value and says how to raise it in ``place.toml``.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from totalplace.ingest.errors import ImportProblem
from totalplace.limits import Limits

MB = 1 << 20
#: Members this small are never refused for their ratio (a blank sheet packs 100x).
_RATIO_FLOOR = MB
_CHUNK = MB


def limit_advice(name: str, value: int) -> str:
    """Return what to do when a limit is hit: check the file, or raise the limit."""
    return (
        f"Check the file is the one you meant; if it is genuine, raise the limit in "
        f"place.toml: [limits] {name} = {value * 4} (it is {value})"
    )


def read_regular_file(name: str, path: Path, limits: Limits) -> bytes:
    """Return a regular file's bytes; raises ImportProblem for anything else or a file too big.

    The path is checked with stat before it is opened (a device or FIFO is refused at
    once), then opened without blocking and checked again, so it cannot be swapped.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _stat_problem(name, exc) from exc
    _check_kind(name, info.st_mode)
    _check_size(name, info.st_size, limits)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _stat_problem(name, exc) from exc
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        _check_kind(name, info.st_mode)
        _check_size(name, info.st_size, limits)
        # As big as stat says (+1 to see it grew); a file growing while read stops at the limit.
        data = bytearray(fh.read(info.st_size + 1))
        while len(data) <= limits.max_file_mb * MB and (more := fh.read(_CHUNK)):
            data += more
    _check_size(name, len(data), limits)
    return bytes(data)


def _stat_problem(name: str, exc: OSError) -> ImportProblem:
    if exc.errno == errno.ELOOP:
        return ImportProblem(
            name,
            "the path is a symbolic link that leads round in a loop (or through too many links)",
            "Point it at the real file",
        )
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return ImportProblem(name, "the file does not exist", "Check the path and the spelling")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ImportProblem(
            name, "the file cannot be read (permission denied)", "Check who may read it"
        )
    return ImportProblem(name, f"the file cannot be read ({exc.strerror})", "Check the path")


def _check_kind(name: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise ImportProblem(
            name, "this is a folder, not a file", "Name the files inside it, e.g. folder/*.csv"
        )
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    raise ImportProblem(
        name,
        f"this is {kind}, not a regular file: only files on disk are imported",
        "Save the data to a file and import that",
    )


def _check_size(name: str, size: int, limits: Limits) -> None:
    if size > limits.max_file_mb * MB:
        raise ImportProblem(
            name,
            f"the file is {size / MB:,.0f} MB, over the limit max_file_mb = {limits.max_file_mb}",
            limit_advice("max_file_mb", limits.max_file_mb),
        )


@dataclass
class Budget:
    """What one input file has unpacked so far, over all its nested archives."""

    limits: Limits
    unpacked: int = 0
    members: int = 0

    def spend(self, name: str, size: int) -> None:
        """Count ``size`` more bytes unpacked; raises ImportProblem past max_unpacked_mb."""
        self.unpacked += size
        if self.unpacked > self.limits.max_unpacked_mb * MB:
            raise ImportProblem(
                name,
                f"the archive unpacks to more than {self.limits.max_unpacked_mb:,} MB, over the "
                f"limit max_unpacked_mb = {self.limits.max_unpacked_mb} (a 'zip bomb' does this)",
                limit_advice("max_unpacked_mb", self.limits.max_unpacked_mb),
            )


def open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    """Return the ZIP archive in ``data``; raises ImportProblem if it is damaged."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        raise ImportProblem(
            name, f"the ZIP archive or workbook is damaged ({exc})", "Download it again"
        ) from exc


def check_archive(name: str, zf: zipfile.ZipFile, budget: Budget, depth: int) -> None:
    """Raise ImportProblem if the archive's directory declares more than the limits allow."""
    limits = budget.limits
    if depth > limits.max_zip_depth:
        raise ImportProblem(
            name,
            f"ZIP archives are nested {depth} deep, over the limit max_zip_depth = "
            f"{limits.max_zip_depth}",
            limit_advice("max_zip_depth", limits.max_zip_depth),
        )
    members = zf.infolist()
    budget.members += len(members)
    if budget.members > limits.max_zip_members:
        raise ImportProblem(
            name,
            f"the archive holds more than {limits.max_zip_members:,} files, over the limit "
            f"max_zip_members = {limits.max_zip_members}",
            limit_advice("max_zip_members", limits.max_zip_members),
        )
    declared = sum(m.file_size for m in members)
    if budget.unpacked + declared > limits.max_unpacked_mb * MB:
        budget.spend(name, declared)
    for m in members:
        if m.file_size > _RATIO_FLOOR and m.file_size > limits.max_compression_ratio * max(
            m.compress_size, 1
        ):
            raise ImportProblem(
                name,
                f"{m.filename!r} in the archive unpacks {m.file_size / max(m.compress_size, 1):,.0f}"
                f" times its packed size, over the limit max_compression_ratio = "
                f"{limits.max_compression_ratio} (a 'zip bomb' does this)",
                limit_advice("max_compression_ratio", limits.max_compression_ratio),
            )


def read_member(name: str, zf: zipfile.ZipFile, member: zipfile.ZipInfo, budget: Budget) -> bytes:
    """Return a member's bytes, counting them against the budget as they are unpacked.

    Raises ImportProblem for a damaged or encrypted member, or one that unpacks to more
    than its ratio or the budget allows (whatever its header says).
    """
    limits = budget.limits
    ceiling = max(limits.max_compression_ratio * max(member.compress_size, 1), _RATIO_FLOOR)
    out = bytearray()
    try:
        with zf.open(member) as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                budget.spend(name, len(chunk))
                if len(out) > ceiling:
                    raise ImportProblem(
                        name,
                        f"{member.filename!r} in the archive unpacks to more than "
                        f"{limits.max_compression_ratio} times its packed size, over the limit "
                        "max_compression_ratio (a 'zip bomb' does this)",
                        limit_advice("max_compression_ratio", limits.max_compression_ratio),
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        raise ImportProblem(
            name,
            f"the archive is damaged or encrypted ({member.filename}: {exc})",
            "Download it again",
        ) from exc
    return bytes(out)


_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?"'
)
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]{1,7})(\d{1,12})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\s[^>]*?r="(\d{1,12})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def check_xlsx_sheets(name: str, zf: zipfile.ZipFile, limits: Limits) -> None:
    """Raise ImportProblem if a worksheet declares or holds more cells than max_sheet_cells.

    Reads each worksheet's XML as a stream (1 MB at a time): the ``<dimension>`` it
    declares, and the furthest row and column its cells name, which calamine would
    allocate as one dense range.
    """
    for member in zf.infolist():
        if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename):
            continue
        rows = cols = 0
        tail = b""
        try:
            with zf.open(member) as fh:
                first = True
                while chunk := fh.read(_CHUNK):
                    text = tail + chunk
                    if first:
                        first = False
                        dim = _DIMENSION.search(text)
                        if dim:
                            rows = int(dim.group(4) or dim.group(2))
                            cols = _column_number(dim.group(3) or dim.group(1))
                            check_sheet_size(name, member.filename, rows, cols, limits, "declares")
                    for letters, number in _CELL_REF.findall(text):
                        rows = max(rows, int(number))
                        cols = max(cols, _column_number(letters))
                    for number in _ROW_REF.findall(text):
                        rows = max(rows, int(number))
                    check_sheet_size(name, member.filename, rows, cols, limits, "holds")
                    tail = text[-256:]  # a reference cut between two chunks
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError) as exc:
            raise ImportProblem(
                name,
                f"the workbook cannot be read: it is damaged ({member.filename}: {exc})",
                "Open it in a spreadsheet program and save a copy, or download it again",
            ) from exc


def check_sheet_size(
    name: str, sheet: str, rows: int, cols: int, limits: Limits, verb: str = "has"
) -> None:
    """Raise ImportProblem if a sheet's columns or cells (as it ``verb``s them) pass the limits."""
    if cols > limits.max_columns:
        raise ImportProblem(
            name,
            f"the worksheet {sheet} {verb} {cols:,} columns, over the limit max_columns = "
            f"{limits.max_columns}",
            limit_advice("max_columns", limits.max_columns),
        )
    if rows * max(cols, 1) > limits.max_sheet_cells:
        raise ImportProblem(
            name,
            f"the worksheet {sheet} {verb} {rows:,} rows x {cols:,} columns = "
            f"{rows * max(cols, 1):,} cells, over the limit max_sheet_cells = "
            f"{limits.max_sheet_cells:,}",
            limit_advice("max_sheet_cells", limits.max_sheet_cells),
        )
