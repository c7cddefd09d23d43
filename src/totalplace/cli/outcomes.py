"""``totalplace outcomes``: outcome indicators over time beside spend per head on their theme.

It parses its options, calls :func:`totalplace.outcomes.outcomes` and renders the result
as Rich tables, one JSON document, an export, and (``--charts DIR``) Vega-Lite scatters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, export_option
from totalplace.cli.output import emit_json, money, new_table, out, safe, say_exported
from totalplace.cli.support import export_rows, fail, failing, load, writing

__all__ = ["outcomes_command"]


def outcomes_command(
    indicator: Annotated[
        str | None,
        typer.Option(
            "--indicator",
            help="One indicator (its code, e.g. ASC5 or claimant-count, or its name): every year shown.",
        ),
    ] = None,
    theme: Annotated[
        str | None,
        typer.Option("--theme", help="Only indicators of this theme, e.g. 'Older people'."),
    ] = None,
    comparator: Annotated[
        list[str] | None,
        typer.Option("--comparator", help="ONS code of a district to compare with; repeat."),
    ] = None,
    n: Annotated[int, typer.Option("--n", min=1, max=50, help="How many nearest neighbours.")] = 5,
    lag: Annotated[
        int,
        typer.Option(
            "--lag", min=0, max=10, help="Set each outcome beside the spend of N years earlier."
        ),
    ] = 0,
    charts: Annotated[
        Path | None,
        typer.Option(
            "--charts",
            help="Write a spend-vs-outcome scatter per indicator (Vega-Lite .vl.json and .svg) to this folder.",
            file_okay=False,
        ),
    ] = None,
    export: Annotated[
        Path | None, export_option("every observation shown, with the spend beside it")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Outcomes against spend: indicators for the place, its upper tier and comparators beside spend per head."""
    from totalplace.outcomes import outcomes

    ws = load(workspace, as_json, export)
    with failing(as_json):
        view = outcomes(ws, comparator or None, n, indicator, theme, lag)
    written = export_rows(view.series, export, as_json, "outcomes")
    drawn: list[Path] = []
    if charts is not None:
        from totalplace.outcomes.charts import write_scatter_charts

        with writing(charts, as_json):
            drawn = write_scatter_charts(view.series, charts)
    if as_json:
        doc = view.as_json()
        if charts is not None:
            doc["charts"] = [str(p) for p in drawn]
        emit_json(doc, written)
        return
    if not view.series:
        fail(
            "no outcome observations for the place or its comparators in the [[outcomes]] files",
            as_json,
        )
    _print_files(view)
    if indicator is not None:
        _print_series(view)
    else:
        _print_summary(view)
    for note in view.notes:
        out.print(f"Note: {safe(note)}")
    say_exported(written, "the observations")
    if charts is not None:
        out.print(f"Wrote {len(drawn)} chart files to {safe(charts)}.")


def _value(value: Any, lci: Any = None, uci: Any = None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if lci is not None and uci is not None:
        text += f" ({lci:,.4g}–{uci:,.4g})"
    return text


def _print_files(view: Any) -> None:
    read = sum(f["rows_read"] for f in view.files)
    loaded = sum(f["rows_loaded"] for f in view.files)
    out.print(
        f"{len(view.files)} outcome files: {read:,} rows read, {loaded:,} loaded, "
        f"{read - loaded:,} rejected with a reason (outcome_rejects)."
    )


def _spend(per_head: Any, year: Any) -> str:
    return "—" if per_head is None else f"{money(per_head)} ({year})"


def _print_summary(view: Any) -> None:
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for row in view.summary:
        by_indicator.setdefault(row["indicator_code"], []).append(row)
    for rows in by_indicator.values():
        first = rows[0]
        good = {"higher": "higher is better", "lower": "lower is better"}.get(
            first["polarity"] or "", "no direction of good"
        )
        table = new_table(
            f"{safe(first['indicator'])} — theme {safe(first['theme'] or 'none')}, {good}",
            [
                "Area",
                "Role",
                "Latest (95% CI)",
                "Year",
                "Since",
                "Trend",
                "Against benchmark",
                "Count £/head",
                "Outturn £/head",
            ],
            words=("Area", "Role", "Year", "Since", "Trend", "Against benchmark"),
        )
        for r in rows:
            table.add_row(
                safe(r["area_name"]),
                r["role"],
                _value(r["latest_value"], r["latest_lci_95"], r["latest_uci_95"]),
                r["latest_year"],
                r["first_year"],
                r["direction"],
                r["against_benchmark"] or "—",
                _spend(r["count_per_head"], r["count_year"]),
                _spend(r["outturn_per_head"], r["outturn_year"]),
            )
        out.print(table)


def _print_series(view: Any) -> None:
    first = view.series[0]
    table = new_table(
        f"{safe(first['indicator'])} over time — theme {safe(first['theme'] or 'none')}",
        [
            "Area",
            "Period",
            "Year",
            "Value (95% CI)",
            "Against benchmark",
            "Count £/head",
            "Outturn £/head",
            "Spend year",
        ],
        words=("Area", "Period", "Year", "Against benchmark", "Spend year"),
    )
    for r in view.series:
        table.add_row(
            safe(r["area_name"]),
            r["period"],
            r["financial_year"],
            _value(r["value"], r["lci_95"], r["uci_95"]),
            r["against_benchmark"] or "—",
            money(r["count_per_head"]) if r["count_per_head"] is not None else "—",
            money(r["outturn_per_head"]) if r["outturn_per_head"] is not None else "—",
            r["spend_year"],
        )
    out.print(table)
