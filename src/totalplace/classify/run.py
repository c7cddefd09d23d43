"""Run classify: write ``classifications`` and ``classification_rules`` for every transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from totalplace import stages
from totalplace.classify.engine import classification_expr, rules_table
from totalplace.classify.report import DimensionCoverage, dimension_coverage
from totalplace.classify.rules import WORKSPACE_RULES_FILE, RuleSet, load_rules
from totalplace.warehouse import connect, engine_of, replace_table, transaction
from totalplace.workspace import Workspace


@dataclass(frozen=True)
class ClassifyResult:
    """What a classify run did: lines written, rules used and coverage per dimension."""

    rows: int
    rules: int
    disabled: tuple[str, ...]
    workspace_rules: Path | None
    coverage: dict[str, DimensionCoverage]


def classify(workspace: Workspace) -> ClassifyResult:
    """Classify every transaction in the workspace's warehouse; return lines written and coverage.

    Opens the workspace's warehouse and runs :func:`classify_on` on it.
    """
    ruleset = load_rules(workspace)  # a wrong rule file stops before the warehouse is opened
    con = connect(workspace)
    try:
        return classify_on(con, workspace, ruleset)
    finally:
        con.disconnect()


def classify_on(con: Any, workspace: Workspace, ruleset: RuleSet | None = None) -> ClassifyResult:
    """Classify every transaction on an open warehouse connection; return lines written and coverage.

    Writes ``classifications`` (one row per transaction: see COLUMNS) and
    ``classification_rules`` (the rules in force, so each recorded id resolves),
    replacing both atomically. Raises RulesError if a rule file is wrong, before
    anything is written.
    """
    ruleset = ruleset or load_rules(workspace)
    local = workspace.root / WORKSPACE_RULES_FILE
    sectors = {p.slug: p.sector for p in workspace.partners}
    expr = classification_expr(con.table("transactions"), ruleset, sectors, engine_of(con))
    with transaction(con):
        replace_table(con, "classifications", expr)
        replace_table(con, "classification_rules", rules_table(ruleset))
    stages.record(con, workspace, "classify")
    rows = int(con.table("classifications").count().to_pyarrow().as_py())
    return ClassifyResult(
        rows=rows,
        rules=len(ruleset.rules),
        disabled=ruleset.disabled,
        workspace_rules=local if local.exists() else None,
        coverage=dimension_coverage(con),
    )
