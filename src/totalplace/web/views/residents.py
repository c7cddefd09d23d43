"""Where £X per resident goes: the count per head by theme in plain words, and by ward."""

from __future__ import annotations

from typing import Any

from totalplace import stages
from totalplace.money import ZERO
from totalplace.web.access import PUBLIC
from totalplace.web.views.common import reading
from totalplace.web.views.overview import overview
from totalplace.web.views.wards import wards
from totalplace.workspace import Workspace

__all__ = ["resident_summary"]


def _ward_count_current(ws: Workspace) -> bool:
    with reading(ws) as con:
        if stages.last_run(con, "count_by_ward") is None:
            return False
        try:
            stages.require(con, ws, "count_by_ward")
        except stages.StageStale:
            return False
    return True


def resident_summary(ws: Workspace, year: int | str | None = None) -> dict[str, Any]:
    """Return the public page's figures: total and per head, per theme per head with a
    sentence each, and per ward (when the ward count has run). Aggregates only, as the
    public sees them (other partners' small cells suppressed for everyone). Decimal amounts."""
    seen = overview(ws, PUBLIC, year)
    total = seen["total"]
    place = seen["place"]["name"]
    themes = []
    for t in seen["by_theme"]:
        if t["suppressed"]:
            sentence = f"{t['theme']}: not shown, because it is built from very few payments."
        else:
            pence = (t["share"] * 100).quantize(ZERO) if t["share"] is not None else None
            sentence = f"£{t['per_head']:,.2f} a year per resident goes on {t['theme'].lower()}" + (
                f" ({pence}p of every £1 counted)." if pence is not None else "."
            )
        themes.append({**t, "sentence": sentence})
    headline = (
        f"In {seen['financial_year']}, the public bodies counted here spent "
        f"£{total['per_head']:,.2f} for each of {place}'s {seen['population']:,} residents "
        f"(£{total['amount']:,.0f} in all)."
        if total["amount"] is not None and seen["population"]
        else f"The spending counted for {place} cannot be shown per resident yet."
    )
    by_ward = wards(ws, PUBLIC, seen["fy_start_year"]) if _ward_count_current(ws) else None
    return {
        "place": seen["place"],
        "fy_start_year": seen["fy_start_year"],
        "financial_year": seen["financial_year"],
        "population": seen["population"],
        "total": total,
        "headline": headline,
        "themes": themes,
        "wards": by_ward["wards"] if by_ward else None,
        "ward_notes": by_ward["notes"] if by_ward else [],
        "bodies": [p["partner"] for p in seen["by_partner"]],
        "not_covered": seen["not_covered"],
        "suppression_note": seen["suppression_note"],
    }
