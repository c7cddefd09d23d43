"""How much of each partner's spending belongs to the place: the apportionment driver.

A partner covering only the place counts in full ('actual'). A partner covering a
wider area (Lancashire police and fire cover 14 districts) is apportioned by the
place's share of the population of the districts it covers, for the mid-year
estimate of the year its financial year starts ('apportioned'). Domain spec §3.2:
spend(place) = spend(area) × driver(place) / driver(area).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from totalplace import reference
from totalplace.workspace import Partner, Place

#: Shares are stored to 15 decimal places: exact enough that a £1bn budget moves < 1p.
SHARE_PLACES = Decimal("1e-15")


@dataclass(frozen=True)
class Share:
    """The share of one partner's spending in one financial year that belongs to the place."""

    partner: str
    fy_start_year: int
    share: Decimal
    method: str
    driver: str
    confidence: str
    place_population: int
    area_population: int
    population_year: int


def place_population(place: Place, year: int) -> tuple[int, int]:
    """Return (population, year used) of the place for a year's mid-year estimate."""
    return reference.population(place.code, year)


def partner_share(place: Place, partner: Partner, fy_start_year: int) -> Share:
    """Return the share of a partner's spending in one financial year that is the place's."""
    pop_place, pop_year = place_population(place, fy_start_year)
    districts = partner.districts()
    if not districts:
        return Share(
            partner.slug,
            fy_start_year,
            Decimal(1),
            "actual (area not set)",
            "all spending counted: the partner's area is not set in place.toml",
            "low",
            pop_place,
            pop_place,
            pop_year,
        )
    if districts == [place.code]:
        return Share(
            partner.slug,
            fy_start_year,
            Decimal(1),
            "actual",
            f"covers only {place.name} ({place.code})",
            "high",
            pop_place,
            pop_place,
            pop_year,
        )
    if place.code not in districts:
        return Share(
            partner.slug,
            fy_start_year,
            Decimal(0),
            "outside the place",
            f"its {len(districts)} districts do not include {place.code}",
            "high",
            pop_place,
            0,
            pop_year,
        )
    area_population = 0
    for code in districts:
        area_population += reference.population(code, fy_start_year)[0]
    share = (Decimal(pop_place) / Decimal(area_population)).quantize(SHARE_PLACES, ROUND_HALF_UP)
    driver = (
        f"population share: {place.name} {pop_place:,} of {area_population:,} in the "
        f"{len(districts)} districts {partner.name} covers (ONS mid-{pop_year})"
    )
    return Share(
        partner.slug,
        fy_start_year,
        share,
        "apportioned",
        driver,
        "medium",
        pop_place,
        area_population,
        pop_year,
    )
