"""What a cut or reinvestment does to the local economy: jobs, income and supplier output.

A budget_change lever moves a partner's spend on a theme; ``totalplace economy`` knows
which suppliers that spend reaches, where they are and which sectors they are in. Each
such lever's central yearly change is passed to :func:`totalplace.economy.jobs_effect`;
when the economy stage has not run (or is out of date) the document says what to run
instead of guessing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from totalplace.economy import EconomyError, jobs_effect
from totalplace.scenario.budget import BudgetLever
from totalplace.scenario.engine import Model
from totalplace.stages import StageError
from totalplace.warehouse import connect
from totalplace.workspace import Workspace

__all__ = ["economy_effects"]


def economy_effects(workspace: Workspace, model: Model) -> list[dict[str, Any]]:
    """Return, per budget_change lever, the jobs and income its central yearly change touches
    (or a note saying what to run first)."""
    levers = [lever for lever in model.levers if isinstance(lever, BudgetLever)]
    if not levers:
        return []
    found: list[dict[str, Any]] = []
    con = connect(workspace, read_only=True)
    try:
        for lever in levers:
            change = lever.change.range.central
            row: dict[str, Any] = {
                "lever": lever.name,
                "partner": lever.partner,
                "theme": lever.theme,
                "direction": "cut" if change < 0 else "reinvestment",
                "yearly_change": round(Decimal(repr(change)), 2),
            }
            try:
                effect = jobs_effect(
                    con, workspace, lever.partner, lever.theme,
                    abs(round(Decimal(repr(change)), 2)), model.frame.baseline_year,
                )  # fmt: skip
            except (StageError, EconomyError) as exc:
                found.append(row | {"note": str(exc)})
                continue
            found.append(row | {"effect": effect.as_json()})
    finally:
        con.disconnect()
    return found
