"""``totalplace check``: does every stored row belong to a live source, and do the sums match?"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from totalplace.cli.options import ExportOpt, JsonOpt, WorkspaceOpt, flag
from totalplace.cli.output import emit_json, err, money, new_table, out, say_exported
from totalplace.cli.support import export_rows, failing, load
from totalplace.errors import EXIT_INTEGRITY

if TYPE_CHECKING:
    from totalplace.warehouse.integrity import IntegrityReport


def check_command(
    repair: Annotated[
        bool,
        flag(
            "--repair",
            "Remove rows without a live source, and sources whose rows do not match "
            "their record (import their files again afterwards).",
        ),
    ] = False,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Check the warehouse: every row belongs to a live source and every source reconciles."""
    from totalplace.warehouse import connect, describe, exists, transaction
    from totalplace.warehouse.integrity import check, remove

    ws = load(workspace, as_json, export)
    if not exists(ws):
        # Nothing stored is a sound warehouse: an import killed before it began leaves this.
        if as_json:
            emit_json({"sound": True, "clean": True, "sources": [], "rows_removed": None})
        else:
            out.print("Nothing imported yet: nothing to check.")
        return
    with failing(as_json):
        con = connect(ws, check=False)
    try:
        report = check(con)
        removed = None
        if repair and not report.clean:
            with transaction(con, checkpoint=True):
                removed = remove(con, report.orphans + report.mismatched)
            repaired, report = report, check(con)
    finally:
        con.disconnect()
    # The exported amounts stay exact decimals (the JSON document has them as text).
    rows = [{**asdict(c), "problem": c.problem} for c in report.checks]
    written = export_rows(rows, export, as_json, sheet="check")
    if as_json:
        document = {
            "sound": report.sound,
            "clean": report.clean,
            "sources": [c.as_json() for c in report.checks],
            "rows_removed": removed,
            "advice": None if report.clean else _advice(report, describe(ws)),
        }
        emit_json(document, written)
    else:
        if removed is not None:
            _print(repaired, "before repair")
            out.print(
                f"Removed {removed:,} row(s) of {len(repaired.orphans)} dead and "
                f"{len(repaired.mismatched)} damaged source(s)."
                + (
                    " Run 'totalplace import' to load the damaged sources' files again."
                    if repaired.mismatched
                    else ""
                )
            )
        _print(report, "")
        if report.clean:
            out.print("[green]Sound:[/] every row has a live source and every source reconciles.")
        elif report.sound:
            out.print(
                "[green]Sound:[/] every live source reconciles. "
                f"[yellow]Left over:[/] {escape(_advice(report, describe(ws)))}"
            )
        else:
            err.print(f"[bold red]Problem:[/] {escape(_advice(report, describe(ws)))}")
        say_exported(written)
    if not report.sound:
        raise typer.Exit(EXIT_INTEGRITY)


def _print(report: IntegrityReport, when: str) -> None:
    table = new_table(
        f"Warehouse check{' ' + when if when else ''}: {len(report.checks)} source(s)",
        ("Partner", "File", "Status", "Rows", "Amount", "Quarantined", "Problem"),
        figures=("Rows", "Amount", "Quarantined"),
    )
    for c in report.checks:
        table.add_row(
            escape(c.partner),
            escape(c.source_file or ""),
            "[red]problem[/]" if c.problem else "[green]ok[/]",
            f"{c.rows_found:,}",
            money(c.amount_found),
            f"{c.quarantined_found:,}",
            escape(c.problem or ""),
        )
    out.print(table)


def _advice(report: IntegrityReport, warehouse: Path | str) -> str:
    """Return what to do about the problems found, in words."""
    from totalplace.warehouse.integrity import rebuild_advice

    parts = []
    if report.orphans:
        parts.append(
            f"{len(report.orphans)} source(s) not live hold rows left by an interrupted import: "
            "no command reads them, and the next 'totalplace import' (or "
            "'totalplace check --repair') removes them"
        )
    if report.mismatched:
        parts.append(
            f"{len(report.mismatched)} source(s) hold rows or sums other than recorded, so no "
            "count is given: run 'totalplace check --repair' to remove them and then "
            "'totalplace import' to load their files again; or " + rebuild_advice(warehouse)
        )
    return "; ".join(parts) + "."
