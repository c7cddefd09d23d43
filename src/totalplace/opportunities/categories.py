"""Procurement categories: readable rules that put each line's purchase into a shared category.

Defaults ship in ``totalplace/data/assumptions/categories.toml``; a workspace's
``categories.toml`` (same format) is tried first, may replace a default by id,
switch one off (``disabled = true``) or all of them (``use_defaults = false``).
A line no rule matches falls back to its published ProClass label, then its
expense type. Reading and matching are the one rule engine's
(:mod:`totalplace.rules`); this module supplies what is the categories' own: a
name and whether joint buying can influence the spend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from totalplace import rules as engine
from totalplace.classify.rules import FIELDS, GROUPS
from totalplace.workspace import Workspace

WORKSPACE_CATEGORIES_FILE = "categories.toml"

#: Shorthand fields a category rule may test (any one of the named columns).
CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    **GROUPS,
    "item": ("expense_type", "expense_code", "purpose", "proclass"),
}
MATCH_KEYS: tuple[str, ...] = (*FIELDS, *CATEGORY_GROUPS)

#: Where a line's category came from.
SOURCE_RULE = "rule"
SOURCE_PROCLASS = "proclass"
SOURCE_EXPENSE_TYPE = "expense_type"


class CategoriesError(engine.RulesError):
    """A category file that cannot be used; the message names the file, the rule and the fault."""


@dataclass(frozen=True, kw_only=True)
class CategoryRule(engine.Rule):
    """One category rule: a category name and the conditions a line must meet."""

    name: str
    influenceable: bool = True
    note: str = ""

    @property
    def partners(self) -> tuple[str, ...]:
        """Return the partner slugs the rule is limited to (none: every partner)."""
        return tuple(self.within.get("partner", ()))


@dataclass(frozen=True)
class CategorySet(engine.RuleSet):
    """The category rules in force, in the order they are tried."""

    def fields(self) -> list[str]:
        """Return the transaction columns the rules test, shorthands expanded."""
        return self.columns(FIELDS)

    def as_rows(self) -> list[dict[str, Any]]:
        """Return the rules as rows: id, position, name, conditions, influenceable, origin."""
        return [
            {
                "rule_id": r.id,
                "position": n,
                "category": r.name,
                "conditions": r.describe(),
                "influenceable": r.influenceable,
                "note": r.note,
                "origin": r.origin,
            }
            for n, r in enumerate(self.rules, start=1)
        ]


def _build(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CategoriesError(f"{where}: needs a name (the category it gives).")
    influenceable = item.get("influenceable", True)
    if not isinstance(influenceable, bool):
        raise CategoriesError(f"{where}: influenceable must be true or false.")
    note = item.get("note", "")
    if not isinstance(note, str):
        raise CategoriesError(f"{where}: note must be text.")
    return {"name": name.strip(), "influenceable": influenceable, "note": note.strip()}


#: The category rules as the rule engine reads them.
KIND = engine.RuleKind(
    noun="category",
    default_noun="category rule",
    table="category",
    fields={**{f: (f,) for f in FIELDS}, **CATEGORY_GROUPS},
    own=frozenset({"name", "influenceable", "note"}),
    build=_build,
    make=CategoryRule,
    error=CategoriesError,
)


def default_categories_path() -> Path:
    """Return the path of the packaged default category rules."""
    return Path(str(resources.files("totalplace") / "data" / "assumptions" / "categories.toml"))


def load_categories(workspace: Workspace | Path | str | None = None) -> CategorySet:
    """Return the category rules in force: the workspace's categories.toml, then the defaults.

    Raises CategoriesError naming the file and rule if either file is wrong.
    """
    found = engine.load_with_workspace(
        KIND, default_categories_path(), workspace, WORKSPACE_CATEGORIES_FILE
    )
    return CategorySet(found.rules, found.disabled, found.files)


_TIDY = "_tidy_"


def _label(column: ir.StringValue) -> ir.StringValue:
    tidy = engine.tidy(column, underscores=True).lower()
    return ibis.ifelse(tidy == "", ibis.null().cast("string"), tidy)


def categorise(table: ir.Table, categories: CategorySet, dialect: str = "duckdb") -> ir.Table:
    """Return ``table`` with category_rule, category_source, category, category_key, influenceable.

    ``table`` needs ``txn_key``, the text columns of :data:`FIELDS` the rules test, ``proclass``,
    ``expense_type`` and ``partner``; ``dialect`` is the engine it runs on (duckdb,
    postgres, spark). Uncategorised lines have NULL category.
    """
    null = ibis.null().cast("string")
    # Underscores ("computer_software") and white space read as one space; each tested
    # column is tidied once, not once per rule that tests it.
    fields = categories.fields()
    table = table.mutate(**{_TIDY + f: engine.tidy(table[f], underscores=True) for f in fields})
    rules = list(categories.rules)
    table = engine.first_matches(
        table, ["txn_key"], {"category_rule": rules}, dialect, prefix=_TIDY
    )
    closed = [r.id for r in rules if not r.influenceable]
    proclass = _label(table.proclass)
    expense = _label(table.expense_type)
    named = engine.value_of(table.category_rule, rules, lambda r: r.name)
    source = ibis.cases(
        (table.category_rule.notnull(), ibis.literal(SOURCE_RULE)),
        (proclass.notnull(), ibis.literal(SOURCE_PROCLASS)),
        (expense.notnull(), ibis.literal(SOURCE_EXPENSE_TYPE)),
        else_=null,
    )
    category = ibis.cases(
        (table.category_rule.notnull(), named),
        (proclass.notnull(), proclass),
        else_=expense,
    )
    table = table.mutate(category_source=source, category=category)
    table = table.drop(*[_TIDY + f for f in fields])
    return table.mutate(
        category_key=table.category_source + ":" + table.category.lower(),
        influenceable=~table.category_rule.isin(closed).fill_null(False)
        if closed
        else ibis.literal(True),
    )
