"""Charts of a costed journey as Vega-Lite specifications (Altair): the timeline and the agencies.

* ``timeline`` -- each path's contacts in their order, one row per path, a mark per contact
  sized by its yearly cost for the cohort and coloured by agency (the journey map);
* ``agencies`` -- each agency's yearly cost of the cohort, current beside redesigned.

Written by the house chart writer, :func:`totalplace.report.charts.write_specs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from totalplace.report.charts import number, write_specs

__all__ = ["JOURNEY_CHARTS", "journey_charts", "write_journey_charts"]

JOURNEY_CHARTS = ("timeline", "agencies")
_WIDTH = 560


def _timeline(doc: Mapping[str, Any]) -> Any:
    import altair as alt

    rows = [
        {
            "path": c["path"],
            "step": c["step"],
            "agency": c["agency"],
            "activity": c["activity"],
            "cost": number(c["per_cohort"]),
        }
        for c in doc["contacts"]
    ]
    return (
        alt.Chart(
            alt.Data(values=rows),
            title=f"{doc['journey']['name']}: the contacts of each path "
            "(size: yearly cost for the cohort, £)",
        )  # fmt: skip
        .mark_circle(opacity=0.85)
        .encode(
            x=alt.X("step:O", title="Contact, in the order of the path"),
            y=alt.Y("path:N", title=None, sort=["current", "redesigned"]),
            size=alt.Size("cost:Q", title="£ a year", scale=alt.Scale(range=[40, 1600])),
            color=alt.Color("agency:N", title="Agency"),
            tooltip=[
                "path:N",
                "step:O",
                "agency:N",
                "activity:N",
                alt.Tooltip("cost:Q", format=",.0f"),
            ],
        )
        .properties(width=_WIDTH)
    )


def _agencies(doc: Mapping[str, Any]) -> Any:
    import altair as alt

    rows = [
        {"agency": a["agency"], "path": path, "cost": number(a[path])}
        for a in doc["agencies"]
        for path in ("current", "redesigned")
    ]
    return (
        alt.Chart(
            alt.Data(values=rows),
            title="Each agency's yearly cost of the cohort, current and redesigned (£)",
        )
        .mark_bar()
        .encode(
            y=alt.Y("agency:N", title=None, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("path:N", sort=["current", "redesigned"]),
            x=alt.X("cost:Q", title="£ a year"),
            color=alt.Color(
                "path:N",
                title="Path",
                sort=["current", "redesigned"],
                scale=alt.Scale(range=["#d4351c", "#00703c"]),
            ),  # fmt: skip
            tooltip=["agency:N", "path:N", alt.Tooltip("cost:Q", format=",.0f")],
        )
        .properties(width=_WIDTH)
    )


def journey_charts(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the Vega-Lite specification of each chart (see :data:`JOURNEY_CHARTS`) of a journey document."""
    return {"timeline": _timeline(doc).to_dict(), "agencies": _agencies(doc).to_dict()}


def write_journey_charts(doc: Mapping[str, Any], folder: Path, svg: bool = True) -> list[Path]:
    """Write each chart as ``NAME.vl.json`` (and SVG) in ``folder``; return the files."""
    return write_specs(journey_charts(doc), folder, svg)
