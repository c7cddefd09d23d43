"""Part-year bodies: the months a loaded body has no data for, estimated top-down as twelfths of its year."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from totalplace import stages
from totalplace.count.months import MONTHS_TABLE, runs
from totalplace.coverage.bodies import Body, bodies_serving
from totalplace.warehouse import has_table
from totalplace.workspace import Workspace


def months_of(body: Body, months: list[dict[str, Any]], year: int | None) -> list[int]:
    """Return the months (1-12) of ``year`` any of the body's partners has loaded."""
    slugs = {p.slug for p in body.partners}
    found: set[int] = set()
    for row in months:
        if row["partner"] in slugs and row["fy_start_year"] == year and row["month_numbers"]:
            found.update(int(m) for m in row["month_numbers"].split(","))
    return sorted(found)


def part_of_year(amount: Decimal, months: int) -> Decimal:
    """Return ``months`` twelfths of a whole-year amount, to the penny (half up)."""
    return (amount * months / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)


def months_missing(
    workspace: Workspace, year: int, loaded: set[str], con: Any | None = None
) -> dict[str, int]:
    """Return per loaded body (``Body.key``) with 1-11 months of ``year`` loaded: the months not loaded.

    Reads the count's ``count_months`` table (no table: nothing is a part year).
    """
    with stages.using(workspace, con) as c:
        if not has_table(c, MONTHS_TABLE):
            return {}
        t = c.table(MONTHS_TABLE)
        months = t.filter(t.fy_start_year == year).to_pyarrow().to_pylist()
    out = {}
    for body in bodies_serving(workspace):
        if body.key in loaded:
            k = len(months_of(body, months, year))
            if 0 < k < 12:
                out[body.key] = 12 - k
    return out


def months_text(k: int) -> str:
    return "1 month" if k == 1 else f"{k} months"


def fy_start_month(body: Body, default: int) -> int:
    return body.partners[0].fy_start_month if body.partners else default


def missing_months_row(
    loaded_row: dict[str, Any], months: list[int], fy_start: int, est_years: str, driver: str
) -> dict[str, Any] | None:
    """Return the top-down row for the months of the year a loaded body has no data for (None if none).

    The body's whole-year top-down estimate times (12 - k) / 12 for k months loaded:
    the loaded months are counted from its ledger only, never again top-down.
    """
    gross = loaded_row["topdown_estimate"]
    k = len(months)
    if gross is None or k >= 12:
        return None
    missing = [m for m in range(1, 13) if m not in months]
    part = part_of_year(gross, 12 - k)
    label = runs(missing, fy_start)
    return {
        **loaded_row,
        "who": f"{loaded_row['who']} ({label}, not loaded)",
        "status": "estimated top-down",
        "method": "top-down",
        "amount": part,
        "topdown_estimate": part,
        "topdown_year_estimate": gross,
        "financial_year": est_years,
        "driver": driver,
        "source": (
            f"{loaded_row['topdown_source_brief']} × {12 - k}/12 for {label}, the months not loaded"
        ),
        "source_detail": (
            f"its whole-year top-down estimate £{gross:,.2f} × {12 - k}/12 for the {12 - k} "
            f"months not loaded ({label}); {loaded_row['topdown_source']}"
        ),
        "confidence": "low",
        "months_loaded": k,
        "months_estimated": 12 - k,
        "months": label,
        "part_year": True,
    }
