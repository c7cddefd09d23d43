"""Trend charts: Vega-Lite small multiples, one panel per body and series, real terms by year.

Written like the scenario charts (:func:`totalplace.scenario.charts.write_charts`): a
``NAME.vl.json`` specification each, and an SVG drawn by vl-convert.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from totalplace.report.charts import write_specs

__all__ = ["trend_charts", "write_trend_charts"]

_WIDTH = 160


def _small_multiples(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    import altair as alt

    data = [
        {
            "panel": f"{r['body_name']}: {r['series']}",
            "year": r["financial_year"],
            "real": float(r["real"]),
            "months": r["months_loaded"],
            "whole_year": "whole year"
            if r["complete"]
            else f"part year ({r['months_loaded']} of 12)",
        }
        for r in rows
    ]
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("year:O", title="Financial year"),
        y=alt.Y("real:Q", title=title, axis=alt.Axis(format="~s")),
    )
    lines = base.mark_line()
    dots = base.mark_point(filled=True).encode(
        shape=alt.Shape("whole_year:N", title=None),
        tooltip=["panel:N", "year:O", alt.Tooltip("real:Q", format=",.0f"), "whole_year:N"],
    )
    chart = (
        alt.layer(lines, dots)
        .properties(width=_WIDTH, height=110)
        .facet(facet=alt.Facet("panel:N", title=None), columns=3)
        .resolve_scale(y="independent")
    )
    return dict(chart.to_dict())


def trend_charts(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the Vega-Lite specifications of a trend document: counted spend, and outturn by theme."""
    title = f"£, {doc['prices']}"
    counted = [r for r in doc["rows"] if r["source"] == "ledger" and r["level"] == "all"]
    outturn = [r for r in doc["rows"] if r["source"] == "outturn" and r["level"] == "theme"]
    specs = {}
    if counted:
        specs["trend_counted"] = _small_multiples(counted, title)
    if outturn:
        specs["trend_outturn"] = _small_multiples(outturn, title)
    return specs


def write_trend_charts(doc: dict[str, Any], folder: Path, svg: bool = True) -> list[Path]:
    """Write each chart as ``NAME.vl.json`` (and ``NAME.svg`` when ``svg``) in ``folder``; return the files."""
    return write_specs(trend_charts(doc), folder, svg)
