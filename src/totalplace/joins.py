"""Join conditions every engine hashes alike."""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir


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
