"""The areas whose outcomes are shown: the place, its upper tier, comparators and theirs, England.

Comparators are the ones ``totalplace compare`` uses (:mod:`totalplace.needs.neighbours`):
the districts nearest the place by population and deprivation, or the user's list.
A district's upper tier is its county; a unitary authority is its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from totalplace import extent, reference
from totalplace.needs.neighbours import given_comparators, nearest_neighbours, place_neighbours
from totalplace.needs.placerows import place_row
from totalplace.reference import UnknownAreaError
from totalplace.workspace import Workspace

__all__ = ["ENGLAND", "Area", "level_of", "outcome_areas"]

ENGLAND = "E92000001"


@dataclass(frozen=True)
class Area:
    """One area shown: its code, name, role ('place', 'place upper tier', 'comparator', ...)."""

    code: str
    name: str
    role: str


def _name(code: str) -> str:
    try:
        return reference.area_name(code)
    except (UnknownAreaError, KeyError, ValueError):
        return code


def _upper_tier(district: str) -> str:
    try:
        county = reference.areas_for_lad(district).get("county_code", "")
    except (UnknownAreaError, KeyError, ValueError):
        return ""
    return county or district  # a unitary authority is its own upper tier


def outcome_areas(
    workspace: Workspace, comparators: Sequence[str] | None, n: int, year: int
) -> tuple[list[Area], str]:
    """Return the areas (place first, England last) and how the comparators were chosen.

    Raises NeedsError for a comparator code that is not a district.
    """
    place = workspace.place
    where = extent.extent(place)
    areas = [Area(place.code, place.name, "place")]
    areas += [Area(d, _name(d), "place") for d in where.districts if d != place.code]
    if comparators:
        row = place_row(workspace, year, None)
        others = given_comparators(comparators, row, year, workspace)
        method = "user-given comparators"
    elif where.single_district:
        others, method = nearest_neighbours(where.single_district, n, year, workspace)
    else:
        others, method = place_neighbours(workspace, place_row(workspace, year, None), n, year)
    areas += [Area(o["lad_code"], o["lad_name"], "comparator") for o in others]
    for area in list(areas):
        upper = _upper_tier(area.code)
        if upper and upper != area.code and upper not in {a.code for a in areas}:
            areas.append(Area(upper, _name(upper), f"{area.role} upper tier"))
    areas.append(Area(ENGLAND, "England", "England"))
    return areas, method


#: Geography words of the two layouts, by level of government.
_LEVELS = {
    "local authority district": "district",
    "county or unitary authority": "upper tier",
    "counties": "upper tier",
    "unitary authorities": "upper tier",
    "metropolitan districts": "upper tier",
    "london boroughs": "upper tier",
    "police force area": "police force area",
    "region": "region",
    "nation": "nation",
    "country": "nation",
    "combined authority or city region": "combined authority",
}


def level_of(geography: str | None, code: str) -> str:
    """Return the level of an outcome's area ('district', 'upper tier', 'region', ...) from the file's words or its code."""
    if geography and geography.strip().lower() in _LEVELS:
        return _LEVELS[geography.strip().lower()]
    prefix = code[:3]
    return {
        "E07": "district",
        "E06": "upper tier",
        "E08": "upper tier",
        "E09": "upper tier",
        "E10": "upper tier",
        "E12": "region",
        "E92": "nation",
        "E23": "police force area",
    }.get(prefix, "other")
