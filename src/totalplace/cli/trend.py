"""``totalplace trend``: the place's spending over time, and the cost-shunting monitor (``--shunting``).

It parses its options, calls :func:`totalplace.trend.trend` (and
:func:`totalplace.trend.find_shunting`) and renders the result: a Rich table per
source (years across, real terms), one JSON document with ``--json``, ``--export``
and ``--charts DIR``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from totalplace.cli.options import JsonOpt, WorkspaceOpt, export_option, flag
from totalplace.cli.output import emit_json, new_table, out, safe, say_exported
from totalplace.cli.support import check_export, failing, load, writing

__all__ = ["trend_command"]


def trend_command(
    base_year: Annotated[
        str | None,
        typer.Option(
            "--base-year",
            help="Prices to show real terms in, a financial year such as 2020-21 (default: the "
            "latest year shown that the GDP deflator covers).",
        ),
    ] = None,
    annualise: Annotated[
        bool,
        flag(
            "--annualise",
            "Also give part years annualised (x 12 / months loaded), labelled as estimates, "
            "and compare them.",
        ),
    ] = False,
    lines: Annotated[
        bool, flag("--lines", "Show each published outturn line, not only its theme.")
    ] = False,
    shunting: Annotated[
        bool,
        flag(
            "--shunting",
            "Run the cost-shunting monitor: years where one body's real spend on a theme "
            "falls while another's rises by a comparable amount.",
        ),
    ] = False,
    min_fall: Annotated[
        float,
        typer.Option("--min-fall", help="Smallest fall that counts, in pounds in the place."),
    ] = 50_000.0,
    min_fall_share: Annotated[
        float,
        typer.Option(
            "--min-fall-share", help="Smallest fall that counts, as a share of the year before."
        ),
    ] = 0.05,
    ratio_low: Annotated[
        float, typer.Option("--ratio-low", help="The rise must be at least this times the fall.")
    ] = 0.5,
    ratio_high: Annotated[
        float, typer.Option("--ratio-high", help="The rise must be at most this times the fall.")
    ] = 2.0,
    charts: Annotated[
        Path | None,
        typer.Option(
            "--charts",
            help="Write Vega-Lite small multiples (.vl.json and .svg) into this folder.",
            file_okay=False,
        ),
    ] = None,
    export: Annotated[
        Path | None,
        export_option(
            "the rows (and the shunting findings)",
            "to one .xlsx workbook (a sheet each), or a .csv or .parquet file of the rows",
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Show each year's spend per partner x theme and per outturn body: cash, real terms, per head, change."""
    from totalplace.trend import Thresholds, find_shunting, trend
    from totalplace.years import parse_year

    check_export(export, as_json)
    ws = load(workspace, as_json)
    with failing(as_json):
        start = parse_year(base_year)
        thresholds = Thresholds(
            Decimal(str(min_fall)),
            Decimal(str(min_fall_share)),
            Decimal(str(ratio_low)),
            Decimal(str(ratio_high)),
        ).check()
        result = trend(ws, base_year=start, annualise=annualise)
        doc = result.as_json()
        if shunting:
            doc["shunting"] = find_shunting(
                result.points,
                result.base_year,
                thresholds,
                partner_areas={p.slug: tuple(p.areas) for p in ws.partners},
            )
    written = None
    if export is not None:
        with writing(export, as_json):
            written = _export(doc, export)
    drawn: list[Path] = []
    if charts is not None:
        from totalplace.trend.charts import write_trend_charts

        with writing(charts, as_json):
            drawn = write_trend_charts(doc, charts)
    if as_json:
        if drawn:
            doc["charts"] = [str(p) for p in drawn]
        emit_json(doc, written)
        return
    _print(doc, lines)
    if shunting:
        _print_shunting(doc["shunting"])
    say_exported(written, "the trend")
    if drawn:
        out.print(f"Wrote {len(drawn)} chart files to {safe(charts)}.")


def _export(doc: dict[str, Any], path: Path) -> Path:
    import pyarrow as pa

    from totalplace.report import export_table, write_workbook

    def table(rows: list[dict[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist(
            [{k: (str(v) if isinstance(v, list | dict) else v) for k, v in r.items()} for r in rows]
        )

    rows = table(doc["rows"])
    if path.suffix.lower() == ".xlsx":
        sheets = {"trend": rows, "over_the_period": table(doc["summaries"])}
        if doc.get("shunting", {}).get("findings"):
            sheets["shunting"] = table(doc["shunting"]["findings"])
        return write_workbook(sheets, path)
    return export_table(rows, path, sheet="trend")


def _k(value: Any) -> str:
    if value is None:
        return "—"
    thousands = Decimal(value) / 1000
    return f"{'-' if thousands < 0 else ''}£{abs(thousands):,.0f}k"


def _print(doc: dict[str, Any], lines: bool) -> None:
    levels = {"all", "theme"} | ({"line"} if lines else set())
    for source, title in (("ledger", "Counted spend in the place"), ("outturn", "Revenue Outturn")):
        rows = [r for r in doc["rows"] if r["source"] == source and r["level"] in levels]
        if not rows:
            continue
        years = sorted({r["financial_year"] for r in rows})
        table = new_table(
            f"{title}, real terms ({doc['prices']}); † part year",
            ("Body", "Series", *years, "Change over the period"),
            words=("Body", "Series"),
        )
        summaries = {
            (s["body_name"], s["level"], s["series"]): s
            for s in doc["summaries"]
            if s["source"] == source
        }
        keys = sorted({(r["body_name"], r["level"], r["series"]) for r in rows})
        for key in keys:
            cells = {
                r["financial_year"]: r
                for r in rows
                if (r["body_name"], r["level"], r["series"]) == key
            }
            shown = []
            for y in years:
                r = cells.get(y)
                if r is None:
                    shown.append("")
                    continue
                mark = "" if r["complete"] else f" †{r['months_loaded']}m"
                shown.append(_k(r["real"]) + mark)
            s = summaries.get(key)
            # No percentage from a year of nothing: "from £0" says it, "(None%)" did not.
            share = (
                f"({s['change_real_pct']}%)"
                if s and s["change_real_pct"] is not None
                else "(from £0)"
            )
            change = f"{_k(s['change_real'])} {share} {s['from']}→{s['to']}" if s else "—"
            table.add_row(safe(key[0]), safe(key[2]), *shown, change)
        out.print(table)
    for note in doc["notes"]:
        out.print(f"• {safe(note)}")


def _print_shunting(result: dict[str, Any]) -> None:
    t = result["thresholds"]
    table = new_table(
        f"Cost-shunting monitor ({result['prices']}): falls of at least £{Decimal(t['min_fall']):,.0f} "
        f"and {Decimal(t['min_fall_share']) * 100:.4g}%, met by a rise of {t['ratio_low']}–{t['ratio_high']}×",
        ("Theme", "Year", "Falls", "By", "Rises", "By ", "Ratio"),
        words=("Theme", "Year", "Falls", "Rises"),
    )
    for f in result["findings"]:
        table.add_row(
            safe(f["theme"]),
            f"{f['previous_year']}→{f['financial_year']}",
            safe(f["falling"]),
            _k(f["fall"]),
            safe(f["rising"]),
            _k(f["rise"]),
            f["ratio"],
        )
    out.print(table)
    if not result["findings"]:
        out.print("No theme has a fall met by a comparable rise at these thresholds.")
    if result["bodies_left_out"]:
        out.print(
            "Left out (their area does not cover the place): "
            + ", ".join(safe(b) for b in result["bodies_left_out"])
        )
    out.print(f"[bold]{safe(result['caveat'])}[/bold]")
    out.print(
        "The evidence (both series and the outturn lines behind each finding) is in --json and --export."
    )
