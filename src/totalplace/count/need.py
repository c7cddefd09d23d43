"""The NHS need driver beside the population driver: both shares of an NHS partner, and both amounts.

An NHS partner (sector nhs_icb or nhs_trust) covering a wider area than the place may
be apportioned by NHS England's weighted populations (``apportion = "nhs_need"`` in
place.toml; :func:`totalplace.count.apportion.need_share`) instead of head count. This
module says what difference the choice makes: for each such partner and year, the
place's share of its spending and the amount counted by population and by need.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from totalplace import extent
from totalplace.count.apportion import partner_share
from totalplace.count.result import CountResult
from totalplace.money import ZERO, round_half_up
from totalplace.reference import nhs_need
from totalplace.workspace import Partner, Workspace
from totalplace.workspace.partner_tables import NHS_SECTORS

__all__ = ["need_comparison", "need_notes", "uses_need"]


def uses_need(partner: Partner) -> bool:
    """Return whether the partner is apportioned by NHS need in the count."""
    return partner.apportion.startswith("nhs_need")


def need_notes(workspace: Workspace) -> list[str]:
    """Return a note per partner apportioned by NHS need: the method, its component and source."""
    return [
        f"{p.name}: apportioned by NHS need, not head count: the place's share of the "
        f"{nhs_need.component_words(p.apportion.partition(':')[2] or 'overall')} of the GP "
        f"practices in its area ({nhs_need.SOURCE}); the same figures stand for every year. "
        "'totalplace count --driver nhs-need' shows the difference from the population share."
        for p in workspace.partners
        if uses_need(p)
    ]


def need_comparison(
    workspace: Workspace, result: CountResult, every_nhs_partner: bool = False
) -> list[dict[str, Any]]:
    """Return per NHS partner and dated year: population and need shares, the amounts by each, the difference.

    Partners apportioned by need in the count, and with ``every_nhs_partner`` every
    partner of an NHS sector (compared by its own component, else 'overall'). Each
    amount is the partner's base (spending after transfers) times the share, rounded to
    the penny per theme as the count rounds it; ``used`` says which driver the count used.
    """
    chosen = [
        p
        for p in workspace.partners
        if uses_need(p) or (every_nhs_partner and p.sector in NHS_SECTORS)
    ]
    if not chosen:
        return []
    where = extent.extent(workspace.place)
    out = []
    for partner in chosen:  # a few partners × a few years × their themes
        rows = [
            r
            for r in result.rows
            if r["partner"] == partner.slug and r["fy_start_year"] is not None
        ]
        for year in sorted({r["fy_start_year"] for r in rows}):
            mine = [r for r in rows if r["fy_start_year"] == year]
            driver = partner.apportion if uses_need(partner) else "nhs_need:overall"
            by_pop = partner_share(workspace.place, partner, year, driver="population")
            by_need = partner_share(workspace.place, partner, year, driver=driver)
            pop_amount = _times(mine, by_pop.share)
            need_amount = _times(mine, by_need.share)
            out.append(
                {
                    "financial_year": mine[0]["financial_year"],
                    "partner": partner.slug,
                    "partner_name": partner.name,
                    "used": "nhs need" if uses_need(partner) else "population",
                    "component": driver.partition(":")[2],
                    "base_amount": sum((r["base_amount"] for r in mine), ZERO),
                    "population_share": by_pop.share,
                    "population_amount": pop_amount,
                    "population_driver": by_pop.driver,
                    "need_share": by_need.share,
                    "need_amount": need_amount,
                    "need_driver": by_need.driver,
                    "difference": need_amount - pop_amount,
                    "source": nhs_need.SOURCE,
                    "place_covered": bool(where.within(partner.districts())),
                }
            )
    return out


def _times(rows: list[dict[str, Any]], share: Decimal) -> Decimal:
    """Return the sum over theme rows of base × share, each rounded to the penny (as the count)."""
    return sum((round_half_up(Fraction(r["base_amount"]) * Fraction(share)) for r in rows), ZERO)
