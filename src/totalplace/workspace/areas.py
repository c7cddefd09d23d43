"""Which ONS areas a place and each kind of partner may name, and what a place code resolves to.

A police force's spending is apportioned over its police force area and a fire
authority's over its fire and rescue area, so a police partner given a district (or a
mistyped code) would be counted at 100% of a wrong area (issue 13, finding 6). Each
sector therefore names the kinds of area the reference lists can resolve for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from totalplace import reference
from totalplace.workspace.model import Place

_ANY_BODY = ("district", "county", "police_force_area", "fire_authority")

#: Kinds of area (keys of ``reference.AREA_KINDS``) a partner of each sector may cover.
SECTOR_AREA_KINDS: dict[str, tuple[str, ...]] = {
    "district_council": ("district", "county"),
    "county_council": ("county", "district"),
    "unitary_council": ("district", "county"),
    "combined_authority": ("county", "district"),
    "police": ("police_force_area",),
    # A fire authority's area is often a county's (or a few districts'): either may be named.
    "fire": ("fire_authority", "county", "district"),
}

#: Kinds of area a place (its code, or each of its areas) may be.
PLACE_AREA_KINDS = (*_ANY_BODY, "ward")

# The column of reference.areas_for_lad holding each grouping kind.
_LOOKUP_COLUMN = {
    "county": "county_code",
    "police_force_area": "police_force_code",
    "fire_authority": "fire_authority_code",
}
_PREFIXES = {
    "district": "E06/E07/E08/E09, W06, S12 or N09",
    "county": "E10, E11 or E13",
    "police_force_area": "E23 or W15",
    "fire_authority": "E31 or W25",
    "ward": "E05 or W05",
}


def sector_area_kinds(sector: str) -> tuple[str, ...]:
    """Return the kinds of area a partner of this sector may name in ``areas``."""
    return SECTOR_AREA_KINDS.get(sector, _ANY_BODY)


def kinds_words(kinds: tuple[str, ...]) -> str:
    """Return kinds of area in words, with their code prefixes ('police force areas (E23 or W15)')."""
    words = [f"{_plural(reference.AREA_KINDS[k])} ({_PREFIXES[k]})" for k in kinds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def place_districts(codes: tuple[str, ...]) -> list[str]:
    """Return the districts the known areas among ``codes`` lie in (a ward gives its district)."""
    from totalplace.extent import extent_of_codes  # extent imports this package's model

    return list(extent_of_codes(codes).districts)


def area_problem(code: str, kinds: tuple[str, ...], place: Place | None = None) -> str | None:
    """Return why ``code`` is not a known area of one of ``kinds`` (with what to use), or None."""
    norm = code.strip().upper()
    try:
        kind = reference.area_kind(norm)
    except reference.UnknownAreaError:
        kind = None
    if kind in kinds:
        return None
    advice = _examples(kinds, place)
    if kind is None:
        near = _near_codes(norm, kinds)
        message = f"{code!r} is not a known ONS area code"
        if near:
            message += f"; did you mean {_or(near)}?"
        else:
            message += f"; {kinds_words(kinds)} are expected"
        return message + (f"; {advice}" if advice else "")
    what = f"{code!r} is a {reference.kind_label(norm)} ({_name(norm)})"
    return f"{what}, but {kinds_words(kinds)} are expected here" + (f"; {advice}" if advice else "")


def _or(codes: list[str]) -> str:
    named = [f"{c} ({_name(c)})" for c in codes]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


def _examples(kinds: tuple[str, ...], place: Place | None) -> str:
    """Return e.g. 'use E23000003 (Lancashire), the one covering Hyndburn' from the place's areas."""
    if place is None:
        return ""
    districts = place_districts(place.area_codes())
    if not districts:
        return ""
    for kind in kinds:
        if kind == "district":
            codes = districts
        elif kind == "ward":
            continue
        else:
            column = _LOOKUP_COLUMN[kind]
            codes = sorted({reference.areas_for_lad(d)[column] for d in districts} - {""})
        if codes and len(codes) <= 3:
            if len(codes) == 1:
                return f"use {_or(codes)}, the one covering {place.name}"
            return f"use {_or(codes)}, those covering {place.name}"
    return ""


def _near_codes(code: str, kinds: tuple[str, ...]) -> list[str]:
    """Return up to three known codes of ``kinds`` one typing slip from ``code``."""
    near: list[str] = []
    for kind in kinds:
        near.extend(c for c in reference.codes_of_kind(kind) if _one_slip(code, c))
    return sorted(near)[:3] if len(near) <= 3 else []


def _one_slip(typed: str, known: str) -> bool:
    """Return True when ``typed`` is ``known`` with one character dropped, added or changed."""
    if typed == known or abs(len(typed) - len(known)) > 1:
        return False
    if len(typed) == len(known):
        return sum(a != b for a, b in zip(typed, known, strict=True)) == 1
    short, long = sorted((typed, known), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@dataclass(frozen=True)
class PlaceSummary:
    """What a place's codes resolved to: its kind, districts and population."""

    code: str
    name: str
    kind: str
    districts: tuple[str, ...]
    wards: tuple[str, ...]
    population: int | None
    population_year: int | None
    districts_without_population: tuple[str, ...]

    def text(self) -> str:
        """Return one line, e.g. 'Greater Manchester (E11000001), a metropolitan county: 10 districts, ...'."""
        if self.wards:
            extent = (
                f"{_count(len(self.wards), 'ward')} in {_count(len(self.districts), 'district')}"
            )
        else:
            extent = _count(len(self.districts), "district")
        line = f"{self.name} ({self.code}), a {self.kind}: {extent}"
        if self.population is not None and not self.wards:
            line += f", population {self.population:,} (mid-{self.population_year})"
        if self.districts_without_population:
            line += (
                f"; no population estimate for {_count(len(self.districts_without_population), 'district')}"
                " (abolished since 2019)"
            )
        return line


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def describe_place(place: Place) -> PlaceSummary:
    """Return what the place's code (or areas) resolve to, from the shipped reference data."""
    codes = place.area_codes()
    wards = tuple(c for c in codes if _kind_or_none(c) == "ward")
    districts = tuple(place_districts(codes))
    total, used, missing = 0, None, []
    for district in districts:
        try:
            people, used = reference.population(district, place.population_year)
        except reference.UnknownAreaError:
            missing.append(district)
            continue
        total += people
    own_kind = _kind_or_none(place.code)
    kind = reference.kind_label(place.code) if own_kind else "place"
    if own_kind == "ward":
        kind = f"ward of {_name(reference.ward(place.code)[1])}"
    if place.areas:
        kind = f"place of {_count(len(place.areas), 'area')}"
    return PlaceSummary(
        code=place.code,
        name=place.name,
        kind=kind,
        districts=districts,
        wards=wards,
        population=total if used is not None else None,
        population_year=used,
        districts_without_population=tuple(missing),
    )


def _name(code: str) -> str:
    """Return the name of a known area or ward code."""
    try:
        return reference.area_name(code)
    except reference.UnknownAreaError:
        name, district = reference.ward(code)
        return f"{name}, {reference.area_name(district)}"


def _kind_or_none(code: str) -> str | None:
    try:
        return reference.area_kind(code)
    except reference.UnknownAreaError:
        return None
