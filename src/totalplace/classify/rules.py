"""Classification rules: read, check and merge the readable rule files.

The defaults ship in ``totalplace/data/rules/default.toml``; a workspace may add a
``rules.toml`` beside its ``place.toml``. Each ``[[rule]]`` gives a value on one
dimension to the transactions whose fields all match its conditions. The first
matching rule per dimension wins, in this order: new workspace rules (in file
order), then the defaults (in file order), where a workspace rule with a default's
``id`` takes that default's place and ``disabled = true`` switches a default off.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from totalplace.workspace import SECTORS, Workspace, slugify

WORKSPACE_RULES_FILE = "rules.toml"

SUBJECTIVE_GROUPS: tuple[str, ...] = (
    "Employees",
    "Premises",
    "Transport",
    "Supplies and services",
    "Third party payments",
    "Transfer payments",
    "Support services",
    "Depreciation and impairment",
    "Income",
    "Capital financing",
)

THEMES: tuple[str, ...] = (
    "Older people",
    "Children and families",
    "Health and wellbeing",
    "Community safety",
    "Worklessness and skills",
    "Housing and homelessness",
    "Place and environment",
    "Culture and leisure",
    "Transport and highways",
    "Corporate and democratic",
)

BACK_OFFICE_FUNCTIONS: tuple[str, ...] = (
    "HR",
    "Finance",
    "ICT",
    "Property",
    "Procurement",
    "Legal",
    "Democratic",
)

#: A back_office rule may give this value to mark lines as front line explicitly
#: (e.g. precepts booked to a finance cost centre), so a later rule does not claim them.
FRONT_LINE = "Front line"

#: Money a body passes on to another public body rather than spends (domain spec §3.2
#: rule 4: a transfer is counted once, at the body that finally spends it).
TRANSFER_KINDS: tuple[str, ...] = (
    "Precept or levy",
    "Business rates share",
    "Collection fund surplus or deficit",
    "Council tax or business rates refund",
)

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "subjective": SUBJECTIVE_GROUPS,
    "back_office": (*BACK_OFFICE_FUNCTIONS, FRONT_LINE),
    "theme": THEMES,
    "transfer": TRANSFER_KINDS,
}

#: Transaction text columns a rule may test with a regular expression.
FIELDS: tuple[str, ...] = (
    "expense_type",
    "expense_code",
    "purpose",
    "proclass",
    "service_area",
    "department",
    "supplier_name",
    "body",
    "capital_revenue",
    "procurement_card",
    "payee_status",
)

#: Shorthand fields: the regex holds if it matches any one of the named columns.
GROUPS: dict[str, tuple[str, ...]] = {
    "what": ("expense_type", "expense_code", "purpose"),
    "service": ("service_area", "department"),
    # The publishing partner's name as place.toml gives it (its slug: words joined by
    # hyphens), for bodies whose name says what they are for ("Transport for London").
    "partner_name": ("partner",),
}

MATCH_KEYS: tuple[str, ...] = (*FIELDS, *GROUPS)
_META_KEYS = ("id", "dimension", "value", "note", "disabled")
_LIST_KEYS = ("sector", "partner")
NEGATION = "not_"


class RulesError(Exception):
    """A rule file that cannot be used; the message names the file, the rule and the fault."""


@dataclass(frozen=True)
class Rule:
    """One classification rule: a value on a dimension and the conditions that must all hold."""

    id: str
    dimension: str
    value: str
    note: str
    source: str
    match: dict[str, str] = field(default_factory=dict)
    exclude: dict[str, str] = field(default_factory=dict)
    sectors: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    origin: str = "default"

    def describe(self) -> str:
        """Return the conditions in words, e.g. "expense_type ~ /agency/ and sector in police"."""
        parts = [f"{k} ~ /{v}/" for k, v in self.match.items()]
        parts += [f"{k} !~ /{v}/" for k, v in self.exclude.items()]
        if self.sectors:
            parts.append("sector in " + ", ".join(self.sectors))
        if self.partners:
            parts.append("partner in " + ", ".join(self.partners))
        return " and ".join(parts)

    def matching_sectors(self) -> list[str]:
        """Return the known sectors the rule's sector patterns name (e.g. "nhs_*")."""
        return [s for s in SECTORS if any(fnmatch.fnmatchcase(s, p) for p in self.sectors)]


@dataclass(frozen=True)
class RuleSet:
    """The rules in force, in the order they are tried, and the default ids switched off."""

    rules: tuple[Rule, ...]
    disabled: tuple[str, ...] = ()

    def for_dimension(self, dimension: str) -> list[Rule]:
        """Return the rules of one dimension in the order they are tried."""
        return [r for r in self.rules if r.dimension == dimension]

    def fields(self) -> list[str]:
        """Return the transaction columns the rules test, shorthands expanded."""
        used: set[str] = set()
        for rule in self.rules:
            for name in (*rule.match, *rule.exclude):
                used.update(GROUPS.get(name, (name,)))
        return [f for f in FIELDS if f in used]

    def ids(self) -> set[str]:
        """Return the ids of the rules in force."""
        return {r.id for r in self.rules}


def default_rules_path() -> Path:
    """Return the path of the packaged default rules file."""
    return Path(str(resources.files("totalplace") / "data" / "rules" / "default.toml"))


def load_rules(workspace: Workspace | Path | str | None = None) -> RuleSet:
    """Return the rules in force for a workspace (defaults merged with its rules.toml).

    Raises RulesError naming the file and rule if either file is wrong.
    """
    defaults = _parse_file(default_rules_path(), origin="default", allow_disable=False)
    if workspace is None:
        return RuleSet(tuple(r for r in defaults if isinstance(r, Rule)))
    root = workspace.root if isinstance(workspace, Workspace) else Path(workspace)
    path = root / WORKSPACE_RULES_FILE
    if not path.exists():
        return RuleSet(tuple(r for r in defaults if isinstance(r, Rule)))
    local = _parse_file(path, origin="workspace", allow_disable=True)
    return merge(defaults, local, str(path))


def merge(defaults: Iterable[Rule | str], local: Iterable[Rule | str], source: str) -> RuleSet:
    """Return workspace rules merged with the defaults.

    ``local`` holds Rules and, for ``disabled = true`` entries, bare ids. New local
    rules come first; a local rule with a default's id replaces it in place.
    """
    default_rules = [r for r in defaults if isinstance(r, Rule)]
    known = {r.id for r in default_rules}
    replacing: dict[str, Rule] = {}
    disabled: list[str] = []
    new: list[Rule] = []
    for item in local:
        if isinstance(item, str):
            if item not in known:
                raise RulesError(
                    f"{source}: rule {item!r} sets disabled = true, but no default rule has "
                    f"that id (check the spelling against {default_rules_path()})."
                )
            disabled.append(item)
        elif item.id in known:
            replacing[item.id] = replace(item, origin="workspace (replaces default)")
        else:
            new.append(item)
    merged = new + [replacing.get(r.id, r) for r in default_rules if r.id not in disabled]
    return RuleSet(tuple(merged), tuple(disabled))


def _parse_file(path: Path, origin: str, allow_disable: bool) -> list[Rule | str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML ({exc}).") from exc
    except OSError as exc:
        raise RulesError(f"{path}: cannot be read ({exc}).") from exc
    unknown = set(data) - {"rule"}
    if unknown:
        raise RulesError(
            f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
            "the file holds [[rule]] tables only."
        )
    items = data.get("rule", [])
    if not isinstance(items, list):
        raise RulesError(f"{path}: 'rule' must be written as [[rule]] tables.")
    seen: set[str] = set()
    out: list[Rule | str] = []
    checker = duckdb.connect()
    try:
        for number, item in enumerate(items, start=1):
            parsed = _parse_rule(item, number, path, origin, allow_disable, checker)
            rule_id = parsed if isinstance(parsed, str) else parsed.id
            if rule_id in seen:
                raise RulesError(f"{path}: rule {rule_id!r} appears twice; ids must be unique.")
            seen.add(rule_id)
            out.append(parsed)
    finally:
        checker.close()
    return out


def _parse_rule(
    item: Mapping[str, Any],
    number: int,
    path: Path,
    origin: str,
    allow_disable: bool,
    checker: duckdb.DuckDBPyConnection,
) -> Rule | str:
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise RulesError(f"{path}: rule number {number} has no id; give it a stable id string.")
    where = f"{path}: rule {rule_id!r}"
    if item.get("disabled", False) is True:
        if not allow_disable:
            raise RulesError(f"{where}: default rules cannot be disabled here.")
        return rule_id
    unknown = [k for k in item if not _is_known_key(k)]
    if unknown:
        raise RulesError(
            f"{where}: unknown field(s) {', '.join(unknown)}. Conditions may test "
            f"{', '.join(MATCH_KEYS)} (or not_<field>), sector and partner."
        )
    dimension = item.get("dimension")
    if not isinstance(dimension, str) or dimension not in DIMENSIONS:
        raise RulesError(f"{where}: dimension {dimension!r} is not one of {', '.join(DIMENSIONS)}.")
    value = item.get("value")
    allowed = DIMENSIONS[dimension]
    if value not in allowed:
        raise RulesError(
            f"{where}: value {value!r} is not a {dimension} value; use one of {', '.join(allowed)}."
        )
    note = item.get("note", "")
    if not isinstance(note, str):
        raise RulesError(f"{where}: note must be text.")
    match: dict[str, str] = {}
    exclude: dict[str, str] = {}
    for key, pattern in item.items():
        if key in _META_KEYS or key in _LIST_KEYS:
            continue
        target = exclude if key.startswith(NEGATION) else match
        name = key.removeprefix(NEGATION)
        target[name] = _check_regex(pattern, key, where, checker)
    sectors = _as_list(item.get("sector"), "sector", where)
    for pattern in sectors:
        if not any(fnmatch.fnmatchcase(s, pattern) for s in SECTORS):
            raise RulesError(
                f"{where}: sector {pattern!r} matches no known sector; use {', '.join(SECTORS)} "
                "(a trailing * is allowed, e.g. nhs_*)."
            )
    partners = tuple(slugify(p) for p in _as_list(item.get("partner"), "partner", where))
    if not (match or sectors or partners):
        raise RulesError(
            f"{where}: has no conditions, so it would match every line and hide unclassified "
            "spend; add a field regex, sector or partner."
        )
    return Rule(
        id=rule_id,
        dimension=dimension,
        value=value,
        note=note.strip(),
        source=str(path),
        match=match,
        exclude=exclude,
        sectors=tuple(sectors),
        partners=partners,
        origin=origin,
    )


def _is_known_key(key: str) -> bool:
    if key in _META_KEYS or key in _LIST_KEYS or key in MATCH_KEYS:
        return True
    return key.startswith(NEGATION) and key.removeprefix(NEGATION) in MATCH_KEYS


def _as_list(raw: Any, key: str, where: str) -> list[str]:
    if raw is None:
        return []
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise RulesError(f"{where}: {key} must be a name or a list of names.")
    return list(values)


def _check_regex(pattern: Any, key: str, where: str, checker: duckdb.DuckDBPyConnection) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise RulesError(f"{where}: {key} must be a non-empty regular expression in quotes.")
    try:
        checker.execute("SELECT regexp_matches('', ?)", [case_insensitive(pattern)]).fetchall()
    except duckdb.Error as exc:
        message = str(exc).split("Error: ", 1)[-1]
        raise RulesError(
            f"{where}: {key} = {pattern!r} is not a valid regular expression ({message}). "
            "Patterns use RE2 syntax: no look-ahead/behind or back-references."
        ) from exc
    return pattern


def case_insensitive(pattern: str) -> str:
    """Return the pattern as matched: case-insensitive (RE2 ``(?i)`` flag)."""
    return pattern if pattern.startswith("(?i)") else f"(?i){pattern}"
