"""Outcomes against spend for the pages: :func:`totalplace.outcomes.outcomes`, one indicator chosen.

Every figure here is an aggregate (published outcome statistics for whole areas; the count's
spend per head on a theme over every partner; councils' published outturn per head), so
the page is the same for every role, residents included. Nothing is recomputed and
nothing is written: the outcome files must have been loaded by ``totalplace outcomes``
(the pages read the warehouse read-only), which the stage contract checks.
"""

from __future__ import annotations

from typing import Any

from totalplace import stages
from totalplace.outcomes import outcomes
from totalplace.outcomes.charts import scatter_specs
from totalplace.outcomes.store import declared_files
from totalplace.stages import StageStale
from totalplace.web.views.common import reading
from totalplace.workspace import Workspace

__all__ = ["outcomes_page_data"]

#: Who each area is, in words.
ROLES = {
    "place": "the place",
    "place upper tier": "the place's county",
    "comparator": "comparator",
    "comparator upper tier": "comparator's county",
    "England": "England",
}


def _check_loaded(con: Any, ws: Workspace) -> None:
    """Raise StageNotRun / StageStale unless the outcome files stored are the ones declared now."""
    import hashlib

    stages.require(con, ws, "outcomes")
    stored = {
        r["source_file"]: r["sha256"] for r in con.table("outcome_files").to_pyarrow().to_pylist()
    }
    now = {
        name: hashlib.sha256(path.read_bytes()).hexdigest() for path, name, _ in declared_files(ws)
    }
    if stored != now:  # a file changed since it was read: loading it again writes the warehouse
        raise StageStale(
            "the outcome files changed since they were read; run `totalplace outcomes` to read them again",
            "outcomes",
        )


def _chosen(
    summary: list[dict[str, Any]], series: list[dict[str, Any]], indicator: str | None
) -> str | None:
    """Return the indicator to chart: the one asked for, else the first the place has a spend beside."""
    codes = [r["indicator_code"] for r in summary]
    if indicator is not None:
        wanted = indicator.strip().lower()
        return next((c for c in codes if c.lower() == wanted), None) or next(
            (r["indicator_code"] for r in summary if r["indicator"].lower() == wanted), None
        )
    with_spend = [
        r["indicator_code"]
        for r in series
        if r["role"] == "place"
        and (r["count_per_head"] is not None or r["outturn_per_head"] is not None)
    ]
    return (with_spend or codes or [None])[0]


def outcomes_page_data(
    ws: Workspace, indicator: str | None = None, theme: str | None = None, lag: int = 0
) -> dict[str, Any]:
    """Return the indicators (one row each, for the place or its county), the chosen indicator's
    summary per area, its observations and scatter spec, the areas, files and caveats.

    StageNotRun / StageStale: "run `totalplace outcomes`" (or the count); UsageError for an
    unknown indicator or theme or a lag outside 0 to 10.
    """
    with reading(ws, "count") as con:
        _check_loaded(con, ws)
        view = outcomes(ws, indicator=None, theme=theme, lag=lag, con=con)
    code = _chosen(view.summary, view.series, indicator)
    if indicator is not None and code is None:
        from totalplace.errors import UsageError

        known = ", ".join(sorted({r["indicator_code"] for r in view.summary})) or "none"
        raise UsageError(
            f"no indicator {indicator!r} for the place or its comparators; the indicators are: {known}"
        )
    home = {"place": 0, "place upper tier": 1}
    first: dict[str, dict[str, Any]] = {}
    for row in sorted(view.summary, key=lambda r: home.get(r["role"], 9)):
        if row["role"] in home:
            first.setdefault(row["indicator_code"], row)
    indicators = sorted(first.values(), key=lambda r: (r["theme"] or "", r["indicator"]))
    series = [r for r in view.series if r["indicator_code"] == code]
    return {
        "place": view.place,
        "areas": [{**a, "words": ROLES.get(a["role"], a["role"])} for a in view.areas],
        "comparator_method": view.comparator_method,
        "lag_years": view.lag,
        "theme": theme,
        "indicators": indicators,
        "indicator": code,
        "indicator_name": series[0]["indicator"] if series else None,
        "summary": [r for r in view.summary if r["indicator_code"] == code],
        "series": series,
        "chart": scatter_specs(series).get(code) if code else None,
        "files": view.files,
        "notes": view.notes,
    }
