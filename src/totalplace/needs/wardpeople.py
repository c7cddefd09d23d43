"""Ward populations: each district's ONS figures shared by its wards, adding up to the district exactly."""

from __future__ import annotations

from fractions import Fraction

from totalplace import extent, reference
from totalplace.money import allocate
from totalplace.needs.drivers import driver_weights
from totalplace.reference import UnknownAreaError
from totalplace.reference.cohorts import district_cohorts
from totalplace.reference.wards import Ward, wards
from totalplace.workspace import Workspace


def district_scales(workspace: Workspace, ward_list: list[Ward], year: int) -> dict[str, Fraction]:
    """Return per district: its ONS mid-year population over the sum of all its wards' populations.

    Multiplying a ward's figure by its district's scale puts wards of districts with
    ward figures of different years on one footing; within one district it changes
    nothing (every ward is scaled alike), so a one-district place splits as before.
    """
    scales: dict[str, Fraction] = {}
    for district in sorted({w.lad_code for w in ward_list}):
        total = sum(w.population for w in wards(district, workspace))
        try:
            people = reference.population(district, year)[0]
        except UnknownAreaError:
            people = total
        scales[district] = Fraction(people, total) if total else Fraction(1)
    return scales


def ward_people(
    workspace: Workspace, ward_list: list[Ward], population: int, year: int, band: str
) -> list[int] | None:
    """Return ward populations for a year (same order): each district's figure shared by its wards'.

    ``band`` 'population': the district's ONS population for ``year`` (``population``
    when the wards are those of one whole district: the count's figure) split by ward
    population; 'older' / 'children': the district's 65+ / 0-15 figure for ``year``
    split by the wards' older / 0-15 band (None if a district has no such figure).
    Each district is split over all its wards by largest remainder, so the wards of a
    district add up to it exactly; wards of the district outside the place are dropped.
    """
    out: dict[str, int] = {}
    districts = sorted({w.lad_code for w in ward_list})
    for district in districts:
        mine = [w for w in ward_list if w.lad_code == district]
        every = (
            mine
            if len(districts) == 1 and _whole(workspace, district)
            else wards(district, workspace)
        )
        if band == "population":
            if population and every is mine:
                total = population
            else:
                try:
                    total = reference.population(district, year)[0]
                except UnknownAreaError:
                    return None
            parts = allocate(total, [w.population for w in every])
        else:
            try:
                cohorts = district_cohorts(district, year, workspace)
            except UnknownAreaError:
                return None
            total = cohorts.older if band == "older" else cohorts.children
            parts = allocate(total, driver_weights(every, band))
        out.update({w.code: p for w, p in zip(every, parts, strict=True)})
    return [out[w.code] for w in ward_list]


def _whole(workspace: Workspace, district: str) -> bool:
    return extent.extent(workspace.place).is_whole(district)
