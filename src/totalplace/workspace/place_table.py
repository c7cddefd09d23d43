"""The [place] table of place.toml: the place's ONS code, name, population year and areas.

A code one digit short names another area (issue 13, finding 6), so the code must be
a known area of the kinds a place can be.
"""

from __future__ import annotations

from typing import Any

from totalplace import reference
from totalplace.workspace.areas import PLACE_AREA_KINDS, area_problem
from totalplace.workspace.checks import Checker
from totalplace.workspace.model import Place

PLACE_KEYS = ("code", "name", "population_year", "financial_year_start", "areas")

_PLACE_EXAMPLES = (
    "use the ONS code of a district, county, combined authority area (metropolitan county), "
    "police or fire area, or ward, e.g. E07000120 for Hyndburn, E10000017 for Lancashire, "
    "E11000001 for Greater Manchester"
)


def check_place(checker: Checker, data: dict[str, Any]) -> Place | None:
    """Return the place [place] describes, or None (its faults noted) if it has none or no good code."""
    if "place" not in data:
        checker.fault(
            (),
            'there is no [place] table; add one naming the place, e.g. [place] then code = "E07000120" '
            'and name = "Hyndburn" on the lines below it',
        )
        return None
    table = checker.table(
        data["place"],
        ("place",),
        ", but it must be one table: write [place] (single brackets) on its own line, then "
        'code = "..." and name = "..." below it',
    )
    if table is None:
        return None
    checker.unknown_keys(table, PLACE_KEYS, ("place",), "[place]")
    code = None
    if "code" not in table:
        checker.fault(("place",), '[place] has no code; add its ONS code, e.g. code = "E07000120"')
    else:
        code = checker.text(table["code"], ("place", "code"), "[place] code", '"E07000120"')
    if code is not None and area_problem(code, PLACE_AREA_KINDS) is not None:
        checker.fault(
            ("place", "code"),
            f"[place] code {code!r} is not a known ONS area code; {_PLACE_EXAMPLES}",
        )
        code = None
    name = None
    if "name" not in table:
        checker.fault(("place",), '[place] has no name; add one, e.g. name = "Hyndburn"')
    else:
        name = checker.text(table["name"], ("place", "name"), "[place] name", '"Hyndburn"')
    first, last = reference.population_years()
    year = checker.whole(
        table.get("population_year", 2024),
        ("place", "population_year"),
        "[place] population_year",
        first,
        last,
        f"the shipped ONS mid-year estimates cover {first} to {last}, e.g. population_year = {last}",
    )
    month = checker.whole(
        table.get("financial_year_start", 4),
        ("place", "financial_year_start"),
        "[place] financial_year_start",
        1,
        12,
        "give the month number its financial year starts, e.g. 4 for April",
    )
    areas = checker.codes(
        table.get("areas", []),
        ("place", "areas"),
        "[place] areas",
        PLACE_AREA_KINDS,
        None,
        'areas = ["E08000003", "E08000009"]',
    )
    if code is None:
        return None
    # With a known code the partners' areas can be checked against the place even when
    # another [place] key is wrong (that fault is already noted, so nothing is returned).
    return Place(code.upper(), name or code.upper(), year or last, month or 4, areas)
