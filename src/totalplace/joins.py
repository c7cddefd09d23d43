"""Joins every engine runs alike: NULL-safe conditions, and small lookup tables to join.

A value per partner (its sector, its financial-year start) is a small table joined to
the lines, not a ``CASE`` with a branch per partner evaluated on every line: a place of
every English body has hundreds of partners, and a join costs the same for 3 or 400.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa


def same_values(
    left: ir.Table, right: ir.Table, pairs: Sequence[tuple[str, str]], engine: str
) -> list[ir.Value]:
    """Return join conditions: each pair of columns equal, NULL equal to NULL.

    ``IS NOT DISTINCT FROM`` where the engine hashes it (DuckDB, and Spark's ``<=>``);
    on PostgreSQL, which cannot hash-join it (a nested loop of both sides), two
    equalities per pair instead.
    """
    on: list[ir.Value] = []
    for mine_name, theirs_name in pairs:
        mine, theirs = left[mine_name], right[theirs_name]
        if engine == "postgres":
            on += [mine.isnull() == theirs.isnull(), _filled(mine) == _filled(theirs)]
        else:
            on.append(mine.identical_to(theirs))
    return on


def _filled(value: ir.Value) -> ir.Value:
    if value.type().is_boolean():
        return value.fill_null(False)
    if value.type().is_string():
        return value.fill_null("")
    return value.fill_null(0)


def lookup_table(
    key: str, value: str, mapping: Mapping[str, object], kind: pa.DataType
) -> ir.Table:
    """Return ``mapping`` as a small table of two columns, ``key`` (text) and ``value`` (``kind``), to join."""
    return ibis.memtable(
        pa.table(
            {
                key: pa.array(list(mapping), pa.string()),
                value: pa.array(list(mapping.values()), kind),
            }
        )
    )
