"""Runs of payments close in time: each within N days of the one before, per group.

Gaps and islands in window functions (lag, then a running count of the gaps that
start a new run), so it runs in the engine on DuckDB, PostgreSQL and Spark alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

__all__ = ["in_runs", "with_day"]


def with_day(table: ir.Table) -> ir.Table:
    """Return ``table`` with ``day``: its txn_date as whole days since 1970-01-01 (int64)."""
    return table.mutate(day=table.txn_date.epoch_days().cast("int64"))


def in_runs(
    table: ir.Table, keys: Sequence[str], days: int, name: str = "run", order: str = "day"
) -> ir.Table:
    """Return ``table`` (which has ``day``) with ``name``: a text id of its run within ``keys``.

    A run is the payments of one group (same ``keys``) each made within ``days`` days of
    the one before; ``days`` = 0 puts only payments on the same date together. The id is
    the keys and the run's number, so it is unique across groups. ``order`` names another
    whole-number column to measure the gaps on instead of ``day`` (a row number in a file).
    """
    by = list(keys)
    step = table[order]
    w = ibis.window(group_by=by, order_by=[step, table.txn_key])
    prev = step.lag().over(w)
    starts = ibis.ifelse(prev.isnull() | (step - prev > days), 1, 0)
    marked = table.mutate(_start=starts)
    running = marked._start.cumsum(group_by=by, order_by=[marked[order], marked.txn_key])
    marked = marked.mutate(_run=running)
    parts: list[ir.StringValue] = [marked[k].cast("string").fill_null("") for k in by]
    ident = parts[0]
    for part in parts[1:]:
        ident = ident + "|" + part
    return marked.mutate(**{name: ident + "#" + marked._run.cast("string")}).drop("_start", "_run")
