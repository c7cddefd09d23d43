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

from totalplace import extent, reference
from totalplace.count.result import CountError
from totalplace.money import SHARE_PLACES
from totalplace.reference import nhs_need
from totalplace.workspace import Partner, Place


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
    """Return (population, year used) of the place -- the union of its areas -- for a mid-year estimate."""
    return extent.population(extent.extent(place), year)


def partner_shares(place: Place, partners: list[Partner], years: list[int]) -> list[Share]:
    """Return the share of every partner in every year, working out the place's own figures once per year."""
    where = extent.extent(place)
    shares = []
    for year in years:
        figures = (where, extent.population(where, year))
        shares += [partner_share(place, p, year, figures) for p in partners]
    return shares


def partner_share(
    place: Place,
    partner: Partner,
    fy_start_year: int,
    place_figures: tuple[extent.Extent, tuple[int, int]] | None = None,
    driver: str | None = None,
) -> Share:
    """Return the share of a partner's spending in one financial year that is the place's.

    Population share of the overlap: the people of the place living in the partner's
    area over the people of that area. So a partner whose area lies inside the place
    counts in full ('actual'); one covering the place and more, or part of the place
    and more, is apportioned; one outside the place counts nothing. An NHS partner with
    ``apportion = "nhs_need"`` is apportioned by NHS England's weighted populations
    instead (:func:`need_share`); ``driver`` ('population', 'nhs_need:overall' ...)
    overrides the partner's own setting, to compare drivers. ``place_figures``
    (the place's extent and its population for the year) saves working them out again
    for every partner of a large place.
    """
    where, (pop_place, pop_year) = place_figures or (
        extent.extent(place),
        place_population(place, fy_start_year),
    )
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
    overlap = where.within(districts)
    if not overlap:
        return Share(
            partner.slug,
            fy_start_year,
            Decimal(0),
            "outside the place",
            f"its {len(districts)} districts do not include {_where(place, where)}",
            "high",
            pop_place,
            0,
            pop_year,
        )
    if where.inside(districts):
        driver = (
            f"covers only {place.name} ({place.code})"
            if len(overlap) == len(where.districts)
            else f"covers {_districts_words(districts)}, inside {place.name}: counted in full"
        )
        return Share(
            partner.slug,
            fy_start_year,
            Decimal(1),
            "actual",
            driver,
            "high",
            pop_place,
            extent.population(where, fy_start_year, districts)[0],
            pop_year,
        )
    pop_overlap = extent.population(where, fy_start_year, districts)[0]
    area_population = extent.area_population(districts, fy_start_year)
    if (driver or partner.apportion).startswith("nhs_need"):
        share, words = need_share(place, partner, where, districts, driver)
        return Share(
            partner.slug,
            fy_start_year,
            share,
            "apportioned (NHS need)",
            words,
            "medium",
            pop_place,
            area_population,
            pop_year,
        )
    share = (Decimal(pop_overlap) / Decimal(area_population)).quantize(SHARE_PLACES, ROUND_HALF_UP)
    part = (
        place.name
        if len(overlap) == len(where.districts)
        else f"the part of {place.name} in its area"
    )
    driver = (
        f"population share: {part} {pop_overlap:,} of {area_population:,} in the "
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


def need_share(
    place: Place,
    partner: Partner,
    where: extent.Extent,
    districts: list[str],
    driver: str | None = None,
) -> tuple[Decimal, str]:
    """Return the place's share of the partner's area's NHS weighted population, and its words.

    A district the place covers in part counts its weighted population times the
    place's wards' share of the district's people. Raises CountError when the area has
    no English GP practices (NHS England's figures cover England only).
    """
    component = (driver or partner.apportion).partition(":")[2] or "overall"
    weights = {d: extent.fraction(where, d) for d in where.within(districts)}
    found = nhs_need.need_share(districts, weights, component)
    if not found.area_weighted:
        raise CountError(
            f"{partner.name}: apportion = 'nhs_need', but its area has no GP practice in NHS "
            "England's weighted populations (they cover England only); set apportion = "
            '"population" for it in place.toml'
        )
    part = place.name if len(weights) == len(where.districts) else f"the part of {place.name}"
    words = found.words(part, f"the {len(districts)} districts {partner.name} covers")
    return found.share, words + "; the 2024/25 figures stand for every year"


def _where(place: Place, where: extent.Extent) -> str:
    if where.single_district:
        return where.single_district
    return f"any of the {len(where.districts)} districts of {place.name}"


def _districts_words(districts: list[str]) -> str:
    names = [reference.area_name(d) for d in districts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
