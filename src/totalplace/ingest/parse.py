"""Parse files in two steps: read each (in threads), then type all their rows together.

Reading a file (decoding, the CSV or spreadsheet parser, finding headers) is per-file
work, done in parallel. Typing the rows is one SQL query over every sheet of a group
of files: DuckDB runs it on all cores, and a query costs ~10 ms of planning however few
rows it has, which one query per file (or per sheet) paid again and again.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from totalplace.ingest.clean import clean_sheets
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.outcome import CleanSheet
from totalplace.ingest.prepare import PreparedSheet, prepare_sheet
from totalplace.ingest.readers import read_bytes
from totalplace.ingest.rows import install_macros
from totalplace.ingest.safety import read_regular_file
from totalplace.ingest.sheets import RawSheet
from totalplace.ingest.store import ParsedFile, fingerprints
from totalplace.limits import DEFAULT_LIMITS, Limits
from totalplace.workspace import Partner

#: Files are typed together until their sheets hold this many rows (bounds memory).
GROUP_ROWS = 2_000_000


@dataclass
class ReadFile:
    """A file read, its sheets' headers found and columns mapped: ready to be typed."""

    name: str
    partner: Partner
    source_hash: str
    sheets: list[RawSheet]
    prepared: list[PreparedSheet | CleanSheet]
    profile_hash: str = ""

    @property
    def rows(self) -> int:
        """Return the number of records in all sheets."""
        return sum(sheet.n_rows for sheet in self.sheets)


def read_file(
    path: Path,
    partner: Partner,
    display: str | None = None,
    allow_truncated: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ReadFile:
    """Return a file read and its headers found; raises ImportProblem if it cannot be.

    Only a regular file within the limits is read (see ``ingest/safety.py``).
    """
    name = display or str(path)
    columns, period = partner.profile_for(name)
    if not partner.profiles or columns == partner.columns and period is None:
        columns, period = partner.profile_for(str(path))
    profile_hash_ = profile_hash(columns, period)
    data = read_regular_file(name, path, limits)
    sheets = read_bytes(name, data, limits)
    prepared: list[PreparedSheet | CleanSheet] = []
    for sheet in sheets:
        if "truncated" in sheet.notes and not allow_truncated:
            raise ImportProblem(
                name,
                "the file ends part-way through its last row (the row stops short of the "
                "header's cells, or inside a quoted cell, with no line break after it), so it "
                "looks truncated",
                "Download it again; or import with --allow-truncated to load the complete rows "
                "and quarantine the partial one",
            )
        prepared.append(prepare_sheet(sheet, columns or None, period))
    return ReadFile(
        name, partner, hashlib.sha256(data).hexdigest(), sheets, prepared, profile_hash_
    )


def profile_hash(columns: dict[str, str | int], period: str | None) -> str:
    """Return a hash of the pins a file is read with ("" for none): a changed pin re-parses."""
    if not columns and not period:
        return ""
    text = json.dumps({"columns": columns, "period": period}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cleaning_connection() -> duckdb.DuckDBPyConnection:
    """Return a new in-memory DuckDB connection with the parsing macros installed."""
    con = duckdb.connect()
    install_macros(con)
    return con


def clean_files(
    con: duckdb.DuckDBPyConnection, files: Sequence[ReadFile]
) -> list[ParsedFile | ImportProblem]:
    """Return each read file typed and checked (or the problem that stops it), in one query."""
    cleaned = clean_sheets(con, [p for f in files for p in f.prepared])
    out: list[ParsedFile | ImportProblem] = []
    start = 0
    for f in files:
        sheets = cleaned[start : start + len(f.prepared)]
        start += len(f.prepared)
        if not any(s.facts.num_rows or s.quarantine.num_rows for s in sheets):
            out.append(
                ImportProblem(
                    f.name, "the file has no rows of data", "Check it is the file you meant"
                )
            )
            continue
        first = f.sheets[0]
        out.append(
            ParsedFile(
                path=f.name,
                partner=f.partner.slug,
                source_hash=f.source_hash,
                format=first.format,
                encoding=first.encoding,
                delimiter=first.delimiter,
                sheets=sheets,
                profile_hash=f.profile_hash,
            )
        )
    parsed = [p for p in out if isinstance(p, ParsedFile)]
    for p, digest in zip(parsed, fingerprints(con, [p.sheets for p in parsed]), strict=True):
        p.fingerprint = digest
    return out


def parse_file(
    path: Path,
    partner: Partner,
    display: str | None = None,
    allow_truncated: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ParsedFile:
    """Return a file read and cleaned, not yet stored; raises ImportProblem if it cannot be."""
    read = read_file(path, partner, display, allow_truncated, limits)
    con = cleaning_connection()
    try:
        [outcome] = clean_files(con, [read])
    finally:
        con.close()
    if isinstance(outcome, ImportProblem):
        raise outcome
    return outcome


Job = tuple[Partner, Path, str]


def parse_files(
    jobs: Sequence[Job],
    allow_truncated: bool = False,
    on_file: Callable[[str], None] | None = None,
    workers: int = 2,
    limits: Limits = DEFAULT_LIMITS,
) -> list[ParsedFile | ImportProblem]:
    """Return each (partner, path, display name) parsed, or its problem, in the order given.

    ``on_file`` is called with the display name as each file has been read.
    """

    def read(job: Job) -> ReadFile | ImportProblem:
        try:
            return read_file(job[1], job[0], job[2], allow_truncated, limits)
        except ImportProblem as problem:
            return problem
        finally:
            if on_file:
                on_file(job[2])

    outcomes: dict[int, ParsedFile | ImportProblem] = {}
    group: list[tuple[int, ReadFile]] = []
    con = cleaning_connection()

    def clean_group() -> None:
        if group:
            typed = clean_files(con, [f for _, f in group])
            outcomes.update(zip([i for i, _ in group], typed, strict=True))
            group.clear()

    try:
        rows = 0
        for index, outcome in enumerate(_in_order(read, jobs, workers)):
            if isinstance(outcome, ImportProblem):
                outcomes[index] = outcome
                continue
            group.append((index, outcome))
            rows += outcome.rows
            if rows >= GROUP_ROWS:
                clean_group()
                rows = 0
        clean_group()
    finally:
        con.close()
    return [outcomes[index] for index in range(len(jobs))]


T = TypeVar("T")
R = TypeVar("R")


def _in_order(work: Callable[[T], R], jobs: Sequence[T], workers: int) -> Iterator[R]:
    """Yield work(job) for each job in order, done in threads, at most 2 per thread ahead.

    (``Executor.map`` would start every job at once and hold all the files read.)
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ahead: deque[Future[R]] = deque()
        for job in jobs:
            ahead.append(pool.submit(work, job))
            if len(ahead) > 2 * workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
