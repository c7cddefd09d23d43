"""Wards: the count apportioned to the place's wards, per head, against need (IMD)."""

from __future__ import annotations

from typing import Any

from totalplace.money import ZERO
from totalplace.needs.wards import place_wards
from totalplace.web.access import Viewer
from totalplace.web.views.common import choose_year, head, place_of, reading
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["ward_rows", "wards"]


def ward_rows(con: Any, start: int | None) -> list[dict[str, Any]]:
    """Return per ward of ``count_by_ward`` in one year: code, name, amount, population (Ibis sums)."""
    t = con.table("count_by_ward")
    t = t.filter(t.fy_start_year.isnull() if start is None else t.fy_start_year == start)
    by = t.group_by(["ward_code", "ward_name"]).aggregate(
        amount=t.counted_amount.sum(), population=t.population.max()
    )
    rows: list[dict[str, Any]] = by.order_by("ward_code").to_pyarrow().to_pylist()
    return rows


def wards(ws: Workspace, viewer: Viewer, year: int | str | None = None) -> dict[str, Any]:
    """Return per ward: amount, population, per head, need (IMD rank, 1 = most deprived in
    England) and ranks within the place by spend per head and by need. Decimal amounts.

    The ward figures are the place count shared to wards by a stated driver: they carry
    no partner's detail, so nothing is suppressed (the viewer is taken for the same
    signature as every page). StageNotRun: "run `totalplace count --by ward` first".
    """
    del viewer  # ward figures are apportioned totals: the same for everyone
    with reading(ws, "count", "count_by_ward") as con:
        start = choose_year(con, year)
        rows = ward_rows(con, start)
    need = {w.code: w for w in place_wards(ws)}
    for r in rows:
        r["per_head"] = head(r["amount"], r["population"])
        ward = need.get(r["ward_code"])
        r["imd_rank"] = round(ward.imd_rank) if ward and ward.imd_rank is not None else None
        r["most_deprived_decile_share"] = ward.imd_most_deprived_decile_share if ward else None
    by_spend = sorted(rows, key=lambda r: (r["per_head"] is None, -(r["per_head"] or ZERO)))
    for i, r in enumerate(by_spend, 1):
        r["spend_rank"] = i
    ranked = sorted((r for r in rows if r["imd_rank"] is not None), key=lambda r: r["imd_rank"])
    for i, r in enumerate(ranked, 1):
        r["need_rank"] = i
    for r in rows:
        r.setdefault("need_rank", None)
    total = sum((r["amount"] for r in rows), ZERO)
    people = sum(int(r["population"] or 0) for r in rows)
    return {
        "place": place_of(ws),
        "fy_start_year": start,
        "financial_year": year_label(start),
        "wards": by_spend,
        "total": {"amount": total, "population": people, "per_head": head(total, people)},
        "notes": [
            "Ward figures are the place's count shared between its wards by a stated driver "
            "(population, older people, children or deprivation-weighted population per "
            "theme): estimates, not spending recorded by ward.",
            "Need is the English Indices of Deprivation rank of the ward's small areas "
            "(1 = most deprived in England), weighted by population; need rank 1 is the "
            "place's most deprived ward.",
        ],
    }
