"""Charts of a scenario run as Vega-Lite specifications (Altair), for the web service and the board pack.

Four views people would rather look at than read: the savings waterfall (each lever's
costs and benefits, present values), the payer x beneficiary heat map (the wrong
pocket), the fan of the cumulative net over the years (P10-P90 of the draws around the
median) and the tornado (the inputs that move the net present public value most).
Each is a plain JSON-ready dict; :func:`write_charts` saves them as ``.vl.json`` and, with
vl-convert, as SVG for print.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from totalplace.report.charts import number, write_specs

__all__ = ["CHARTS", "charts", "number", "write_charts"]

CHARTS = ("waterfall", "payer_beneficiary", "fan", "tornado")
_WIDTH = 560


def _waterfall(doc: Mapping[str, Any]) -> Any:
    import altair as alt

    totals: dict[str, float] = {}
    for stream in doc["streams"]:
        sign = -1.0 if stream["kind"].endswith("_cost") else 1.0
        label = f"{stream['lever']}: {'costs' if sign < 0 else 'benefits'}"
        totals[label] = totals.get(label, 0.0) + sign * number(stream["present_value"])
    rows: list[dict[str, Any]] = []
    running = 0.0
    for label, amount in totals.items():
        rows.append({"step": label, "start": running, "end": running + amount, "amount": amount})
        running += amount
    rows.append(
        {"step": "Net present public value", "start": 0.0, "end": running, "amount": running}
    )
    order = [str(r["step"]) for r in rows]
    return (
        alt.Chart(alt.Data(values=rows), title="Where the net present value comes from (£, PV)")
        .mark_bar()
        .encode(
            x=alt.X(
                "step:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=220)
            ),
            y=alt.Y("start:Q", title="£ (present value)"),
            y2="end:Q",
            color=alt.condition("datum.amount < 0", alt.value("#d4351c"), alt.value("#00703c")),
            tooltip=[alt.Tooltip("step:N"), alt.Tooltip("amount:Q", format=",.0f")],
        )
        .properties(width=_WIDTH)
    )


def _heat_map(doc: Mapping[str, Any]) -> Any:
    import altair as alt

    matrix = doc["payer_beneficiary"]
    rows = [
        {"payer": payer, "beneficiary": beneficiary, "amount": number(value)}
        for payer, line in zip(matrix["payers"], matrix["present_values"], strict=True)
        for beneficiary, value in zip(matrix["beneficiaries"], line, strict=True)
        if number(value)
    ]
    return (
        alt.Chart(alt.Data(values=rows), title="Who pays (rows) and who benefits (columns), £ PV")
        .mark_rect()
        .encode(
            x=alt.X(
                "beneficiary:N", title="Benefits", axis=alt.Axis(labelAngle=-30, labelLimit=220)
            ),
            y=alt.Y("payer:N", title="Pays"),
            color=alt.Color("amount:Q", title="£ PV", scale=alt.Scale(scheme="greens")),
            tooltip=["payer:N", "beneficiary:N", alt.Tooltip("amount:Q", format=",.0f")],
        )
        .properties(width=_WIDTH)
    )


def _fan(doc: Mapping[str, Any]) -> Any:
    import altair as alt

    rows = [
        {
            "year": r["year"],
            "p10": number(r["p10"]),
            "p50": number(r["p50"]),
            "p90": number(r["p90"]),
        }
        for r in doc["monte_carlo"]["fan"]
    ]
    base = alt.Chart(alt.Data(values=rows)).encode(x=alt.X("year:O", title="Financial year"))
    band = base.mark_area(opacity=0.3, color="#1d70b8").encode(
        y=alt.Y("p10:Q", title="Cumulative discounted net fiscal (£)"), y2="p90:Q"
    )
    line = base.mark_line(color="#1d70b8", point=True).encode(
        y="p50:Q",
        tooltip=[
            "year:O",
            alt.Tooltip("p10:Q", format=",.0f"),
            alt.Tooltip("p50:Q", format=",.0f"),
            alt.Tooltip("p90:Q", format=",.0f"),
        ],
    )
    title = f"Cumulative net over the years: median and P10-P90 of {doc['monte_carlo']['draws']:,} draws"
    return (band + line).properties(title=title, width=_WIDTH)


def _tornado(doc: Mapping[str, Any]) -> Any:
    import altair as alt

    rows = [
        {
            "input": bar["input"],
            "at_low": number(bar["nppv_at_low"]),
            "at_high": number(bar["nppv_at_high"]),
        }
        for bar in doc["tornado"][:12]
    ]
    order = [r["input"] for r in rows]
    return (
        alt.Chart(alt.Data(values=rows), title="Inputs that move the net present public value most")
        .mark_bar(color="#1d70b8")
        .encode(
            y=alt.Y("input:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X(
                "at_low:Q", title="Net present public value with the input at its low and high (£)"
            ),
            x2="at_high:Q",
            tooltip=[
                "input:N",
                alt.Tooltip("at_low:Q", format=",.0f"),
                alt.Tooltip("at_high:Q", format=",.0f"),
            ],
        )
        .properties(width=_WIDTH)
    )


def charts(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the Vega-Lite specification of each chart (see :data:`CHARTS`) of a scenario document."""
    makers = {
        "waterfall": _waterfall,
        "payer_beneficiary": _heat_map,
        "fan": _fan,
        "tornado": _tornado,
    }
    return {name: makers[name](doc).to_dict() for name in CHARTS}


def write_charts(doc: Mapping[str, Any], folder: Path, svg: bool = True) -> list[Path]:
    """Write each chart as ``NAME.vl.json`` (and ``NAME.svg`` when ``svg``) in ``folder``; return the files."""
    return write_specs(charts(doc), folder, svg)
