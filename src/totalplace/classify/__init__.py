"""Classify: tag every transaction with a CIPFA subjective group, front/back office and a theme.

Rules are readable TOML (``totalplace/data/rules/default.toml``, overridden by a
workspace's ``rules.toml``); the first matching rule per dimension wins and its id
is recorded on the line. Unmatched lines stay NULL (front line for back office)
and are reported, never hidden. The work runs in the engine as one Ibis
expression; re-running replaces the ``classifications`` table.
"""

from __future__ import annotations

from totalplace.classify.engine import COLUMNS
from totalplace.classify.report import (
    Amounts,
    DimensionCoverage,
    NotClassifiedError,
    coverage,
)
from totalplace.classify.rules import (
    BACK_OFFICE_FUNCTIONS,
    SUBJECTIVE_GROUPS,
    THEMES,
    Rule,
    RulesError,
    RuleSet,
    default_rules_path,
    load_rules,
)
from totalplace.classify.run import ClassifyResult, classify, classify_on

__all__ = [
    "BACK_OFFICE_FUNCTIONS",
    "COLUMNS",
    "SUBJECTIVE_GROUPS",
    "THEMES",
    "Amounts",
    "ClassifyResult",
    "DimensionCoverage",
    "NotClassifiedError",
    "Rule",
    "RuleSet",
    "RulesError",
    "classify",
    "classify_on",
    "coverage",
    "default_rules_path",
    "load_rules",
]
