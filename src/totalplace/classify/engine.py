"""Turn a rule set into one Ibis expression that classifies every transaction.

Each dimension becomes a single CASE expression (``ibis.cases``) whose branches are
the rules in order, so the first matching rule wins and the engine evaluates it
column-wise; Python only loops over rules, never over rows.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from totalplace.classify.rules import FRONT_LINE, GROUPS, Rule, RuleSet, case_insensitive

BACK_OFFICE = "back office"
FRONT = "front line"

COLUMNS: tuple[str, ...] = (
    "txn_key",
    "subjective",
    "subjective_rule",
    "front_back",
    "back_office_function",
    "back_office_rule",
    "theme",
    "theme_rule",
    "transfer",
    "transfer_rule",
)


def _search(table: ir.Table, name: str, pattern: str) -> ir.BooleanValue:
    regex = case_insensitive(pattern)
    hits = [table[col].re_search(regex).fill_null(False) for col in GROUPS.get(name, (name,))]
    return functools.reduce(operator.or_, hits)


def normalised(table: ir.Table, fields: list[str]) -> ir.Table:
    """Return the table with the named text fields tidied for matching.

    Runs of white space, including the non-breaking spaces some spreadsheets hold
    (which RE2's ``\\s`` does not match), become one ordinary space, trimmed.
    """
    tidy = {f: table[f].re_replace(r"[\s\x{00A0}\x{2007}\x{202F}]+", " ").strip() for f in fields}
    return table.mutate(**tidy)


def condition(rule: Rule, table: ir.Table, sector: ir.StringValue) -> ir.BooleanValue:
    """Return the boolean expression that holds where every condition of the rule holds."""
    parts: list[ir.BooleanValue] = [_search(table, k, v) for k, v in rule.match.items()]
    parts += [~_search(table, k, v) for k, v in rule.exclude.items()]
    if rule.sectors:
        parts.append(sector.isin(rule.matching_sectors()))
    if rule.partners:
        parts.append(table.partner.isin(list(rule.partners)))
    return functools.reduce(operator.and_, parts)


def first_match(rules: list[Rule], table: ir.Table, sector: ir.StringValue) -> ir.StringValue:
    """Return the id of the first rule that matches each row (NULL where none does)."""
    if not rules:
        return ibis.null().cast("string")
    branches = [(condition(r, table, sector), ibis.literal(r.id)) for r in rules]
    return ibis.cases(*branches, else_=ibis.null().cast("string"))


def _value_of(rule_id: ir.StringValue, rules: list[Rule]) -> ir.StringValue:
    if not rules:
        return ibis.null().cast("string")
    return rule_id.substitute({r.id: r.value for r in rules}, else_=ibis.null().cast("string"))


def sector_column(table: ir.Table, sectors: Mapping[str, str]) -> ir.StringValue:
    """Return each row's partner sector from place.toml ('unknown' for partners not listed)."""
    if not sectors:
        return ibis.literal("unknown")
    return table.partner.substitute(dict(sectors), else_=ibis.literal("unknown"))


def classification_expr(
    transactions: ir.Table, ruleset: RuleSet, sectors: Mapping[str, str]
) -> ir.Table:
    """Return an expression with one classifications row per transaction (see COLUMNS).

    The rules only see a few text columns and the partner, and those repeat a lot (a
    supplier, a service, a proclass): the rules run once per distinct combination, and
    each transaction is joined back to its combination's result. Same result as running
    them on every row, at a fraction of the regex work.
    """
    keys = [*ruleset.fields(), "partner"]
    combos = transactions.select(*keys).distinct()
    combos = combos.mutate(**{f"_key{i}": combos[k] for i, k in enumerate(keys)})
    per_combo = _classified(combos, ruleset, sectors, [f"_key{i}" for i in range(len(keys))])
    joined = transactions.select("txn_key", *keys).join(
        per_combo, [transactions[k].identical_to(per_combo[f"_key{i}"]) for i, k in enumerate(keys)]
    )
    # A join makes every column nullable in Ibis's eyes; txn_key never is (NOT NULL kept).
    joined = joined.mutate(txn_key=joined.txn_key.cast(transactions.schema()["txn_key"]))
    return joined.select(*COLUMNS).order_by("txn_key")


def _classified(
    combos: ir.Table, ruleset: RuleSet, sectors: Mapping[str, str], carried: list[str]
) -> ir.Table:
    """Return the classification columns (all of COLUMNS but txn_key) of each row, plus ``carried``."""
    t = normalised(combos, ruleset.fields())
    sector = sector_column(t, sectors)
    dims = ("subjective", "back_office", "theme", "transfer")
    rules = {d: ruleset.for_dimension(d) for d in dims}
    ids = t.select(*carried, **{f"{d}_rule": first_match(rules[d], t, sector) for d in dims})
    bo_value = _value_of(ids.back_office_rule, rules["back_office"])
    function = ibis.ifelse(bo_value == FRONT_LINE, ibis.null().cast("string"), bo_value)
    return ids.select(
        *carried,
        subjective=_value_of(ids.subjective_rule, rules["subjective"]),
        subjective_rule=ids.subjective_rule,
        front_back=ibis.ifelse(function.notnull(), ibis.literal(BACK_OFFICE), ibis.literal(FRONT)),
        back_office_function=function,
        back_office_rule=ids.back_office_rule,
        theme=_value_of(ids.theme_rule, rules["theme"]),
        theme_rule=ids.theme_rule,
        transfer=_value_of(ids.transfer_rule, rules["transfer"]),
        transfer_rule=ids.transfer_rule,
    )


def rules_table(ruleset: RuleSet) -> ir.Table:
    """Return the rules in force as a small table, so every rule id in the warehouse resolves."""
    rows = [
        {
            "rule_id": r.id,
            "position": n,
            "dimension": r.dimension,
            "value": r.value,
            "conditions": r.describe(),
            "note": r.note,
            "origin": r.origin,
            "source": r.source,
        }
        for n, r in enumerate(ruleset.rules, start=1)
    ]
    names = ("rule_id", "position", "dimension", "value", "conditions", "note", "origin", "source")
    schema = pa.schema([(n, pa.int64() if n == "position" else pa.string()) for n in names])
    return ibis.memtable(pa.Table.from_pylist(rows, schema=schema))
