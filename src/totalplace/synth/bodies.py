"""The bodies of a synthetic England: every English council, police and fire body in the reference.

Read from the shipped district lookups (``totalplace.reference``), never a list of our
own: every English district with ONS population figures (district, unitary,
metropolitan and London borough councils), every shire county whose districts all
still exist, and every English police force and fire and rescue authority. The place is
England: the union of those districts, so each body lies wholly inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from totalplace import reference
from totalplace.workspace import Partner, Place

#: The council sector of a district by its GSS prefix.
_DISTRICT_SECTORS = {
    "E06": "unitary_council",
    "E07": "district_council",
    "E08": "unitary_council",  # metropolitan boroughs: unitary in all but name
    "E09": "unitary_council",  # London boroughs
}
_SUFFIX = {
    "district_council": "Council",
    "unitary_council": "Council",
    "county_council": "County Council",
    "police": "Police and Crime Commissioner",
    "fire": "Fire and Rescue Authority",
}


@dataclass(frozen=True)
class Body:
    """One synthetic partner: its ONS area, sector and the people it serves (its weight)."""

    code: str
    partner: Partner
    population: int


def _living(districts: list[str], year: int) -> list[str]:
    """Return the districts that have ONS population figures (abolished ones have none)."""
    alive = []
    for district in districts:
        try:
            reference.population(district, year)
        except reference.UnknownAreaError:
            continue
        alive.append(district)
    return alive


def english_districts(year: int = 2024) -> list[str]:
    """Return every English district code with population figures, sorted."""
    codes = [c for c in reference.codes_of_kind("district") if c[:3] in _DISTRICT_SECTORS]
    return sorted(_living(codes, year))


def england_bodies(year: int = 2024) -> list[Body]:
    """Return every English council, county, police and fire body, each with its living districts.

    A county whose districts were all or partly abolished (Cumbria, North Yorkshire ...)
    no longer exists as a council and is left out. A fire body keeps the living
    districts of its area (their abolished districts' successors are not in the 2019
    lookups); a police body, which may name only its force area, has its area left
    unset (counted in full: England holds it all); one with none living is left out.
    """
    found: list[tuple[str, str, tuple[str, ...]]] = []
    for code in english_districts(year):
        found.append((code, _DISTRICT_SECTORS[code[:3]], (code,)))
    for code in sorted(reference.codes_of_kind("county")):
        members = reference.expand_area(code)
        if code.startswith("E10") and _living(members, year) == members:
            found.append((code, "county_council", (code,)))
    for kind, sector in (("police_force_area", "police"), ("fire_authority", "fire")):
        for code in sorted(c for c in reference.codes_of_kind(kind) if c.startswith("E")):
            members = reference.expand_area(code)
            alive = _living(members, year)
            if alive == members:
                found.append((code, sector, (code,)))
            elif alive:  # a police partner may name only its force area: left unset, in full
                found.append((code, sector, () if sector == "police" else tuple(alive)))
    bodies: list[Body] = []
    seen: set[str] = set()
    for code, sector, areas in found:
        area = reference.area_name(code)
        suffix = "Commissioner" if area.endswith(" Police") else _SUFFIX[sector]
        name = f"{area} {suffix}"
        partner = Partner(name=name, sector=sector, areas=areas)
        if partner.slug in seen:  # two areas of one name: the code tells them apart
            partner = Partner(name=f"{name} {code}", sector=sector, areas=areas)
        seen.add(partner.slug)
        people = sum(reference.population(d, year)[0] for d in partner.districts())
        bodies.append(Body(code, partner, people))
    return bodies


def england_place(year: int = 2024) -> Place:
    """Return England as a place: the union of its living districts.

    Its code is the first of them: a place code must be a known area, and England is
    not one in the shipped lookups; ``areas`` makes the place the whole union.
    """
    districts = english_districts(year)
    return Place(districts[0], "England (synthetic)", year, 4, tuple(districts))


def place_toml(place: Place, bodies: list[Body]) -> str:
    """Return the place.toml of a synthetic England workspace (no sources: rows are Parquet)."""
    areas = ", ".join(f'"{a}"' for a in place.areas)
    lines = [
        "# A synthetic England made by totalplace.synth: every English council, county,",
        "# police and fire body, with ledgers sampled from real rows. Not real spending.",
        "",
        "[place]",
        f'code = "{place.code}"   # the first district: England itself is no area in the lookups',
        f'name = "{place.name}"',
        f"population_year = {place.population_year}",
        f"financial_year_start = {place.financial_year_start}",
        f"areas = [{areas}]",
    ]
    for body in bodies:
        p = body.partner
        lines += [
            "",
            "[[partners]]",
            f'name = "{p.name}"',
            f'sector = "{p.sector}"',
            "areas = [" + ", ".join(f'"{a}"' for a in p.areas) + "]",
        ]
    return "\n".join(lines) + "\n"
