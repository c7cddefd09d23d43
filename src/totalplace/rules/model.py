"""What every rule set shares: a rule's id, conditions and provenance, and the rules in force."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from totalplace.errors import WorkspaceStateError


class RulesError(WorkspaceStateError, ValueError):
    """A rule file that cannot be used; the message names the file, the rule and what to fix."""


@dataclass(frozen=True)
class Test:
    """One condition of a rule: ``pattern`` searched in any of ``columns`` (``negated``: must not match)."""

    key: str
    columns: tuple[str, ...]
    pattern: str
    negated: bool = False


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A rule of any rule set: an id, conditions that must all hold, and where it came from.

    ``tests`` are regular-expression conditions; ``within`` maps a column to the values
    it must take (a partner, a sector, a source). ``origin`` is "default", "workspace"
    or "workspace (replaces default)"; ``where`` is the file and line it was read from.
    Each rule set subclasses it with its own fields (a value, a category, a theme).
    """

    id: str
    tests: tuple[Test, ...] = ()
    within: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    origin: str = "default"
    where: str = ""

    @property
    def match(self) -> dict[str, str]:
        """Return the conditions that must match, by key (field or shorthand)."""
        return {t.key: t.pattern for t in self.tests if not t.negated}

    @property
    def exclude(self) -> dict[str, str]:
        """Return the conditions that must not match, by key."""
        return {t.key: t.pattern for t in self.tests if t.negated}

    def columns(self) -> set[str]:
        """Return the text columns the rule's patterns test."""
        return {c for t in self.tests for c in t.columns}

    def describe(self) -> str:
        """Return the conditions in words, e.g. "expense_type ~ /agency/ and sector in police"."""
        parts = [f"{t.key} {'!~' if t.negated else '~'} /{t.pattern}/" for t in self.tests]
        parts += [f"{k} in " + ", ".join(v) for k, v in self.within.items()]
        return " and ".join(parts)


@dataclass(frozen=True)
class RuleSet:
    """The rules in force, in the order they are tried, the default ids switched off and the files read."""

    rules: tuple[Any, ...]
    disabled: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def ids(self) -> set[str]:
        """Return the ids of the rules in force."""
        return {r.id for r in self.rules}

    def columns(self, order: tuple[str, ...] | None = None) -> list[str]:
        """Return the text columns the rules' patterns test (in ``order`` if given)."""
        used: set[str] = set()
        for rule in self.rules:
            used |= rule.columns()
        return [c for c in order if c in used] if order is not None else sorted(used)

    def rule(self, rule_id: str) -> Any:
        """Return the rule with this id (KeyError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def by_id(self) -> Mapping[str, Any]:
        """Return the rules by id."""
        return {r.id: r for r in self.rules}
