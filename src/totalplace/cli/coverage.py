"""``totalplace coverage`` and ``totalplace outturn``: who spends here, and the outturn check.

Each parses its options, calls one library function
and renders the result (a Rich table, or one JSON document with ``--json``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import ExportOpt, JsonOpt, WorkspaceOpt, YearOpt, year_option
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import (
    check_choice,
    check_year,
    check_year_format,
    counted_years,
    export_rows,
    failing,
    load,
)

__all__ = ["coverage_command", "outturn_command"]

_STATUS_STYLE = {
    "loaded": "green",
    "apportioned": "cyan",
    "estimated top-down": "yellow",
    "missing": "red",
}


def coverage_command(
    year: YearOpt = None,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Show which bodies serve the place, whose spending is loaded, apportioned, estimated top-down or missing."""
    from totalplace.coverage import coverage

    year = check_year_format(year, as_json)
    ws = load(workspace, as_json, export)
    with failing(as_json, ValueError):
        result = coverage(ws, year)
    years = counted_years(ws)  # the years of the stored count, which coverage reads
    if year is not None and years:
        year = check_year(year, years, as_json)
    written = export_rows(result.rows, export, as_json, sheet="coverage")
    if as_json:
        emit_json(result.as_json(), written)
        return
    table = new_table(
        (
            f"{safe(ws.place.name)} ({safe(ws.place.code)}): who spends public money here, "
            f"count {safe(result.financial_year)}, top-down {safe(result.estimate_year)}"
        ),
        (
            "Body",
            "Who",
            "Status",
            "Amount",
            "Year",
            "Months",
            "Share",
            "Method",
            "Source",
        ),
        figures=("Amount", "Share"),
    )
    for row in result.rows:
        style = _STATUS_STYLE.get(row["status"], "")
        source = safe(row["source"])
        if row["already_counted"]:
            source += f", less {_millions(row['already_counted'])} paid to it in loaded ledgers"
        status = safe(row["status"])
        table.add_row(
            safe(row["kind_label"]),
            safe(row["who"]),
            f"[{style}]{status}[/]" if style else status,
            money(row["amount"]) if row["status"] != "missing" else "—",
            safe(row["financial_year"]),
            safe(_months(row)),
            f"{row['share'] * 100:.1f}%",
            safe(row["method"] or "—"),
            source,
        )
    table.add_section()
    table.add_row(
        "[bold]Estimated total[/]",
        "",
        "",
        f"[bold]{money(result.total)}[/]",
        "",
        "",
        "100.0%",
        "",
        "",
    )
    out.print(table)
    lay = result.layers
    out.print(
        "Layers: "
        + "; ".join(
            f"{safe(layer.name)} {money(layer.amount)} ({safe(layer.financial_year)})"
            for layer in lay.layers
        )
        + f"; total {money(lay.total)}."
    )
    out.print(f"[dim]{safe(lay.total_note())}.[/]")
    for row in result.rows:
        if row["method"] == "top-down" and row["driver"]:
            out.print(f"[dim]{safe(row['who'])}: {safe(row['driver'])}.[/]")
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {safe(note)}")
    out.print(
        "[bold]What this count does not include:[/] "
        + safe("; ".join(result.does_not_include))
        + "."
    )
    say_exported(written)


def _months(row: dict[str, Any]) -> str:
    """Return the months of the year a row covers: loaded ones, or the ones it estimates."""
    if row["status"] == "missing":
        return "—"
    if row.get("part_year"):
        return f"{row['months']} ({row['months_estimated']}, top-down)"
    if row["method"] in ("actual", "apportioned"):
        k = row["months_loaded"]
        return "12 loaded" if k >= 12 else f"{row['months']} ({k} loaded)"
    return "12, top-down"


def _millions(value: Decimal) -> str:
    return f"£{value / 1_000_000:,.1f}m"


def outturn_command(
    partner: Annotated[str, typer.Argument(help="Partner name (a council, police or fire body).")],
    year: Annotated[str | None, year_option("the latest of the partner's transactions")] = None,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Compare a partner's transactions with its Revenue Outturn, service by service."""
    from totalplace.coverage.outturn import reconcile

    year = check_year_format(year, as_json)
    ws = load(workspace, as_json, export)
    if ws.partner(partner) is None:
        check_choice(partner, [p.name for p in ws.partners], "partner", as_json)
    with failing(as_json, ValueError):
        result = reconcile(ws, partner, year)
    written = export_rows(result.rows, export, as_json, sheet="outturn")
    if as_json:
        emit_json(result.as_json(), written)
        return
    table = new_table(
        safe(result.label),
        (
            "RS line",
            "Service",
            f"Outturn {result.outturn_year}",
            f"Transactions {result.transactions_year}",
            "Covered",
            "Cell",
        ),
        words=("RS line", "Service", "Cell"),
    )
    for row in result.rows:
        table.add_row(
            safe(row["rs_line"]),
            safe(row["service"]),
            money(row["outturn"]),
            money(row["transactions"]),
            "—" if row["covered_share"] is None else f"{row['covered_share'] * 100:.1f}%",
            safe(row["outturn_cell"]),
        )
    totals = result.totals
    table.add_section()
    table.add_row(
        "699",
        "Total service expenditure",
        money(totals["outturn_total_service_expenditure"]),
        money(totals["transactions_mapped_to_services"]),
        "—" if totals["covered_share"] is None else f"{totals['covered_share'] * 100:.1f}%",
        safe(totals["outturn_cell"]),
    )
    out.print(table)
    for note in result.notes:
        out.print(f"[dim]{safe(note)}[/]")
    say_exported(written)
