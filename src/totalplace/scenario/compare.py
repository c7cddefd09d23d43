"""Scenarios side by side, and the workspace's list of scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from totalplace.scenario.document import document
from totalplace.scenario.run import run_scenario
from totalplace.scenario.spec import ScenarioFileError, read_scenario, scenario_names
from totalplace.workspace import Workspace

__all__ = ["compare_scenarios", "list_scenarios"]

_MEASURES = (
    ("Costs (PV)", "pv_costs"),
    ("Fiscal benefits, cashable (PV)", "pv_fiscal_cashable"),
    ("Fiscal benefits, non-cashable (PV)", "pv_fiscal_non_cashable"),
    ("Economic value (PV)", "pv_economic"),
    ("Social value (PV)", "pv_social"),
    ("Net present budget impact", "net_present_budget_impact"),
    ("Net present public value", "net_present_public_value"),
    ("Financial return on investment", "financial_roi"),
    ("Benefit-cost ratio, public value", "bcr_public_value"),
    ("Payback year", "payback_year"),
)


def compare_scenarios(
    workspace: Workspace, names: Sequence[str], draws: int | None = None, seed: int | None = None
) -> dict[str, Any]:
    """Return the scenarios' measures, spread and partner positions side by side (one row per
    measure, a column per scenario) and each scenario's whole document."""
    documents = [document(run_scenario(workspace, name, draws, seed)) for name in names]
    titles = [d["scenario"]["name"] for d in documents]
    if len(set(titles)) < len(titles):  # two files with one [scenario] name: tell them apart
        titles = [f"{t} ({n})" for t, n in zip(titles, names, strict=True)]
    rows: list[dict[str, Any]] = []
    for label, key in _MEASURES:
        rows.append(
            {"measure": label}
            | {t: d["measures"][key] for t, d in zip(titles, documents, strict=True)}
        )
    for quantile in ("p10", "p50", "p90"):
        rows.append(
            {"measure": f"Net present public value, {quantile.upper()}"}
            | {
                t: d["monte_carlo"]["nppv"][quantile]
                for t, d in zip(titles, documents, strict=True)
            }
        )
    partners = [p["partner"] for p in documents[0]["partners"]]
    for partner in partners:
        for label, key in (("net position", "net"), ("Shapley share", "shapley_share")):
            rows.append(
                {"measure": f"{partner}: {label}"}
                | {
                    t: next(p[key] for p in d["partners"] if p["partner"] == partner)
                    for t, d in zip(titles, documents, strict=True)
                }
            )
    return {"scenarios": titles, "rows": rows, "documents": documents}


def list_scenarios(workspace: Workspace) -> list[dict[str, Any]]:
    """Return each scenario file of the workspace: its name, file, levers, and any problem."""
    rows: list[dict[str, Any]] = []
    for path in scenario_names(workspace):
        try:
            spec = read_scenario(path)
        except ScenarioFileError as exc:
            first = exc.problems[0] if exc.problems else None
            rows.append({
                "name": path.stem, "file": str(path), "levers": [],
                "problem": f"line {first.line}: {first.message}" if first and first.line else (first.message if first else str(exc)),
            })  # fmt: skip
            continue
        rows.append({
            "name": spec.name, "file": str(path),
            "levers": [f"{lever.name} ({lever.kind})" for lever in spec.levers], "problem": None,
        })  # fmt: skip
    return rows
