"""The premises spend behind each building: a partner's counted premises spend spread over its buildings.

A partner's premises running cost in the place is the count's lines of the CIPFA
subjective group "Premises" (energy, rates and rents, repairs and maintenance,
cleaning, security: the running costs of buildings, CIPFA Service Reporting Code of
Practice), transfers to other partners excluded as the count excludes them, each
line at the partner's place share exactly as the count applies it. The back-office
"Property" function (estates teams, valuations, surveys) is not added: its lines are
the cost of managing the estate, not of running the buildings, and many are already
Premises lines.

That spend is spread over the partner's located buildings in the place by floor
area; a building without a published floor area is given the median of the
partner's buildings that have one, and where none has one, equal shares. It is an
estimate, and every figure says so (``running_cost_method``). Bodies that are not
partners have no counted spend here, so their buildings have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from totalplace import stages
from totalplace.money import split
from totalplace.opportunities.savings import place_amount
from totalplace.warehouse import has_table
from totalplace.workspace import Workspace
from totalplace.years import default_year, year_label

__all__ = ["PREMISES_SUBJECTIVE", "PremisesSpend", "premises_spend", "spread_costs"]

PREMISES_SUBJECTIVE = "Premises"
SOURCE = (
    "count_lines x classifications: subjective 'Premises' (CIPFA), transfers excluded, "
    "at the partner's place share"
)


@dataclass(frozen=True)
class PremisesSpend:
    """Each partner's counted premises spend in the place in one financial year (None: no count)."""

    financial_year: str | None
    by_partner: dict[str, Decimal]
    note: str | None = None


def premises_spend(con: Any, workspace: Workspace) -> PremisesSpend:
    """Return each partner's premises spend in the place, in the latest year all partners cover.

    Without a count (never run here) the spend is empty with a note saying to run it;
    raises StageStale if the count is out of date.
    """
    if stages.last_run(con, "count") is None or not has_table(con, "classifications"):
        return PremisesSpend(
            None,
            {},
            "no premises spend: run `totalplace classify` and `totalplace count` for the "
            "running costs behind the partners' buildings",
        )
    stages.require(con, workspace, "count")
    lines = con.table("count_lines")
    lines = lines.filter(lines.transfer_to.isnull())
    c = con.table("classifications").select("txn_key", "subjective")
    premises = lines.join(c, "txn_key").filter(lambda t: t.subjective == PREMISES_SUBJECTIVE)
    spent = premises.mutate(place=place_amount(premises.amount, premises.share))
    rows = (
        spent.group_by(["partner", "fy_start_year"])
        .aggregate(amount=spent.place.sum())
        .to_pyarrow()
        .to_pylist()
    )
    years = lines.select("partner", "fy_start_year").distinct().to_pyarrow().to_pylist()
    year = default_year(years)
    if year is None:
        return PremisesSpend(None, {}, "no dated spending in the count: no premises spend")
    return PremisesSpend(
        year_label(year),
        {r["partner"]: Decimal(r["amount"]) for r in rows if r["fy_start_year"] == year},
    )


def spread_costs(assets: pa.Table, spend: PremisesSpend) -> tuple[pa.Array, pa.Array]:
    """Return (running_cost, running_cost_method) per row of ``assets``: each partner's
    premises spend split over its located buildings in the place (to the penny, exactly)."""
    n = assets.num_rows
    cost = np.full(n, None, dtype=object)
    method = np.full(n, "not a partner: no counted spend", dtype=object)
    partner = np.array(assets.column("partner").to_pylist(), dtype=object)
    status = np.array(assets.column("place_status").to_pylist(), dtype=object)
    building = assets.column("is_building").fill_null(False).to_numpy(zero_copy_only=False)
    located = assets.column("located_by").is_valid().to_numpy(zero_copy_only=False)
    used = (status == "in place") & building & located
    size = assets.column("size_m2").to_numpy(zero_copy_only=False)
    is_partner = partner != None  # noqa: E711 -- elementwise over an object array
    method[is_partner] = "not a building located in the place: none"
    year = spend.financial_year
    for slug in sorted(set(partner[is_partner & used])):  # a handful of partners
        rows = np.flatnonzero((partner == slug) & used)
        amount = spend.by_partner.get(slug)
        if amount is None:
            method[rows] = spend.note or f"no premises spend counted in {year}"
            continue
        sizes = size[rows]
        known = ~np.isnan(sizes) & (sizes > 0)
        if known.any():
            filled = np.where(known, sizes, float(np.median(sizes[known])))
            weights = [Decimal(f"{w:.2f}") for w in filled]
            how = "by floor area" if known.all() else "by floor area (median for those without)"
        else:
            weights = [Decimal(1)] * len(rows)
            how = "equal shares (no floor areas)"
        cost[rows] = split(amount, weights)
        method[rows] = f"estimate: {year} premises spend {how}"
    return pa.array(cost, pa.decimal128(18, 2)), pa.array(method, pa.string())
