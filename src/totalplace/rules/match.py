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

from totalplace.joins import same_values
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


def first_matches(
    table: ir.Table,
    keys: Sequence[str],
    lists: Mapping[str, Sequence[Rule]],
    engine: str,
    prefix: str = "",
    within: Mapping[str, ir.Value] | None = None,
) -> ir.Table:
    """Return ``table`` with a column per named list of rules: the id of the first rule each row meets.

    ``keys`` are columns that tell the rows apart. On DuckDB and Spark each list is
    one CASE (:func:`first_match`), evaluated column-wise. PostgreSQL keeps only 32
    compiled patterns per session, so a CASE of a hundred rules would compile every
    pattern again on every row; there the table is scanned once per rule instead
    (its patterns stay compiled for the whole scan), and the first rule a row meets
    is the least position among the rules it meets. Both give the same ids.
    """
    if engine != "postgres":
        return table.mutate(
            **{
                name: first_match(rules, table, engine, prefix, within)
                for name, rules in lists.items()
            }
        )
    null = ibis.null().cast("string")
    parts = [
        table.filter(condition(rule, table, engine, prefix, within)).select(
            *keys, _list=ibis.literal(n), _position=ibis.literal(position)
        )
        for n, rules in enumerate(lists.values())
        for position, rule in enumerate(rules)
    ]
    if not parts:
        return table.mutate(**dict.fromkeys(lists, null))
    hits = _union_all(parts)
    firsts = hits.group_by(list(keys)).aggregate(
        **{f"_first{n}": hits._position.min(where=hits._list == n) for n in range(len(lists))}
    )
    firsts = firsts.rename({f"_key_{k}": k for k in keys})
    joined = table.left_join(
        firsts, same_values(table, firsts, [(k, f"_key_{k}") for k in keys], engine)
    )
    ids = {
        name: joined[f"_first{n}"].substitute(
            {position: rule.id for position, rule in enumerate(rules)}, else_=null
        )
        for n, (name, rules) in enumerate(lists.items())
    }
    return joined.mutate(**ids).drop(
        *[f"_key_{k}" for k in keys], *[f"_first{n}" for n in range(len(lists))]
    )


def _union_all(parts: Sequence[ir.Table]) -> ir.Table:
    """Return the rows of every part, unioned as a balanced tree (a chain of 100 is too deep to compile)."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return _union_all(parts[:middle]).union(_union_all(parts[middle:]), distinct=False)
