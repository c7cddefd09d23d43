"""``totalplace classify``: tag every line with its subjective group, office, theme and transfer kind."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

from totalplace.cli.options import ExportOpt, JsonOpt, WorkspaceOpt, flag, top_option
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import export_rows, failing, load

__all__ = ["classify_command"]


def classify_command(
    report: Annotated[
        bool, flag("--report", "Show coverage by amount and the largest unclassified lines.")
    ] = False,
    top: Annotated[int, top_option("unclassified groups")] = 15,
    export: ExportOpt = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Tag every line with CIPFA subjective group, front/back office, theme and transfer kind."""
    from totalplace.classify import classify, coverage

    ws = load(workspace, as_json, export)
    with failing(as_json):
        result = classify(ws)
        detail = coverage(ws, top) if report or as_json else None
    written = export_rows(
        [
            {
                "dimension": name,
                "classified": dim.classified.gross,
                "unclassified": dim.unclassified.gross,
                "share": dim.share,
            }
            for name, dim in result.coverage.items()
        ],
        export,
        as_json,
        sheet="classify",
    )
    if as_json:
        document = {
            "lines": result.rows,
            "rules": result.rules,
            "disabled": list(result.disabled),
            "workspace_rules": str(result.workspace_rules) if result.workspace_rules else None,
            "coverage": detail,
        }
        emit_json(document, written)
        return
    table = new_table(
        f"Classified {result.rows:,} lines with {result.rules} rules",
        ("Dimension", "Classified", "Unclassified", "Share of spend classified"),
    )
    for name, dim in result.coverage.items():
        table.add_row(
            name,
            money(dim.classified.gross),
            money(dim.unclassified.gross),
            "—" if dim.share is None else f"{dim.share * 100:.1f}%",
        )
    out.print(table)
    out.print("[dim]Amounts are gross (absolute values), so refunds do not hide spend.[/]")
    say_exported(written)
    if detail is None:
        out.print("Run with --report for the largest unclassified lines.")
        return
    for name, entry in detail["dimensions"].items():
        gaps = entry.get("largest_unclassified") or []
        if not gaps:
            continue
        gap_table = new_table(
            f"Largest unclassified lines: {safe(name)}",
            ("Partner", "Expense type", "Service area", "Purpose", "Lines", "Amount"),
            figures=("Lines", "Amount"),
        )
        for gap in gaps:
            gap_table.add_row(
                safe(gap.get("partner")),
                safe(gap.get("expense_type")),
                safe(gap.get("service_area")),
                safe(str(gap.get("purpose") or "")[:40]),
                f"{gap.get('rows', 0):,}",
                money(Decimal(str(gap.get("gross", gap.get("amount", 0))))),
            )
        out.print(gap_table)
