"""Turn a rule set into one Ibis expression that classifies every transaction.

Each dimension becomes the rule engine's first-match expression
(:func:`totalplace.rules.first_matches`): the first matching rule wins and the engine
evaluates it column-wise; Python only loops over rules, never over rows. Patterns are
written for the engine the expression runs on (``engine``: duckdb, postgres, spark).
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from totalplace.classify.rules import FRONT_LINE, RuleSet
from totalplace.joins import lookup_table, same_values
from totalplace.rules import first_matches, tidy, value_of
from totalplace.rules.partners import KIND_COLUMN, partner_kinds

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


def partner_table(transactions: ir.Table, sectors: Mapping[str, str]) -> ir.Table:
    """Return each partner with lines and its sector from place.toml ('unknown' for partners not listed)."""
    partners = transactions.select("partner").distinct()
    if not sectors:
        return partners.mutate(sector=ibis.literal("unknown"))
    listed = lookup_table("partner", "sector", sectors, pa.string())
    joined = partners.left_join(listed, "partner").drop("partner_right")
    return joined.mutate(sector=joined.sector.fill_null("unknown"))


def normalised(table: ir.Table, fields: list[str]) -> ir.Table:
    """Return the table with the named text fields tidied for matching (white space runs as one space)."""
    return table.mutate(**{f: tidy(table[f]) for f in fields})


def classification_expr(
    transactions: ir.Table, ruleset: RuleSet, sectors: Mapping[str, str], engine: str = "duckdb"
) -> ir.Table:
    """Return an expression with one classifications row per transaction (see COLUMNS).

    The rules only see a few text columns and who published the line, and those repeat
    a lot (a supplier, a service, a proclass; partners of one sector): the rules run
    once per distinct text and kind of partner (:func:`totalplace.rules.partner_kinds`:
    partners every rule treats alike), and each transaction is joined back to its
    combination's result. Same result as running them on every row, at a fraction of
    the regex work, and a national run of 400 partners costs what one of a few does.
    """
    fields = ruleset.fields()
    kinds = partner_kinds(
        ruleset.rules, partner_table(transactions, sectors), engine, attributes=("sector",)
    )
    lines = transactions.select("txn_key", "partner", *fields).join(kinds, "partner")
    keys = [*fields, KIND_COLUMN]
    combos = lines.select(*keys, "sector").distinct()
    combos = combos.mutate(**{f"_key{i}": combos[k] for i, k in enumerate(keys)})
    carried = [f"_key{i}" for i in range(len(keys))]
    # The rules see each kind's representative partner (its slug and sector).
    per_combo = _classified(combos.rename(partner=KIND_COLUMN), ruleset, carried, engine)
    left = lines.select("txn_key", *keys)
    on = same_values(left, per_combo, [(k, f"_key{i}") for i, k in enumerate(keys)], engine)
    joined = left.join(per_combo, on)
    # A join makes every column nullable in Ibis's eyes; txn_key never is (NOT NULL kept).
    joined = joined.mutate(txn_key=joined.txn_key.cast(transactions.schema()["txn_key"]))
    return joined.select(*COLUMNS)


def _classified(combos: ir.Table, ruleset: RuleSet, carried: list[str], engine: str) -> ir.Table:
    """Return the classification columns (all of COLUMNS but txn_key) of each row, plus ``carried``."""
    t = normalised(combos, ruleset.fields())
    sector = t.sector
    dims = ("subjective", "back_office", "theme", "transfer")
    rules = {d: ruleset.for_dimension(d) for d in dims}
    # DISTINCT changes nothing (one row per combination already) but is a fence: without
    # it PostgreSQL pulls the rules up into the join and runs them on every line.
    ids = (
        first_matches(
            t, carried, {f"{d}_rule": rules[d] for d in dims}, engine, within={"sector": sector}
        )
        .select(*carried, *[f"{d}_rule" for d in dims])
        .distinct()
    )

    def value(rule_id: ir.StringValue, dimension: str) -> ir.StringValue:
        return value_of(rule_id, rules[dimension], lambda r: r.value)

    bo_value = value(ids.back_office_rule, "back_office")
    function = ibis.ifelse(bo_value == FRONT_LINE, ibis.null().cast("string"), bo_value)
    return ids.select(
        *carried,
        subjective=value(ids.subjective_rule, "subjective"),
        subjective_rule=ids.subjective_rule,
        front_back=ibis.ifelse(function.notnull(), ibis.literal(BACK_OFFICE), ibis.literal(FRONT)),
        back_office_function=function,
        back_office_rule=ids.back_office_rule,
        theme=value(ids.theme_rule, "theme"),
        theme_rule=ids.theme_rule,
        transfer=value(ids.transfer_rule, "transfer"),
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
