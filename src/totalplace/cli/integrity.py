"""``totalplace integrity``: payments made twice, split orders, unusual patterns and concentration, across partners.

It parses its options, calls :func:`totalplace.integrity.integrity` and renders the
result (a Rich summary per detector and the top findings, the board's plain-language
summary with ``--summary``, or one JSON document with ``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import (
    JsonOpt,
    WorkspaceOpt,
    export_option,
    flag,
    top_option,
    year_option,
)
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import (
    check_choice,
    check_export,
    check_year_format,
    failing,
    load,
    writing,
)

__all__ = ["integrity_command"]


def integrity_command(
    detector: Annotated[
        str | None,
        typer.Option(
            "--detector",
            help="Run only this detector: duplicates, splits, round_numbers, year_end, "
            "one_off, benford, concentration or dependency.",
        ),
    ] = None,
    partner: Annotated[
        str | None,
        typer.Option(
            "--partner", help="Show only findings involving this partner (its name or slug)."
        ),
    ] = None,
    year: Annotated[str | None, year_option("every year loaded")] = None,
    top: Annotated[int, top_option("findings to list")] = 10,
    summary: Annotated[
        bool, flag("--summary", "Print the board's plain-language summary and the summary table.")
    ] = False,
    export: Annotated[
        Path | None,
        export_option(
            "the findings",
            "to an .xlsx workbook (summary, findings, the payments behind each, repeats, "
            "parameters) or a .csv or .parquet file of the findings",
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Find payments made twice, orders split under a threshold, unusual patterns and concentration."""
    from totalplace.integrity import DETECTORS, integrity
    from totalplace.integrity.export import export_integrity

    year = check_year_format(year, as_json)
    check_export(export, as_json)
    check_choice(detector, [n for n, _ in DETECTORS], "detector", as_json)
    ws = load(workspace, as_json)
    slug = None
    if partner is not None:
        names = {p.slug: p.slug for p in ws.partners} | {p.name: p.slug for p in ws.partners}
        check_choice(partner, list(names), "partner", as_json)
        slug = names[partner]
    with failing(as_json):
        result = integrity(ws, year, detectors=[detector] if detector else None)
    shown = result.only(partner=slug)
    written = None
    if export is not None:
        with writing(export, as_json):
            written = export_integrity(ws, shown, export)
    if as_json:
        emit_json(shown.as_json(top=None), written)
        return
    if summary:
        from totalplace.integrity.summary import board_summary

        for para in board_summary(shown):
            out.print(safe(para) + "\n")
    _print_summary(shown)
    if not summary:
        _print_findings(shown, top)
    say_exported(written, "the findings")


def _print_summary(result: Any) -> None:
    years = ", ".join(result.financial_years) or "no year"
    table = new_table(
        f"{safe(result.place['name'])}: payment integrity, {safe(years)}",
        ["Detector", "Grade", "Findings", "Payments", "Money at stake", "Mean confidence"],
        words=["Detector", "Grade"],
    )
    for row in result.by_detector():
        table.add_row(
            safe(row["detector"]),
            safe(row["grade"]),
            f"{row['findings']:,}",
            f"{row['payments']:,}",
            money(row["money_at_stake"]),
            f"{row['mean_confidence']:.0%}",
        )
    if not result.findings:
        table.add_row("(none)", "", "0", "0", money(0), "")
    out.print(table)
    if result.repeats:
        total = sum(r["total"] for r in result.repeats)
        out.print(
            f"Set apart as regular payments (standing orders, rent): {len(result.repeats):,} "
            f"series, {money(total)}."
        )


def _print_findings(result: Any, top: int) -> None:
    table = new_table(
        f"Top {min(top, len(result.findings))} findings by money at stake",
        ["Detector", "Partners", "Supplier", "Money at stake", "Confidence", "What"],
        words=["Detector", "Partners", "Supplier", "What"],
        overflow="fold",
    )
    for f in result.findings[:top]:
        table.add_row(
            safe(f["detector"]),
            safe(f["partners"]),
            safe(f["supplier"]),
            money(f["money_at_stake"]),
            f"{f['confidence']:.0%}",
            safe(f["statistic"]),
        )
    out.print(table)
