"""The need row of a place or district: its population, cohort and IMD deprivation, with their sources."""

from __future__ import annotations

from typing import Any

from totalplace import extent, reference
from totalplace.needs.drivers import COHORT_LABELS
from totalplace.needs.wardpeople import ward_people
from totalplace.needs.wards import place_wards
from totalplace.reference import UnknownAreaError
from totalplace.reference.cohorts import Cohorts, district_cohorts
from totalplace.reference.deprivation import DistrictDeprivation, district_deprivation
from totalplace.workspace import Workspace

COHORT_WORDS = {"older": "65 and over", "children": "0-15"}


def _deprivation(code: str, edition: int, workspace: Workspace) -> DistrictDeprivation | None:
    try:
        return district_deprivation(code, edition, workspace)
    except UnknownAreaError:
        return None


def district_row(
    code: str, name: str, year: int, cohort: str | None, workspace: Workspace
) -> dict[str, Any]:
    population, pop_year = reference.population(code, year)
    cohorts: Cohorts | None
    try:
        cohorts = district_cohorts(code, year, workspace)
    except UnknownAreaError:
        cohorts = None
    imd19 = _deprivation(code, 2019, workspace)
    imd25 = _deprivation(code, 2025, workspace)
    sources = [f"population: ONS mid-{pop_year}"]
    if cohort and cohorts:
        sources.append(f"{COHORT_WORDS[cohort]}: {cohorts.source}")
    sources.append("IMD: IoD2019 (LAD 2019) and IoD2025 (LAD 2024) district summaries")
    return {
        "code": code,
        "name": name,
        "population": population,
        "population_year": pop_year,
        "cohort": COHORT_LABELS.get(cohort or ""),
        "cohort_population": (
            (cohorts.older if cohort == "older" else cohorts.children)
            if cohort and cohorts
            else None
        ),
        "imd2019_score": imd19.average_score if imd19 else None,
        "imd2019_rank": imd19.rank_average_score if imd19 else None,
        "imd2019_districts": imd19.districts_ranked if imd19 else None,
        "imd2025_score": imd25.average_score if imd25 else None,
        "imd2025_rank": imd25.rank_average_score if imd25 else None,
        "imd2025_districts": imd25.districts_ranked if imd25 else None,
        "source": "; ".join(sources),
    }


def place_row(workspace: Workspace, year: int, cohort: str | None) -> dict[str, Any]:
    """Return the place's population, cohort and deprivation row: one district's, or the union's."""
    place = workspace.place
    where = extent.extent(place)
    if where.single_district:
        return district_row(where.single_district, place.name, year, cohort, workspace)
    population, pop_year = extent.population(where, year)
    ward_list = place_wards(workspace)
    cohort_people = None
    if cohort:
        people = ward_people(workspace, ward_list, 0, year, cohort)
        cohort_people = sum(people) if people is not None else None
    row: dict[str, Any] = {
        "code": place.code,
        "name": place.name,
        "population": population,
        "population_year": pop_year,
        "cohort": COHORT_LABELS.get(cohort or ""),
        "cohort_population": cohort_people,
    }
    sources = [
        f"population: ONS mid-{pop_year}, summed over the place's {len(where.districts)} "
        "district(s)"
        + (" (wards: their district's figure shared by ward population)" if where.wards else "")
    ]
    if cohort:
        sources.append(f"{COHORT_WORDS[cohort]}: each district's figure shared by its wards'")
    for edition in (2019, 2025):
        score = _weighted_score(workspace, where, year, edition)
        row[f"imd{edition}_score"] = score
        row[f"imd{edition}_rank"] = None
        row[f"imd{edition}_districts"] = None
    ranked = [w for w in ward_list if w.imd_population]
    if where.wards and ranked:
        total = sum(w.imd_rank_total for w in ranked)
        row["ward_imd_rank"] = round(total / sum(w.imd_population for w in ranked), 1)
    sources.append(
        "IMD: the districts' IoD2019 / IoD2025 average scores weighted by the place's population "
        "in each (no rank: the place is not one district)"
    )
    row["source"] = "; ".join(sources)
    return row


def _weighted_score(
    workspace: Workspace, where: extent.Extent, year: int, edition: int
) -> float | None:
    """Return the IMD average score of the place: its districts' weighted by its people in each."""
    total, people = 0.0, 0
    for district in where.districts:
        found = _deprivation(district, edition, workspace)
        if found is None:
            return None
        mine = extent.population(where, year, [district])[0]
        total += found.average_score * mine
        people += mine
    return round(total / people, 3) if people else None
