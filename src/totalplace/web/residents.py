"""The budget simulator's arithmetic between a resident's pounds per head and the place's pounds,
and the summary of the responses for the board (by theme, and by ward where residents gave one)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.money import ZERO
from totalplace.web.state.models import ResidentResponse

__all__ = ["MAX_COMMENT", "per_head_form", "responses_summary", "to_place_amounts"]

MAX_COMMENT = 1000
PENNY = Decimal("0.01")


def per_head_form(start: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the simulator's themes in pounds per resident: this year, and the floor rounded up
    to the penny (so the figure shown is always allowed)."""
    people = Decimal(start["population"] or 1)
    return [
        {
            **t,
            "floor_per_head": (Decimal(t["floor"]) / people).quantize(PENNY, ROUND_CEILING),
            "per_head": (Decimal(t["amount"]) / people).quantize(PENNY),
        }
        for t in start["themes"]
    ]


def target_per_head(start: Mapping[str, Any]) -> Decimal:
    """Return the plan's total per resident, rounded down to the penny (so it is always allowed)."""
    return (Decimal(start["target_total"]) / Decimal(start["population"] or 1)).quantize(
        PENNY, ROUND_FLOOR
    )


def to_place_amounts(per_head: Mapping[str, Decimal], population: int) -> dict[str, Decimal]:
    """Return pounds a year for the place from pounds per resident (the check works in place pounds)."""
    return {theme: value * population for theme, value in per_head.items()}


def responses_summary(session: Session, financial_year: str) -> dict[str, Any]:
    """Return the responses of a year: how many, the average per resident by theme, and the same
    by ward for wards with responses (a ward with fewer than five is merged into 'other wards' so
    no one's answer can be picked out)."""
    rows = session.scalars(
        select(ResidentResponse).where(ResidentResponse.financial_year == financial_year)
    ).all()
    by_ward: dict[str, list[ResidentResponse]] = {}
    for row in rows:  # responses to a consultation: hundreds, not ledger rows
        by_ward.setdefault(row.ward or "not given", []).append(row)
    small = [w for w, items in by_ward.items() if len(items) < 5 and w != "not given"]
    if small:
        merged = [r for w in small for r in by_ward.pop(w)]
        by_ward.setdefault("other wards (fewer than 5 responses each)", []).extend(merged)

    def averages(items: list[ResidentResponse]) -> dict[str, Decimal]:
        themes = sorted({t for r in items for t in r.allocations})
        return {
            t: (
                sum((Decimal(r.allocations.get(t, "0")) for r in items), ZERO) / len(items)
            ).quantize(PENNY)
            for t in themes
        }

    return {
        "financial_year": financial_year,
        "responses": len(rows),
        "themes": averages(list(rows)) if rows else {},
        "wards": [
            {"ward": w, "responses": len(items), "themes": averages(items)}
            for w, items in sorted(by_ward.items())
        ],
        "comments": [r.comment for r in rows if r.comment][:200],
    }
