"""Classification rules: read, check and merge the readable rule files.

The defaults ship in ``totalplace/data/rules/default.toml``; a workspace may add a
``rules.toml`` beside its ``place.toml``. Each ``[[rule]]`` gives a value on one
dimension to the transactions whose fields all match its conditions. The first
matching rule per dimension wins, in this order: new workspace rules (in file
order), then the defaults (in file order), where a workspace rule with a default's
``id`` takes that default's place and ``disabled = true`` switches a default off.
Reading, merging and matching are the one rule engine's (:mod:`totalplace.rules`);
this module supplies what is the classification's own: dimensions and their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from totalplace import rules as engine
from totalplace.rules import RulesError
from totalplace.workspace import Workspace

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
_COLUMNS: dict[str, tuple[str, ...]] = {**{f: (f,) for f in FIELDS}, **GROUPS}

__all__ = [
    "BACK_OFFICE_FUNCTIONS",
    "DIMENSIONS",
    "FIELDS",
    "FRONT_LINE",
    "GROUPS",
    "KIND",
    "MATCH_KEYS",
    "SUBJECTIVE_GROUPS",
    "THEMES",
    "TRANSFER_KINDS",
    "WORKSPACE_RULES_FILE",
    "Rule",
    "RuleSet",
    "RulesError",
    "default_rules_path",
    "load_rules",
]


@dataclass(frozen=True, kw_only=True)
class Rule(engine.Rule):
    """One classification rule: a value on a dimension and the conditions that must all hold."""

    dimension: str
    value: str
    note: str = ""
    sectors: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """Return the file and line the rule was read from."""
        return self.where

    @property
    def partners(self) -> tuple[str, ...]:
        """Return the partner slugs the rule is limited to (none: every partner)."""
        return tuple(self.within.get("partner", ()))

    def matching_sectors(self) -> list[str]:
        """Return the known sectors the rule's sector patterns name (e.g. "nhs_*")."""
        return list(self.within.get("sector", ()))


@dataclass(frozen=True)
class RuleSet(engine.RuleSet):
    """The classification rules in force, in the order they are tried, and the default ids switched off."""

    def for_dimension(self, dimension: str) -> list[Rule]:
        """Return the rules of one dimension in the order they are tried."""
        return [r for r in self.rules if r.dimension == dimension]

    def fields(self) -> list[str]:
        """Return the transaction columns the rules test, shorthands expanded."""
        return self.columns(FIELDS)


def _build(item: Mapping[str, Any], where: str) -> dict[str, Any]:
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
    sector = item.get("sector", ())
    sectors = (sector,) if isinstance(sector, str) else tuple(sector)
    return {"dimension": dimension, "value": value, "note": note.strip(), "sectors": sectors}


#: The classification rules as the rule engine reads them.
KIND = engine.RuleKind(
    noun="rule",
    table="rule",
    fields=_COLUMNS,
    own=frozenset({"dimension", "value", "note"}),
    build=_build,
    make=Rule,
    sector=True,
)


def default_rules_path() -> Path:
    """Return the path of the packaged default rules file."""
    return Path(str(resources.files("totalplace") / "data" / "rules" / "default.toml"))


def load_rules(workspace: Workspace | Path | str | None = None) -> RuleSet:
    """Return the rules in force for a workspace (defaults merged with its rules.toml).

    Raises RulesError naming the file and rule if either file is wrong.
    """
    found = engine.load_with_workspace(KIND, default_rules_path(), workspace, WORKSPACE_RULES_FILE)
    return RuleSet(found.rules, found.disabled, found.files)
