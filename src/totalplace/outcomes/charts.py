"""Spend-versus-outcome scatter charts (Vega-Lite, via Altair), one per indicator, with comparators.

Each point is one area in one financial year with both an outcome and a spend per head
on the indicator's theme (the count for the place and its upper tier, a council's
outturn otherwise); the vertical rule is the outcome's 95% interval where given.
Written as ``.vl.json`` (and SVG) like the scenario charts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from totalplace.money import ZERO
from totalplace.report.charts import write_specs

__all__ = ["scatter_specs", "write_scatter_charts"]


def _points(series: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    points = []
    for row in series:
        if row["indicator_code"] != code:
            continue
        for kind, key in (("count", "count_per_head"), ("outturn", "outturn_per_head")):
            if row[key] is not None:
                points.append(
                    {
                        "area": row["area_name"],
                        "role": row["role"],
                        "year": row["financial_year"],
                        "spend_per_head": float(row[key] or ZERO),
                        "spend": kind,
                        "outcome": row["value"],
                        "lci": row["lci_95"],
                        "uci": row["uci_95"],
                    }
                )
    return points


def scatter_specs(series: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return a Vega-Lite spec per indicator that has at least one point (spend and outcome in one year)."""
    import altair as alt

    specs = {}
    for code in sorted({r["indicator_code"] for r in series}):
        points = _points(series, code)
        if not points:
            continue
        first = next(r for r in series if r["indicator_code"] == code)
        good = {"higher": "higher is better", "lower": "lower is better"}.get(
            first["polarity"] or "", "no direction of good"
        )
        base = alt.Chart(alt.Data(values=points))
        dots = base.mark_point(filled=True, size=80).encode(
            x=alt.X("spend_per_head:Q", title=f"Spend per head on {first['theme']} (£)"),
            y=alt.Y(
                "outcome:Q", title=f"{first['indicator']} ({good})", scale=alt.Scale(zero=False)
            ),
            color=alt.Color("area:N", title="Area"),
            shape=alt.Shape("spend:N", title="Spend from"),
            tooltip=["area:N", "role:N", "year:N", "spend:N", "spend_per_head:Q", "outcome:Q"],
        )
        bars = base.mark_rule().encode(x="spend_per_head:Q", y="lci:Q", y2="uci:Q", color="area:N")
        chart = (bars + dots).properties(
            title=f"{first['indicator']} against spend per head on {first['theme']}", width=520
        )
        specs[code] = chart.to_dict()
    return specs


def write_scatter_charts(
    series: list[dict[str, Any]], folder: Path, svg: bool = True
) -> list[Path]:
    """Write each indicator's scatter as ``outcome-CODE.vl.json`` (and ``.svg``) in ``folder``; return the files."""
    specs = {
        "outcome-" + re.sub(r"[^A-Za-z0-9]+", "-", code).strip("-"): spec
        for code, spec in scatter_specs(series).items()
    }
    return write_specs(specs, folder, svg)
