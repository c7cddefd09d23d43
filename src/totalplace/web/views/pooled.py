"""Pooled and aligned budgets for the overview: per theme, the share of the place's spend pooled,
aligned or separate, and each partner's contribution beside its share of the theme's spend.

The figures are ``count_pooled``'s (:func:`totalplace.count.pooled.pooled_rows`, written by
``totalplace count``). Theme figures and the declared contributions are shown to everyone;
a partner's share of a theme's spend is its counted spend there, so another partner's share
built from fewer than ``SMALL_CELL`` payments is withheld (with a second one of the theme,
so it cannot be worked out from the theme's total), as on the overview.
"""

from __future__ import annotations

from typing import Any

from totalplace.count.cells import COUNT_TABLE
from totalplace.count.pooled import pooled_rows
from totalplace.errors import UsageError
from totalplace.web.access import SMALL_CELL, Viewer, protect
from totalplace.web.views.common import choose_year, reading, years_available
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["NoSuchYear", "pooled_for_overview", "pooled_section"]


class NoSuchYear(UsageError, LookupError):
    """A financial year the count does not have."""


def _lines(con: Any, start: int | None) -> dict[tuple[str, str], int]:
    t = con.table(COUNT_TABLE)
    t = t.filter(t.fy_start_year == start)
    found = t.group_by(["partner", "theme"]).aggregate(lines=t.lines.sum())
    return {
        (r["partner"], r["theme"]): int(r["lines"] or 0) for r in found.to_pyarrow().to_pylist()
    }


def pooled_section(ws: Workspace, viewer: Viewer, year: int | str | None = None) -> dict[str, Any]:
    """Return the year's themes with an arrangement (spend, pooled, aligned, separate and their
    shares), each theme's partners (contribution, share of the arrangement, share of the theme's
    spend -- withheld where small), the arrangements declared, and the notes. Decimal amounts.

    StageNotRun / StageStale: "run `totalplace count`" (which writes count_pooled);
    PooledBudgetError for a pooled_budgets.toml that cannot be read.
    """
    with reading(ws, "count") as con:
        start = choose_year(con, year)
        counted = [y["financial_year"] for y in years_available(con)]
        if start is not None and year_label(start) not in counted:
            raise NoSuchYear(
                f"nothing is counted for {year_label(start)}; the years counted: "
                f"{', '.join(counted) or 'none yet'}"
            )
        result = pooled_rows(ws, con=con)
        lines = _lines(con, start)
    label = year_label(start) if start is not None else None
    rows = [r for r in result.rows if r["financial_year"] == label]
    themes = [t for t in result.themes() if t["financial_year"] == label]
    cells = {
        str(i): {"partner": r["partner"], "lines": lines.get((r["partner"], r["theme"]), 0),
                 "share": r["partner_theme_share"]}
        for i, r in enumerate(rows)
    }  # fmt: skip
    groups = [
        (None, [str(i) for i, r in enumerate(rows) if r["theme"] == t["theme"]]) for t in themes
    ]
    done = protect(cells, groups, viewer, threshold=SMALL_CELL)
    for i, r in enumerate(rows):  # a handful of partners per theme
        cell = done[str(i)]
        r["suppressed"], r["reason"] = cell["suppressed"], cell["reason"]
        if cell["suppressed"]:
            r["counted_amount"] = r["paid_to_partners"] = r["partner_theme_share"] = None
    for t in themes:
        t["partners"] = [r for r in rows if r["theme"] == t["theme"]]
    return {
        "financial_year": label,
        "themes": themes,
        "arrangements": [a for a in result.arrangements if a["financial_year"] in (None, label)],
        "notes": result.notes,
    }


def pooled_for_overview(
    ws: Workspace, viewer: Viewer, year: int | str | None
) -> dict[str, Any] | None:
    """Return :func:`pooled_section` for the overview; None when nothing is pooled or declared, or
    ``{"not_ready": message}`` when arrangements are declared but ``count_pooled`` is not current."""
    from totalplace.stages import StageError
    from totalplace.workspace.pooled_tables import POOLED_FILE

    try:
        found = pooled_section(ws, viewer, year)
    except StageError as exc:
        return {"not_ready": str(exc)} if (ws.root / POOLED_FILE).exists() else None
    return found if found["themes"] else None
