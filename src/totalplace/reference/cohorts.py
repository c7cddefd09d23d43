"""District age cohorts: children (0-15) and older people (65+) for a mid-year.

Exact where a district mid-year file is loaded or ward estimates cover the district;
else the shipped ``needs_district_age_profile.csv`` (each district's mid-2024 age
profile, ONS via econstack-data) applied to its ONS population.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from totalplace.reference import areas
from totalplace.reference.areas import UnknownAreaError
from totalplace.reference.loaded import loaded
from totalplace.reference.shipped import shipped
from totalplace.reference.wards import ward_population_rows

if TYPE_CHECKING:
    from totalplace.workspace import Workspace

__all__ = ["Cohorts", "district_cohorts"]

AGE_PROFILE_SOURCE = (
    "ONS mid-{year} district age profile (percent under 16 / 65+, rounded to 0.1 point, "
    "as compiled by econstack-data) applied to the mid-{pop_year} district population"
)


@dataclass(frozen=True)
class Cohorts:
    """A district's children (0-15) and older (65+) populations for a year, with how they were found."""

    lad_code: str
    year: int
    population: int
    children: int
    children_band: str
    older: int
    older_band: str
    source: str
    estimated: bool


def district_cohorts(lad_code: str, year: int, workspace: Workspace | None = None) -> Cohorts:
    """Return the district's children and older-people populations for a mid-year.

    Exact counts where a district mid-year file is loaded or mid-year ward estimates
    cover the district (Trafford, mid-2024); otherwise the district's mid-2024 age
    profile percentages applied to its ONS population for ``year`` (``estimated``).
    Raises UnknownAreaError if the district has neither.
    """
    code = lad_code.strip().upper()
    population, pop_year = areas.population(code, year)
    found = loaded(workspace, "district_population")
    if found is not None:
        table, entry = found
        row = next((r for r in table.to_pylist() if r["code"] == code), None)
        if row is not None:
            return Cohorts(
                code,
                int(row["year"]),
                int(row["population"]),
                int(row["age_0_15"]),
                "0-15",
                int(row["age_older"]),
                "65+",
                f"user-loaded district estimates ({Path(entry['original']).name})",
                False,
            )
    ward_rows, source = ward_population_rows(workspace, code)
    if ward_rows and int(ward_rows[0]["year"]) == pop_year:
        total = sum(int(r["population"]) for r in ward_rows)
        if total == population:
            return Cohorts(
                code,
                pop_year,
                population,
                sum(int(r["age_0_15"]) for r in ward_rows),
                "0-15",
                sum(int(r["age_older"]) for r in ward_rows),
                "65+",
                f"sum of {source}",
                False,
            )
    profile = next(
        (r for r in shipped("needs_district_age_profile.csv").to_pylist() if r["lad_code"] == code),
        None,
    )
    if profile is None:
        raise UnknownAreaError(f"no age profile for district {lad_code!r}")
    return Cohorts(
        code,
        pop_year,
        population,
        round(population * float(profile["under16_pct"]) / 100),
        "0-15",
        round(population * float(profile["over65_pct"]) / 100),
        "65+",
        AGE_PROFILE_SOURCE.format(year=profile["year"], pop_year=pop_year),
        True,
    )
