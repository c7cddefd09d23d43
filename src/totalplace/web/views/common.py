"""What every page's data needs: a read-only warehouse, the stage contract, the year, partner names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from totalplace import stages
from totalplace.count.summary import count_rows
from totalplace.money import ZERO, per_head
from totalplace.warehouse import connect
from totalplace.workspace import Workspace
from totalplace.years import default_year, parse_year, year_label

__all__ = [
    "choose_year",
    "head",
    "partner_names",
    "place_of",
    "reading",
    "share_of",
    "years_available",
]


@contextmanager
def reading(ws: Workspace, *needs: str) -> Iterator[Any]:
    """Yield a read-only warehouse connection, once each stage in ``needs`` is current.

    Raises StageNotRun / StageStale (the stage contract's) when a stage's tables are
    missing or out of date: pages read stage tables, never recompute them.
    """
    con = connect(ws, read_only=True)
    try:
        for stage in needs:
            stages.require(con, ws, stage)
        yield con
    finally:
        con.disconnect()


def choose_year(con: Any, year: int | str | None) -> int | None:
    """Return the start year asked for, or the count's default year (None: nothing dated)."""
    start = parse_year(year)
    return start if start is not None else default_year(count_rows(con))


def years_available(con: Any) -> list[dict[str, Any]]:
    """Return the counted financial years, latest first: start year and label."""
    t = con.table("count_by_partner_theme_year")
    found = t.filter(t.fy_start_year.notnull()).select("fy_start_year").distinct()
    starts = sorted((int(r["fy_start_year"]) for r in found.to_pyarrow().to_pylist()), reverse=True)
    return [{"fy_start_year": s, "financial_year": year_label(s)} for s in starts]


def partner_names(ws: Workspace) -> dict[str, str]:
    """Return each partner's display name by its slug (the identifier in tables)."""
    return {p.slug: p.name for p in ws.partners}


def place_of(ws: Workspace) -> dict[str, str]:
    """Return the place's code and name."""
    return {"code": ws.place.code, "name": ws.place.name}


def share_of(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """Return ``part`` / ``whole`` to 4 decimal places (None if either is unknown or whole is 0)."""
    if part is None or whole is None or whole == ZERO:
        return None
    return (part / whole).quantize(Decimal("0.0001"))


def head(amount: Decimal | None, people: int | None) -> Decimal | None:
    """Return ``amount`` per person to the penny (money.per_head)."""
    return per_head(amount, people)
