"""Procurement categories: readable rules that put each line's purchase into a shared category.

Defaults ship in ``totalplace/data/assumptions/categories.toml``; a workspace's
``categories.toml`` (same format) is tried first, may replace a default by id,
switch one off (``disabled = true``) or all of them (``use_defaults = false``).
A line no rule matches falls back to its published ProClass label, then its
expense type. Matching is one Ibis ``cases`` expression: a loop over rules, never
over rows.
"""

from __future__ import annotations

import functools
import operator
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir

from totalplace.classify.rules import FIELDS, GROUPS, case_insensitive
from totalplace.workspace import Workspace, slugify

WORKSPACE_CATEGORIES_FILE = "categories.toml"

#: Shorthand fields a category rule may test (any one of the named columns).
CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    **GROUPS,
    "item": ("expense_type", "expense_code", "purpose", "proclass"),
}
MATCH_KEYS: tuple[str, ...] = (*FIELDS, *CATEGORY_GROUPS)
_META_KEYS = ("id", "name", "note", "influenceable", "disabled", "partner")
NEGATION = "not_"

#: Where a line's category came from.
SOURCE_RULE = "rule"
SOURCE_PROCLASS = "proclass"
SOURCE_EXPENSE_TYPE = "expense_type"


class CategoriesError(Exception):
    """A category file that cannot be used; the message names the file, the rule and the fault."""


@dataclass(frozen=True)
class CategoryRule:
    """One category rule: a category name and the conditions a line must meet."""

    id: str
    name: str
    match: Mapping[str, str]
    exclude: Mapping[str, str]
    partners: tuple[str, ...] = ()
    influenceable: bool = True
    note: str = ""
    origin: str = "default"

    def describe(self) -> str:
        """Return the conditions in words, e.g. "item ~ /petrol/ and partner in x"."""
        parts = [f"{k} ~ /{v}/" for k, v in self.match.items()]
        parts += [f"{k} !~ /{v}/" for k, v in self.exclude.items()]
        if self.partners:
            parts.append("partner in " + ", ".join(self.partners))
        return " and ".join(parts)


@dataclass(frozen=True)
class CategorySet:
    """The category rules in force, in the order they are tried."""

    rules: tuple[CategoryRule, ...]
    disabled: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def fields(self) -> list[str]:
        """Return the transaction columns the rules test, shorthands expanded."""
        used: set[str] = set()
        for rule in self.rules:
            for name in (*rule.match, *rule.exclude):
                used.update(CATEGORY_GROUPS.get(name, (name,)))
        return [f for f in FIELDS if f in used]

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


def default_categories_path() -> Path:
    """Return the path of the packaged default category rules."""
    return Path(str(resources.files("totalplace") / "data" / "assumptions" / "categories.toml"))


def load_categories(workspace: Workspace | Path | str | None = None) -> CategorySet:
    """Return the category rules in force: the workspace's categories.toml, then the defaults.

    Raises CategoriesError naming the file and rule if either file is wrong.
    """
    default_path = default_categories_path()
    defaults, _ = _parse_file(default_path, "default", allow_local_keys=False)
    if workspace is None:
        return CategorySet(tuple(r for r in defaults if isinstance(r, CategoryRule)))
    root = workspace.root if isinstance(workspace, Workspace) else Path(workspace)
    path = root / WORKSPACE_CATEGORIES_FILE
    if not path.exists():
        return CategorySet(
            tuple(r for r in defaults if isinstance(r, CategoryRule)), files=(str(default_path),)
        )
    local, use_defaults = _parse_file(path, "workspace", allow_local_keys=True)
    default_rules = [r for r in defaults if isinstance(r, CategoryRule)] if use_defaults else []
    known = {r.id for r in default_rules}
    replacing: dict[str, CategoryRule] = {}
    disabled: list[str] = []
    new: list[CategoryRule] = []
    for item in local:
        if isinstance(item, str):
            if item not in known:
                raise CategoriesError(
                    f"{path}: category {item!r} sets disabled = true, but no default category "
                    f"rule has that id (see {default_path})."
                )
            disabled.append(item)
        elif item.id in known:
            replacing[item.id] = item
        else:
            new.append(item)
    merged = new + [replacing.get(r.id, r) for r in default_rules if r.id not in disabled]
    files = (str(path), str(default_path)) if use_defaults else (str(path),)
    return CategorySet(tuple(merged), tuple(disabled), files)


def _parse_file(
    path: Path, origin: str, allow_local_keys: bool
) -> tuple[list[CategoryRule | str], bool]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CategoriesError(f"{path}: not valid TOML ({exc}).") from exc
    except OSError as exc:
        raise CategoriesError(f"{path}: cannot be read ({exc}).") from exc
    allowed = {"category", "use_defaults"} if allow_local_keys else {"category"}
    unknown = set(data) - allowed
    if unknown:
        raise CategoriesError(
            f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
            f"the file holds [[category]] tables{' and use_defaults' if allow_local_keys else ''}."
        )
    use_defaults = data.get("use_defaults", True)
    if not isinstance(use_defaults, bool):
        raise CategoriesError(f"{path}: use_defaults must be true or false.")
    items = data.get("category", [])
    if not isinstance(items, list):
        raise CategoriesError(f"{path}: write categories as [[category]] tables.")
    seen: set[str] = set()
    out: list[CategoryRule | str] = []
    checker = duckdb.connect()
    try:
        for number, item in enumerate(items, start=1):
            parsed = _parse_rule(item, number, path, origin, allow_local_keys, checker)
            rule_id = parsed if isinstance(parsed, str) else parsed.id
            if rule_id in seen:
                raise CategoriesError(f"{path}: category id {rule_id!r} appears twice.")
            seen.add(rule_id)
            out.append(parsed)
    finally:
        checker.close()
    return out, use_defaults


def _parse_rule(
    item: Any,
    number: int,
    path: Path,
    origin: str,
    allow_disable: bool,
    checker: duckdb.DuckDBPyConnection,
) -> CategoryRule | str:
    if not isinstance(item, Mapping):
        raise CategoriesError(f"{path}: category number {number} is not a table.")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise CategoriesError(f"{path}: category number {number} has no id; give it one.")
    where = f"{path}: category {rule_id!r}"
    if item.get("disabled", False) is True:
        if not allow_disable:
            raise CategoriesError(f"{where}: default categories cannot be disabled here.")
        return rule_id
    unknown = [
        k for k in item if k not in _META_KEYS and k.removeprefix(NEGATION) not in MATCH_KEYS
    ]
    if unknown:
        raise CategoriesError(
            f"{where}: unknown key(s) {', '.join(unknown)}. Conditions may test "
            f"{', '.join(MATCH_KEYS)} (or not_<field>), and partner."
        )
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CategoriesError(f"{where}: needs a name (the category it gives).")
    influenceable = item.get("influenceable", True)
    if not isinstance(influenceable, bool):
        raise CategoriesError(f"{where}: influenceable must be true or false.")
    note = item.get("note", "")
    if not isinstance(note, str):
        raise CategoriesError(f"{where}: note must be text.")
    raw_partners = item.get("partner", [])
    partners = [raw_partners] if isinstance(raw_partners, str) else raw_partners
    if not isinstance(partners, list) or not all(isinstance(p, str) and p for p in partners):
        raise CategoriesError(f"{where}: partner must be a name or a list of names.")
    match: dict[str, str] = {}
    exclude: dict[str, str] = {}
    for key, pattern in item.items():
        if key in _META_KEYS:
            continue
        target = exclude if key.startswith(NEGATION) else match
        target[key.removeprefix(NEGATION)] = _check_regex(pattern, key, where, checker)
    if not match and not partners:
        raise CategoriesError(
            f"{where}: has no conditions, so it would put every line in one category; "
            "add a field regex."
        )
    return CategoryRule(
        id=rule_id,
        name=name.strip(),
        match=match,
        exclude=exclude,
        partners=tuple(slugify(p) for p in partners),
        influenceable=influenceable,
        note=note.strip(),
        origin=origin,
    )


def _check_regex(pattern: Any, key: str, where: str, checker: duckdb.DuckDBPyConnection) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise CategoriesError(f"{where}: {key} must be a non-empty regular expression in quotes.")
    try:
        checker.execute("SELECT regexp_matches('', ?)", [case_insensitive(pattern)]).fetchall()
    except duckdb.Error as exc:
        message = str(exc).split("Error: ", 1)[-1]
        raise CategoriesError(
            f"{where}: {key} = {pattern!r} is not a valid regular expression ({message}). "
            "Patterns use RE2 syntax: no look-ahead/behind or back-references."
        ) from exc
    return pattern


_TIDY = "_tidy_"


def _tidy(column: ir.StringValue) -> ir.StringValue:
    # Underscores ("computer_software") and any white space, including the
    # non-breaking spaces some spreadsheets hold, read as one ordinary space.
    return column.re_replace(r"[\s_\x{00A0}\x{2007}\x{202F}]+", " ").strip()


def _search(table: ir.Table, name: str, pattern: str) -> ir.BooleanValue:
    regex = case_insensitive(pattern)
    columns = CATEGORY_GROUPS.get(name, (name,))
    hits = [table[_TIDY + c].re_search(regex).fill_null(False) for c in columns]
    return functools.reduce(operator.or_, hits)


def _condition(rule: CategoryRule, table: ir.Table) -> ir.BooleanValue:
    parts: list[ir.BooleanValue] = [_search(table, k, v) for k, v in rule.match.items()]
    parts += [~_search(table, k, v) for k, v in rule.exclude.items()]
    if rule.partners:
        parts.append(table.partner.isin(list(rule.partners)))
    return functools.reduce(operator.and_, parts)


def _label(column: ir.StringValue) -> ir.StringValue:
    tidy = _tidy(column).lower()
    return ibis.ifelse(tidy == "", ibis.null().cast("string"), tidy)


def categorise(table: ir.Table, categories: CategorySet) -> ir.Table:
    """Return ``table`` with category_rule, category_source, category, category_key, influenceable.

    ``table`` needs the text columns of :data:`FIELDS` the rules test, ``proclass``,
    ``expense_type`` and ``partner``. Uncategorised lines have NULL category.
    """
    null = ibis.null().cast("string")
    # Tidy each tested column once, not once per rule that tests it.
    fields = categories.fields()
    table = table.mutate(**{_TIDY + f: _tidy(table[f]) for f in fields})
    if categories.rules:
        rule_id = ibis.cases(
            *[(_condition(r, table), ibis.literal(r.id)) for r in categories.rules], else_=null
        )
        names = {r.id: r.name for r in categories.rules}
        closed = [r.id for r in categories.rules if not r.influenceable]
    else:
        rule_id, names, closed = null, {}, []
    table = table.mutate(category_rule=rule_id)
    proclass = _label(table.proclass)
    expense = _label(table.expense_type)
    named = table.category_rule.substitute(names, else_=null) if names else null
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
