"""Jobs and supplier income behind a cut (or a shift) of a partner's spend in a theme or category.

A cut of X from partner P's spend in theme T is spread over the supplier sectors of
P's spend with suppliers in T (the counted lines, category -> SIC section by
``data/economy/sectors.toml``; spend in no mapped category by the place's employment
mix). Per sector s, with the place's multipliers (econstack-data, ONS IOAT 2023 + FLQ):

* X_s = X x (P's spend in T with sector s) / (P's spend in T with suppliers);
* direct jobs = X_s / 1e6 x directEmploymentPerMillion_s;
* total jobs = direct x employmentMultiplier_s (Type I; Type II shown beside it);
* supplier output lost = X_s x outputMultiplier_s;
* income = jobs x averageEarningsPerJob_s.

Only the local share of X_s (the share of that sector's spend with suppliers located in
the place, :mod:`totalplace.economy.locations`) affects local jobs; the same arithmetic
on the whole of X is shown for the cross-check against domain.md's ~11 jobs per £1m.
Arithmetic is float64 over the 19 sections (NumPy); money is reported to the penny.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from totalplace import stages
from totalplace.economy.assumptions import (
    SECTIONS,
    EconomyAssumptions,
    EconomyError,
    load_economy_assumptions,
)
from totalplace.economy.local_figures import SectorFigures, local_figures
from totalplace.economy.locations import LOCAL, UNKNOWN
from totalplace.economy.scope import supplier_lines
from totalplace.money import round_half_up
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["JobsEffect", "jobs_effect", "spread_jobs"]

LOCATIONS_TABLE = "economy_supplier_locations"


@dataclass(frozen=True)
class JobsEffect:
    """Jobs and income a change of spend affects, in total and by supplier sector, with its method."""

    partner: str
    theme: str | None
    category: str | None
    year: int | None
    amount: Decimal
    local_amount: Decimal
    unknown_amount: Decimal
    direct_jobs: float
    total_jobs: float
    total_jobs_type2: float
    local_income: Decimal
    output: Decimal
    direct_jobs_all: float
    total_jobs_all: float
    jobs_per_million_all: float
    benchmark_jobs_per_million: Decimal
    by_sector: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Return the effect as a JSON-ready mapping (money as decimal strings)."""
        return {
            k: (str(v) if isinstance(v, Decimal) else v)
            for k, v in self.__dict__.items()
            if k != "by_sector"
        } | {
            "financial_year": year_label(self.year) if self.year is not None else None,
            "by_sector": [
                {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
                for row in self.by_sector
            ],
        }


def _penny(value: float) -> Decimal:
    return round_half_up(Decimal(repr(float(value))))


def _jobs(value: float) -> float:
    return round(float(value), 2)


def spread_jobs(
    amount: Decimal,
    spend: np.ndarray,
    local: np.ndarray,
    unknown: np.ndarray,
    figures: SectorFigures,
) -> dict[str, np.ndarray]:
    """Return per-section arrays of the effect of ``amount`` spread as ``spend`` is (19 sections).

    ``spend``, ``local`` and ``unknown`` are a partner's spend by section, and the
    parts of it with local suppliers and suppliers of unknown location. Keys: x, x_local,
    x_unknown, direct_all, total_all, direct, total, total_type2, income, output.
    """
    total = spend.sum()
    weights = spend / total
    x = float(amount) * weights
    with np.errstate(invalid="ignore", divide="ignore"):
        local_share = np.where(spend > 0, local / spend, 0.0)
        unknown_share = np.where(spend > 0, unknown / spend, 0.0)
    v = figures.values
    x_local = x * local_share
    direct_all = x / 1e6 * v["directEmploymentPerMillion"]
    direct = x_local / 1e6 * v["directEmploymentPerMillion"]
    total_local = direct * v["employmentMultiplier"]
    return {
        "x": x,
        "x_local": x_local,
        "x_unknown": x * unknown_share,
        "direct_all": direct_all,
        "total_all": direct_all * v["employmentMultiplier"],
        "direct": direct,
        "total": total_local,
        "total_type2": direct * v["employmentMultiplierTypeII"],
        "income": total_local * v["averageEarningsPerJob"],
        "output": x * v["outputMultiplier"],
    }


def _sector_spend(
    rows: list[dict[str, Any]], assumptions: EconomyAssumptions, figures: SectorFigures
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Decimal]:
    """Return spend, local and unknown spend by section, and the unmapped spend spread by the mix."""
    index = {s: i for i, s in enumerate(SECTIONS)}
    spend, local, unknown = (np.zeros(len(SECTIONS)) for _ in range(3))
    mix = figures.employment_mix()
    unmapped = Decimal(0)
    for row in rows:  # one row per category x location status: a few dozen
        amount = max(row["amount"] or Decimal(0), Decimal(0))  # a net refund buys nothing
        section = assumptions.sectors.get(row["category"] or "")
        share = np.zeros(len(SECTIONS))
        if section is None:
            share = mix
            unmapped += amount
        else:
            share[index[section]] = 1.0
        spend += float(amount) * share
        if row["status"] == LOCAL:
            local += float(amount) * share
        elif row["status"] == UNKNOWN:
            unknown += float(amount) * share
    return spend, local, unknown, unmapped


def jobs_effect(
    con: Any,
    ws: Workspace,
    partner: str,
    theme: str | None,
    amount: Decimal,
    year: int | None,
    *,
    category: str | None = None,
    assumptions: EconomyAssumptions | None = None,
) -> JobsEffect:
    """Return the jobs, income and output a cut of ``amount`` from ``partner``'s spend affects.

    ``theme`` and/or ``category`` narrow the spend the cut falls on (None: all the
    partner's spend with suppliers); ``year`` is a financial year's start year (None:
    every counted year). Needs ``totalplace economy`` to have run (StageNotRun /
    StageStale otherwise); raises EconomyError for an unknown partner, theme or
    category, or no spend with suppliers to spread the cut over.
    """
    assumptions = assumptions or load_economy_assumptions(ws)
    found = ws.partner(partner)
    if found is None:
        raise EconomyError(
            f"no partner {partner!r} in this workspace; the partners are "
            + ", ".join(repr(p.name) for p in ws.partners)
        )
    stages.require(con, ws, "economy")
    lines = supplier_lines(con, ws, year)
    lines = lines.filter(lines.partner == found.slug)
    for what, value in (("theme", theme), ("category", category)):
        if value is None:
            continue
        known = sorted(
            v for v in lines.select(what).distinct().to_pyarrow().column(0).to_pylist() if v
        )
        if value not in known:
            raise EconomyError(
                f"{found.name} has no spend with suppliers in {what} {value!r}"
                + (f" in {year_label(year)}" if year is not None else "")
                + f"; its {what}s are: "
                + ", ".join(repr(k) for k in known)
            )
        lines = lines.filter(lines[what] == value)
    loc = con.table(LOCATIONS_TABLE).select("supplier_ref", "status")
    joined = lines.left_join(loc, "supplier_ref")
    joined = joined.mutate(status=joined.status.fill_null(UNKNOWN))
    rows = (
        joined.group_by(["category", "status"])
        .aggregate(amount=joined.amount.sum())
        .to_pyarrow()
        .to_pylist()
    )
    figures = local_figures(ws, assumptions)
    spend, local, unknown, unmapped = _sector_spend(rows, assumptions, figures)
    if spend.sum() <= 0:
        raise EconomyError(
            f"{found.name} has no spend with suppliers to spread the cut over"
            + (f" in theme {theme!r}" if theme else "")
            + (f" in category {category!r}" if category else "")
        )
    r = spread_jobs(amount, spend, local, unknown, figures)
    by_sector = [
        {
            "section": s,
            "sector": figures.names[i],
            "share_of_spend": round(float(spend[i] / spend.sum()), 6),
            "amount": _penny(r["x"][i]),
            "local_amount": _penny(r["x_local"][i]),
            "direct_jobs": _jobs(r["direct"][i]),
            "total_jobs": _jobs(r["total"][i]),
            "local_income": _penny(r["income"][i]),
            "output": _penny(r["output"][i]),
            "direct_per_million": float(figures.values["directEmploymentPerMillion"][i]),
            "employment_multiplier": float(figures.values["employmentMultiplier"][i]),
            "output_multiplier": float(figures.values["outputMultiplier"][i]),
            "earnings_per_job": float(figures.values["averageEarningsPerJob"][i]),
        }
        for i, s in enumerate(SECTIONS)
        if spend[i] > 0
    ]
    total_all = float(r["total_all"].sum())
    per_million = total_all / float(amount) * 1e6 if amount else 0.0
    notes = [
        "Local jobs count only the share of each sector's spend with suppliers located in "
        "the place; suppliers of unknown location are not counted as local "
        f"(£{_penny(r['x_unknown'].sum()):,} of the cut is with them).",
        f"All jobs at the place's multipliers: {_jobs(total_all)} "
        f"({per_million:.1f} per £1m) against about {assumptions.jobs_per_million} per £1m "
        "in PwC's 2010 estimate of the cuts (domain.md §7).",
    ]
    if unmapped:
        notes.append(
            f"£{unmapped:,.2f} of the spend is in no category with a sector "
            "(data/economy/sectors.toml): spread by the place's employment mix."
        )
    return JobsEffect(
        partner=found.name,
        theme=theme,
        category=category,
        year=year,
        amount=round_half_up(amount),
        local_amount=_penny(r["x_local"].sum()),
        unknown_amount=_penny(r["x_unknown"].sum()),
        direct_jobs=_jobs(r["direct"].sum()),
        total_jobs=_jobs(r["total"].sum()),
        total_jobs_type2=_jobs(r["total_type2"].sum()),
        local_income=_penny(r["income"].sum()),
        output=_penny(r["output"].sum()),
        direct_jobs_all=_jobs(r["direct_all"].sum()),
        total_jobs_all=_jobs(total_all),
        jobs_per_million_all=round(per_million, 2),
        benchmark_jobs_per_million=assumptions.jobs_per_million,
        by_sector=by_sector,
        notes=notes,
        sources={
            "multipliers": figures.source,
            "sectors": "totalplace/data/economy/sectors.toml (category -> SIC 2007 section)",
            "locations": LOCATIONS_TABLE + " (totalplace economy)",
            "benchmark": assumptions.benchmark_source,
        },
    )
