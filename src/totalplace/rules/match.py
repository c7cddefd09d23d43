"""The one first-match expression: which rule of an ordered list each row meets first.

Rules become one Ibis ``cases`` expression whose branches are the rules in order, so
the first matching rule wins and the engine evaluates it column-wise; Python loops
over rules, never over rows. Patterns are written for the engine the expression will
run on (:func:`totalplace.rules.regex.for_engine`; the caller names it, from
``warehouse.engine_of(con)``), so the same rule picks the same rows on DuckDB,
PostgreSQL and Spark.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from totalplace.rules.model import Rule, Test
from totalplace.rules.regex import for_engine

#: White space of every kind (the engines' ``\s`` differ, and RE2's misses the
#: non-breaking spaces some spreadsheets hold): ASCII controls as regex escapes every
#: engine reads (Spark's SQL parser drops the backslash of a raw form feed), the rest
#: as the characters themselves (PostgreSQL has no ``\x{...}``, RE2 no ``\u``).
_SPACES = r"\t\n\v\f\r " + "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def tidy(column: ir.StringValue, underscores: bool = False) -> ir.StringValue:
    """Return the text with each run of white space (and ``_`` if asked) as one space, trimmed."""
    spaces = _SPACES + ("_" if underscores else "")
    # Trimmed by a regex, not Ibis's strip(): on Spark that is TRIM(' \t\n\r\v\f' FROM x),
    # whose \v and \f Spark's SQL parser reads as the letters v and f ("Staff" -> "Sta").
    return column.re_replace(f"[{spaces}]+", " ").re_replace("^ | $", "")


def search(table: ir.Table, test: Test, engine: str, prefix: str = "") -> ir.BooleanValue:
    """Return where the test's pattern is found in any of its columns (NULL text: not found)."""
    pattern = for_engine(test.pattern, engine)
    hits = [table[prefix + c].re_search(pattern).fill_null(False) for c in test.columns]
    found = functools.reduce(operator.or_, hits)
    return ~found if test.negated else found


def condition(
    rule: Rule,
    table: ir.Table,
    engine: str,
    prefix: str = "",
    within: Mapping[str, ir.Value] | None = None,
) -> ir.BooleanValue:
    """Return where every condition of the rule holds (``within``: columns computed for the rules, e.g. sector)."""
    parts = [search(table, t, engine, prefix) for t in rule.tests]
    for name, values in rule.within.items():
        column = (within or {}).get(name, table[name] if name in table.columns else None)
        if column is None:
            raise KeyError(f"rule {rule.id!r} tests {name!r}, which the table does not have")
        parts.append(column.isin(list(values)).fill_null(False))
    return functools.reduce(operator.and_, parts)


def first_match(
    rules: Sequence[Rule],
    table: ir.Table,
    engine: str,
    prefix: str = "",
    within: Mapping[str, ir.Value] | None = None,
) -> ir.StringValue:
    """Return the id of the first rule each row meets (NULL where none does)."""
    null = ibis.null().cast("string")
    if not rules:
        return null
    branches = [(condition(r, table, engine, prefix, within), ibis.literal(r.id)) for r in rules]
    return ibis.cases(*branches, else_=null)


def value_of(
    rule_id: ir.StringValue, rules: Sequence[Rule], value: Callable[[Any], str | None]
) -> ir.StringValue:
    """Return ``value(rule)`` of the rule whose id each row holds (NULL for none)."""
    null = ibis.null().cast("string")
    pairs = {r.id: value(r) for r in rules}
    known = {k: v for k, v in pairs.items() if v is not None}
    if not known:
        return null
    return rule_id.substitute(known, else_=null)
