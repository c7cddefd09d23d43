"""The raw sheet every reader returns, what a reading may use, and checks on its cells.

A :class:`RawSheet` holds all cells as text (or null), in columns ``c0 … cN``, with
``_row`` the 1-based record number in the sheet, so each fact can be traced back to
the line a person would find in the original.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.safety import Budget, limit_advice
from totalplace.limits import DEFAULT_LIMITS, Limits


@dataclass
class RawSheet:
    """Text cells of one sheet (or one CSV) before any interpretation."""

    file: str
    sheet: str | None
    table: pa.Table
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Return the number of records read, header and blank lines included."""
        return self.table.num_rows


@dataclass
class Reading:
    """What reading one input file may use (its limits) and has used (over nested archives)."""

    limits: Limits = DEFAULT_LIMITS
    budget: Budget | None = None
    depth: int = 0  # ZIP archives around the bytes being read

    def __post_init__(self) -> None:
        if self.budget is None:
            self.budget = Budget(self.limits)

    @property
    def spent(self) -> Budget:
        """Return the budget (made in __post_init__)."""
        assert self.budget is not None
        return self.budget


def check_width(name: str, width: int, limits: Limits) -> None:
    """Raise ImportProblem if a file has more columns than the limits allow."""
    if width > limits.max_columns:
        raise ImportProblem(
            name,
            f"the file has {width:,} columns, over the limit max_columns = {limits.max_columns}",
            limit_advice("max_columns", limits.max_columns),
        )


def mark_long_cells(table: pa.Table, names: list[str], limits: Limits) -> pa.Table:
    """Return the table with rows holding a cell over max_cell_chars marked for quarantine.

    The row's other cells are fine, so only it is set aside (with the reason), not the file.
    """
    cap = limits.max_cell_chars
    long_rows: pa.ChunkedArray | None = None
    for n in names:
        lengths = pc.utf8_length(table.column(n))
        if (pc.max(lengths).as_py() or 0) > cap:
            over = pc.fill_null(pc.greater(lengths, cap), False)
            long_rows = over if long_rows is None else pc.or_(long_rows, over)
    if long_rows is None:
        return table
    reason = (
        f"a cell holds more than {cap:,} characters, over the limit max_cell_chars = {cap} "
        "(raise [limits] max_cell_chars in place.toml if the file is genuine)"
    )
    problem = pc.if_else(long_rows, reason, pa.scalar(None, pa.string()))
    return table.append_column("_problem", problem).append_column(
        "_problem_amount", pa.nulls(table.num_rows, pa.decimal128(18, 2))
    )


def iter_cells(sheet: RawSheet, limit: int) -> Iterator[list[str | None]]:
    """Yield the first ``limit`` rows of a sheet as lists of cells (for header search)."""
    cols = [c for c in sheet.table.column_names if c.startswith("c")]
    head = sheet.table.slice(0, limit).select(cols).to_pylist()
    for row in head:
        yield [row[c] for c in cols]
