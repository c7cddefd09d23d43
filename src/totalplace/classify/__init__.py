"""Classify: tag every transaction with a CIPFA subjective group, front/back office and a theme.

Rules are readable TOML (``totalplace/data/rules/default.toml``, overridden by a
workspace's ``rules.toml``); the first matching rule per dimension wins and its id
is recorded on the line. Unmatched lines stay NULL (front line for back office)
and are reported, never hidden. The work runs in the engine as one Ibis
expression; re-running replaces the ``classifications`` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from totalplace.classify.engine import COLUMNS, classification_expr, rules_table
from totalplace.classify.report import (
    Amounts,
    DimensionCoverage,
    NotClassifiedError,
    coverage,
    dimension_coverage,
)
from totalplace.classify.rules import (
    BACK_OFFICE_FUNCTIONS,
    SUBJECTIVE_GROUPS,
    THEMES,
    WORKSPACE_RULES_FILE,
    Rule,
    RulesError,
    RuleSet,
    default_rules_path,
    load_rules,
)
from totalplace.warehouse import connect, replace_table, transaction
from totalplace.workspace import Workspace

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
    "coverage",
    "default_rules_path",
    "load_rules",
]


@dataclass(frozen=True)
class ClassifyResult:
    """What a classify run did: lines written, rules used and coverage per dimension."""

    rows: int
    rules: int
    disabled: tuple[str, ...]
    workspace_rules: Path | None
    coverage: dict[str, DimensionCoverage]


def classify(workspace: Workspace) -> ClassifyResult:
    """Classify every transaction and return the lines written and coverage per dimension.

    Writes ``classifications`` (one row per transaction: see COLUMNS) and
    ``classification_rules`` (the rules in force, so each recorded id resolves),
    replacing both atomically. Raises RulesError if a rule file is wrong, before
    anything is written.
    """
    ruleset = load_rules(workspace)
    local = workspace.root / WORKSPACE_RULES_FILE
    sectors = {p.slug: p.sector for p in workspace.partners}
    con = connect(workspace)
    try:
        expr = classification_expr(con.table("transactions"), ruleset, sectors)
        with transaction(con):
            replace_table(con, "classifications", expr)
            replace_table(con, "classification_rules", rules_table(ruleset))
        rows = int(con.table("classifications").count().execute())
        covered = dimension_coverage(con)
    finally:
        con.disconnect()
    return ClassifyResult(
        rows=rows,
        rules=len(ruleset.rules),
        disabled=ruleset.disabled,
        workspace_rules=local if local.exists() else None,
        coverage=covered,
    )
