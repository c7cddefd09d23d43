"""``totalplace journey new|run|list``: a cohort's contacts across agencies, costed today and redesigned.

Thin: each command parses, calls one function of :mod:`totalplace.journey` and renders its
document (Rich tables, ``--json``, ``--export``, ``--charts``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, export_option
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import export_rows, failing, load, writing

__all__ = ["journey_app"]

journey_app = typer.Typer(
    help="Customer journeys: one cohort's contacts across agencies, costed today and redesigned.",
    no_args_is_help=True,
)

NameArg = Annotated[
    str, typer.Argument(help="Journey name (a file journeys/NAME.toml) or a path to one.")
]


@journey_app.command("new")
def new_command(
    name: NameArg,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    export: Annotated[Path | None, export_option("the file written")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Write a commented starting journey file naming the place's partners."""
    from totalplace.journey import new_journey

    ws = load(workspace, as_json, export)
    with failing(as_json):
        path = new_journey(ws, name, force)
    row = {"journey": name, "file": str(path)}
    written = export_rows([row], export, as_json, "journey")
    if as_json:
        emit_json(row, written)
        return
    out.print(f"Wrote {safe(path)}. Replace its illustrative figures, then run "
              f"[bold]totalplace journey run {safe(path.stem)}[/].")  # fmt: skip
    say_exported(written)


@journey_app.command("list")
def list_command(
    export: Annotated[Path | None, export_option("the list")] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """List the workspace's journeys: cohort, contacts on each path, or what is wrong."""
    from totalplace.journey import list_journeys

    ws = load(workspace, as_json, export)
    with failing(as_json):
        rows = list_journeys(ws)
    written = export_rows(rows, export, as_json, "journeys")
    if as_json:
        emit_json({"journeys": rows}, written)
        return
    if not rows:
        out.print("No journeys yet: `totalplace journey new NAME` writes one.")
        return
    columns = ["Journey", "File", "Cohort", "Current", "Redesigned", "Problems"]
    table = new_table("Journeys", columns, words=columns)
    for row in rows:
        table.add_row(*(safe("" if row[k] is None else row[k]) for k in
                        ("name", "file", "cohort", "current", "redesigned", "problem")))  # fmt: skip
    out.print(table)
    say_exported(written)


@journey_app.command("run")
def run_command(
    name: NameArg,
    export: Annotated[
        Path | None,
        export_option(
            "the agencies, contacts and settings",
            "to one .xlsx workbook (a sheet each) or one .csv/.parquet per view",
        ),
    ] = None,
    charts: Annotated[
        Path | None,
        typer.Option(
            "--charts",
            file_okay=False,
            help="Also write the charts (journey timeline, per-agency bars) to this folder as "
            "Vega-Lite .vl.json and SVG.",
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Cost a journey: per agency a year, current and redesigned, and who pays less or more."""
    from totalplace.journey import export_journey, journey_document, run_journey
    from totalplace.journey.charts import write_journey_charts

    ws = load(workspace, as_json, export)
    with failing(as_json):
        doc = journey_document(run_journey(ws, name))
    written: list[Path] = []
    if export is not None:
        with writing(export, as_json):
            written = export_journey(doc, export)
    if charts is not None:
        with writing(charts, as_json):
            written += write_journey_charts(doc, charts)
    if as_json:
        emit_json(doc | ({"exported_to": [str(p) for p in written]} if written else {}))
        return
    print_run(doc)
    if written:
        out.print("Exported to " + safe(", ".join(str(p) for p in written)) + ".")


def print_run(doc: dict[str, Any]) -> None:
    """Print a costed journey: each agency's yearly cost, current and redesigned, then each contact."""
    j, c, t = doc["journey"], doc["cohort"], doc["totals"]
    out.print(f"[bold]{safe(j['name'])}[/]: {safe(c['name'])}, {c['size']:,g} a year; "
              f"prices of {j['price_year']}")  # fmt: skip
    table = new_table(
        "Yearly cost of the cohort by agency (per person: per member of the cohort)",
        ["Agency", "Current", "Redesigned", "Difference", "Per person now", "Per person redesigned",
         "Pays"],
        words=["Agency", "Pays"],
    )  # fmt: skip
    for a in doc["agencies"]:
        name = safe(a["agency"]) + ("" if a["partner"] else " [dim](not a partner)[/]")
        table.add_row(name, money(a["current"]), money(a["redesigned"]), money(a["difference"]),
                      money(a["current_per_person"]), money(a["redesigned_per_person"]), a["pays"])  # fmt: skip
    table.add_row("[bold]All agencies[/]", money(t["current"]), money(t["redesigned"]),
                  money(t["difference"]), money(t["current_per_person"]),
                  money(t["redesigned_per_person"]), "")  # fmt: skip
    out.print(table)
    contacts = new_table(
        "Each contact: unit cost at the journey's prices, and where it comes from",
        ["Path", "#", "Agency", "Activity", "Unit cost", "Uplift", "Freq.", "Share", "A year",
         "Unit cost source"],
        words=["Path", "Agency", "Activity", "Unit cost source"],
    )  # fmt: skip
    for line in doc["contacts"]:
        uplift = f"x{line['uplift']:.4f} from {line['original_price_year']}"
        contacts.add_row(line["path"], str(line["step"]), safe(line["agency"]), safe(line["activity"]),
                         money(line["unit_cost"]), uplift, f"{line['frequency']:g}",
                         f"{line['share']:.0%}", money(line["per_cohort"]),
                         safe(line["unit_cost_ref"]))  # fmt: skip
    out.print(contacts)
    out.print(f"[dim]{safe(doc['method'])}[/]")
