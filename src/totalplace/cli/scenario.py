"""``totalplace scenario new|run|compare|list``: reform levers appraised, who pays and who benefits.

Thin: each command parses, calls one function of :mod:`totalplace.scenario` and renders
its document (Rich tables, ``--json``, ``--export``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, export_option
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import export_rows, fail, failing, load, writing

__all__ = ["scenario_app"]

scenario_app = typer.Typer(
    help="Scenarios: reform levers over the count, a Green Book appraisal, who pays and who gains.",
    no_args_is_help=True,
)

NameArg = Annotated[
    str, typer.Argument(help="Scenario name (a file scenarios/NAME.toml) or a path to one.")
]
DrawsOpt = Annotated[
    int | None,
    typer.Option(
        "--draws", min=1, max=1_000_000, help="Monte Carlo draws (default: the file's draws)."
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", min=0, help="Random seed (default: the file's seed).")
]


@scenario_app.command("new")
def new_command(
    name: NameArg,
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            help="back-office, procurement, early-intervention or budget-change.",
        ),
    ] = "back-office",
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    export: Annotated[Path | None, export_option("the scenario's settings")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Write a commented starting scenario file from the place's own figures."""
    from totalplace.scenario import TEMPLATES, new_scenario

    ws = load(workspace, as_json, export)
    if template not in TEMPLATES:
        fail(
            f"no scenario template {template!r}; the templates are {', '.join(TEMPLATES)}", as_json
        )
    with failing(as_json):
        path = new_scenario(ws, name, template, force)
    row = {"scenario": name, "template": template, "file": str(path)}
    written = export_rows([row], export, as_json, "scenario")
    if as_json:
        emit_json(row, written)
        return
    out.print(f"Wrote {safe(path)} ({safe(TEMPLATES[template])}). Edit it, then run "
              f"[bold]totalplace scenario run {safe(path.stem)}[/].")  # fmt: skip
    say_exported(written)


@scenario_app.command("list")
def list_command(
    export: Annotated[Path | None, export_option("the list")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """List the workspace's scenarios and their levers."""
    from totalplace.scenario import list_scenarios

    ws = load(workspace, as_json, export)
    with failing(as_json):
        rows = list_scenarios(ws)
    written = export_rows(rows, export, as_json, "scenarios")
    if as_json:
        emit_json({"scenarios": rows}, written)
        return
    if not rows:
        out.print(
            "No scenarios yet: `totalplace scenario new NAME --template back-office` writes one."
        )
        return
    table = new_table(
        "Scenarios",
        ["Scenario", "File", "Levers", "Problems"],
        words=["Scenario", "File", "Levers", "Problems"],
    )
    for row in rows:
        table.add_row(
            safe(row["name"]),
            safe(row["file"]),
            safe(", ".join(row["levers"])),
            safe(row["problem"] or ""),
        )
    out.print(table)
    say_exported(written)


@scenario_app.command("run")
def run_command(
    name: NameArg,
    draws: DrawsOpt = None,
    seed: SeedOpt = None,
    export: Annotated[
        Path | None,
        export_option(
            "every view",
            "to one .xlsx workbook (a sheet each, with the inputs) or one .csv/.parquet per view",
        ),
    ] = None,
    charts: Annotated[
        Path | None,
        typer.Option(
            "--charts",
            file_okay=False,
            help="Also write the charts (waterfall, payer x beneficiary, fan, tornado) to this "
            "folder as Vega-Lite .vl.json and SVG.",
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Appraise a scenario: NPV, payback, each partner's position, gain-share and uncertainty."""
    from totalplace.scenario import document, export_document, run_scenario
    from totalplace.scenario.charts import write_charts

    ws = load(workspace, as_json, export)
    with failing(as_json):
        doc = document(run_scenario(ws, name, draws, seed))
    written: list[Path] = []
    if export is not None:
        with writing(export, as_json):
            written = export_document(doc, export)
    if charts is not None:
        with writing(charts, as_json):
            written += write_charts(doc, charts)
    if as_json:
        emit_json(doc | ({"exported_to": [str(p) for p in written]} if written else {}))
        return
    print_run(doc)
    if written:
        out.print("Exported to " + safe(", ".join(str(p) for p in written)) + ".")


@scenario_app.command("compare")
def compare_command(
    names: Annotated[list[str], typer.Argument(help="Two or more scenario names.")],
    draws: DrawsOpt = None,
    seed: SeedOpt = None,
    export: Annotated[Path | None, export_option("the comparison")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Compare scenarios side by side: measures, uncertainty and each partner's net position."""
    from totalplace.scenario import compare_scenarios

    ws = load(workspace, as_json, export)
    if len(names) < 2:
        fail("compare needs two or more scenario names", as_json)
    with failing(as_json):
        doc = compare_scenarios(ws, names, draws, seed)
    written = export_rows(doc["rows"], export, as_json, "comparison")
    if as_json:
        emit_json(doc, written)
        return
    columns = ["Measure", *doc["scenarios"]]
    table = new_table("Scenarios compared (present values at the price base)", columns)
    for row in doc["rows"]:
        cells = [row[s] for s in doc["scenarios"]]
        table.add_row(safe(row["measure"]), *(_cell(c) for c in cells))
    out.print(table)
    say_exported(written)


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, float):  # the ratios: return on investment, benefit-cost
        return f"{value:,.2f}"
    return safe("—" if value is None else value)


def print_run(doc: dict[str, Any]) -> None:
    """Print a scenario run: the measures, each partner's position and gain-share, the spread."""
    s, m = doc["scenario"], doc["measures"]
    out.print(f"[bold]{safe(s['name'])}[/]: {s['horizon']} years from {s['start_year']}, prices of "
              f"{s['price_base']}, discounted to {s['start_year']} ({s['discount']} Green Book rates)")  # fmt: skip
    table = new_table("Appraisal (central case)", ["Measure", "Value"])
    for label, key in (
        ("Costs (PV)", "pv_costs"),
        ("Fiscal benefits (PV): cashable", "pv_fiscal_cashable"),
        ("Fiscal benefits (PV): non-cashable", "pv_fiscal_non_cashable"),
        ("Economic and social value (PV)", None),
        ("Net present budget impact", "net_present_budget_impact"),
        ("Net present public value", "net_present_public_value"),
    ):
        value = (m["pv_economic"] or 0) + (m["pv_social"] or 0) if key is None else m[key]
        table.add_row(label, money(value))
    for label, key in (
        ("Financial return on investment", "financial_roi"),
        ("Benefit-cost ratio (public value)", "bcr_public_value"),
    ):
        table.add_row(label, "—" if m[key] is None else f"{m[key]:.2f}")
    table.add_row("Payback year", m["payback_year"] or "not within the horizon")
    out.print(table)
    spread = doc["monte_carlo"]
    out.print(f"Monte Carlo, {spread['draws']:,} draws (seed {spread['seed']}): net present public value "
              f"P10 {money(spread['nppv']['p10'])}, P50 {money(spread['nppv']['p50'])}, P90 {money(spread['nppv']['p90'])}")  # fmt: skip
    partners = new_table(
        "Who pays, who benefits: each partner (PV, central) and the gain-share proposals",
        [
            "Partner",
            "Pays",
            "Benefits",
            "Net",
            "P(ahead)",
            "By investment",
            "By benefit",
            "Shapley",
        ],
    )
    for row in doc["partners"]:
        partners.add_row(
            safe(row["partner"]), money(row["pays"]), money(row["benefits"]), money(row["net"]),
            f"{row['probability_ahead']:.0%}", money(row.get("investment_share")),
            money(row.get("benefit_share")), money(row.get("shapley_share")),
        )  # fmt: skip
    out.print(partners)
    outside = [a for a in doc["agencies"] if not a["partner"]]
    if outside:
        names = ", ".join(f"{safe(a['agency'])} {money(a['net_fiscal'])}" for a in outside)
        out.print(f"Outside the partnership (net fiscal, PV): {names}")
    for statement in doc["gain_share"]["statements"]:
        out.print(f"[yellow]{safe(statement)}[/]")
    for proposal in doc["gain_share"]["proposals"]:
        if proposal["worse_off"]:
            out.print(
                f"{safe(proposal['title'])}: leaves {safe(', '.join(proposal['worse_off']))} worse off"
            )
    for item in doc.get("local_economy", []):
        effect = item.get("effect")
        what = f"{safe(item['lever'])} ({item['direction']} of {money(abs(item['yearly_change']))} a year)"
        if effect is None:
            out.print(f"Local economy, {what}: {safe(item['note'])}")
        else:
            income, output = (money(Decimal(effect[k])) for k in ("local_income", "output"))
            out.print(f"Local economy, {what}: {effect['total_jobs']} local jobs (Type I), "
                      f"{income} local income, {output} supplier output")  # fmt: skip
    if doc["tornado"]:
        top = doc["tornado"][:5]
        out.print("Inputs that move the net present public value most: "
                  + "; ".join(f"{safe(b['input'])} ({money(b['swing'])})" for b in top))  # fmt: skip
