"""The place's own figures a scenario starts from, read from the tables earlier stages wrote.

Levers never recompute the count or the opportunities: they read ``count_by_partner_theme_year``
(what each partner spends on each theme in the place), ``opp_back_office`` and
``opp_procurement`` / ``opp_procurement_partners`` (back-office and addressable spend, with
their cited saving rates) for the baseline year, after :func:`totalplace.stages.require`
has checked those stages are current. The tables are small (partners x themes x functions):
they are brought into Python once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from totalplace.journey import JourneyResult, journey_path, run_journey
from totalplace.stages import require
from totalplace.warehouse import connect, has_table
from totalplace.workspace import Workspace

__all__ = ["Baseline", "read_baseline", "read_journeys"]

COUNT_TABLE = "count_by_partner_theme_year"


@dataclass
class Baseline:
    """The baseline year's figures, by partner name (place.toml), in pounds (exact decimal)."""

    year: int
    years: tuple[int, ...]  # every year the count has
    spend: dict[tuple[str, str], Decimal]  # (partner, theme) -> counted amount in the place
    back_office: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (partner, function)
    back_office_rates: dict[str, tuple[Decimal, Decimal, Decimal, str]] = field(
        default_factory=dict
    )
    procurement: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (partner, category)
    procurement_rates: dict[str, tuple[Decimal, Decimal, Decimal, str]] = field(
        default_factory=dict
    )
    estate: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (partner, cluster)
    clusters: dict[str, str] = field(default_factory=dict)  # cluster -> its bodies, in words
    sources: dict[str, str] = field(default_factory=dict)  # figure -> table and run it came from
    journeys: dict[str, JourneyResult] = field(default_factory=dict)  # a lever's file -> costed

    @property
    def themes(self) -> tuple[str, ...]:
        """Return the themes the count has in the baseline year, sorted."""
        return tuple(sorted({theme for _, theme in self.spend}))


def _rows(con: Any, table: str, year: int | None = None) -> list[dict[str, Any]]:
    t = con.table(table)
    if year is not None:
        t = t.filter(t.fy_start_year == year)
    return t.to_pyarrow().to_pylist()


def read_baseline(
    workspace: Workspace, year: int | None, needs_opportunities: bool, needs_assets: bool = False
) -> Baseline:
    """Return the baseline figures of ``year`` (None: the latest year the count has).

    Raises StageNotRun / StageStale (with the command to run) if the count -- or, when
    ``needs_opportunities``, the opportunities; when ``needs_assets``, the assets -- are
    missing or out of date.
    """
    name_of: Callable[[str], str] = _partner_names(workspace)
    con = connect(workspace, read_only=True)
    try:
        count_run = require(con, workspace, "count")
        rows = _rows(con, COUNT_TABLE)
        years = tuple(sorted({int(r["fy_start_year"]) for r in rows if r["fy_start_year"]}))
        if year is None:
            year = years[-1] if years else None
        if year is None or year not in years:
            from totalplace.years import YearError, year_label

            shown = ", ".join(year_label(y) for y in years) or "none"
            raise YearError(
                f"the count has no financial year {year_label(year)} for the scenario's "
                f"baseline_year; the years counted are {shown}"
            )
        spend: dict[tuple[str, str], Decimal] = {}
        for r in rows:
            if r["fy_start_year"] == year:
                key = (name_of(r["partner"]), r["theme"])
                spend[key] = spend.get(key, Decimal(0)) + Decimal(r["counted_amount"] or 0)
        base = Baseline(year=year, years=years, spend=spend)
        base.sources["spend"] = f"{COUNT_TABLE} (count run {count_run.run_id[:8]})"
        if needs_opportunities:
            _read_opportunities(con, workspace, base, name_of)
        if needs_assets:
            _read_assets(con, workspace, base, name_of)
        return base
    finally:
        con.disconnect()


def _read_opportunities(
    con: Any, workspace: Workspace, base: Baseline, name_of: Callable[[str], str]
) -> None:
    run = require(con, workspace, "opportunities")
    for r in _rows(con, "opp_back_office", base.year):
        key = (name_of(r["partner"]), r["function"])
        base.back_office[key] = base.back_office.get(key, Decimal(0)) + Decimal(
            r["place_amount"] or 0
        )
        base.back_office_rates[r["function"]] = (
            Decimal(r["rate_low"]),
            Decimal(r["rate_central"]),
            Decimal(r["rate_high"]),
            r["source"] or "",
        )
    if has_table(con, "opp_procurement"):
        for r in _rows(con, "opp_procurement", base.year):
            base.procurement_rates[r["category"]] = (
                Decimal(r["rate_low"]),
                Decimal(r["rate_central"]),
                Decimal(r["rate_high"]),
                r["source"] or "",
            )
        categories = {
            r["opportunity_key"]: r["category"] for r in _rows(con, "opp_procurement", base.year)
        }
        for r in _rows(con, "opp_procurement_partners", base.year):
            category = categories.get(r["opportunity_key"])
            if category is None:
                continue
            key = (name_of(r["partner"]), category)
            base.procurement[key] = base.procurement.get(key, Decimal(0)) + Decimal(
                r["place_amount"] or 0
            )
    base.sources["opportunities"] = (
        f"opp_back_office, opp_procurement (opportunities run {run.run_id[:8]})"
    )


def _read_assets(
    con: Any, workspace: Workspace, base: Baseline, name_of: Callable[[str], str]
) -> None:
    run = require(con, workspace, "assets")
    for r in con.table("asset_clusters").to_pyarrow().to_pylist():
        base.clusters[str(r["cluster_id"])] = str(r["bodies"])
    for r in con.table("asset_cluster_members").to_pyarrow().to_pylist():
        if r["partner"] and r["running_cost"] is not None:
            key = (name_of(r["partner"]), str(r["cluster_id"]))
            base.estate[key] = base.estate.get(key, Decimal(0)) + Decimal(r["running_cost"])
    base.sources["assets"] = f"asset_clusters, asset_cluster_members (assets run {run.run_id[:8]})"


def read_journeys(workspace: Workspace, spec: Any) -> dict[str, JourneyResult]:
    """Return each journey file a scenario's ``journey`` levers name, costed, by its ``file`` text.

    A journey file with faults raises its own JourneyFileError (every fault with its line);
    a missing file is left to the lever to report at its line.
    """
    found: dict[str, JourneyResult] = {}
    for lever in spec.levers:
        file = lever.table.get("file") if lever.kind == "journey" else None
        if isinstance(file, str) and file.strip() and file not in found:
            path = journey_path(workspace, file.strip())
            if path.is_file():
                found[file] = run_journey(workspace, path)
    return found


def _partner_names(workspace: Workspace) -> Callable[[str], str]:
    """Return a function from a partner's slug (as the tables hold it) to its place.toml name."""
    names = {p.slug: p.name for p in workspace.partners}

    def name_of(slug: str) -> str:
        return names.get(slug, slug)

    return name_of
