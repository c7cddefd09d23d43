"""The national run: load a synthetic England, classify and count every place at once, timed.

Uses the stages' own engine-neutral functions on an Ibis connection (any engine):
``classify.classify_on``, the count stage's ``count(workspace, con=con)`` and, on its
written lines, the count's own sum (``count.cells.sum_lines``). Each step is timed on
the wall clock; the count's output is returned as Arrow for comparing
engines to the penny.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace.synth.load import load
from totalplace.workspace import Workspace

#: The count's grain, and the figures compared across engines (all exact).
COUNT_KEYS = ("partner", "fy_start_year", "theme")
COUNT_FIGURES = ("lines", "gross_amount", "transfers_excluded", "base_amount", "counted_amount")


@dataclass(frozen=True)
class Step:
    """One timed step of the national run on one engine."""

    engine: str
    name: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        """Return rows handled per second of wall clock."""
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def _timed(fn: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    rows = fn()
    return rows, time.perf_counter() - start


def classify_on(con: Any, workspace: Workspace) -> int:
    """Classify every transaction on ``con`` with the workspace's rules; return the lines written."""
    from totalplace.classify.run import classify_on as classify_stage

    return classify_stage(con, workspace).rows


def count_on(con: Any, workspace: Workspace) -> int:
    """Count every place's spending on ``con``; return the transactions counted."""
    from totalplace.count import count

    result = count(workspace, con=con)
    return sum(int(r["lines"]) for r in result.rows)


def sum_on(con: Any) -> int:
    """Sum the count's lines (the facts the count stage wrote) by partner x year x theme; return the facts summed."""
    from totalplace.count.cells import sum_lines

    cells = sum_lines(con).to_pyarrow()
    return sum(int(n) for n in cells.column("lines").to_pylist())


def count_table(con: Any, place: str) -> pa.Table:
    """Return the count by place × partner × theme × year, sorted, for comparing engines."""
    t = con.table("count_by_partner_theme_year").select(*COUNT_KEYS, *COUNT_FIGURES)
    table = t.to_pyarrow()
    table = table.append_column("place", pa.array([place] * table.num_rows))
    keys = [("place", "ascending"), *[(k, "ascending") for k in COUNT_KEYS]]
    return table.select(["place", *COUNT_KEYS, *COUNT_FIGURES]).sort_by(keys)


def run(engine: str, con: Any, workspace: Workspace, root: Path) -> tuple[list[Step], pa.Table]:
    """Load, classify and count on one engine; return the timed steps and the count table."""
    steps = []
    for name, fn in (
        ("load", lambda: load(con, root)),
        ("classify", lambda: classify_on(con, workspace)),
        ("count", lambda: count_on(con, workspace)),
        # The count's own sum over its facts (count_lines, written by the step above):
        # what "a count over N facts" costs once the lines are classified and built.
        ("sum", lambda: sum_on(con)),
    ):
        rows, seconds = _timed(fn)
        steps.append(Step(engine, name, rows, seconds))
    return steps, count_table(con, workspace.place.code)
