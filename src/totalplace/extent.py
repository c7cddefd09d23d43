"""The place as districts and wards: which districts it lies in, its population, its share of an area.

A place is the union of its areas (``Place.area_codes()``): districts, counties,
combined authority areas (metropolitan counties), police or fire areas -- each its
districts -- or wards, each a part of one district. Every stage asks this module, and
only this module, what the place covers:

* :func:`extent` -- the districts the place lies in, and for a district only partly in
  the place, which of its wards are;
* :func:`population` -- the place's ONS mid-year population, or that of its part
  lying in some districts (a partner's area): whole districts from the ONS district
  estimates, wards as their district's estimate shared by ward population (largest
  remainder, so a district's wards add up to it exactly);
* :func:`fraction` -- the share of a district's people (or of one age band) in the place.

Ward populations are the shipped ones (``data/reference/needs_*``): ONS mid-2024 ward
estimates where shipped (Trafford), else mid-2015 small-area populations summed to
December 2017 wards.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from importlib.resources import files

from totalplace import reference
from totalplace.errors import WorkspaceStateError
from totalplace.money import allocate
from totalplace.workspace.model import Place  # the model only: workspace uses extent

__all__ = [
    "BANDS",
    "Extent",
    "PlaceAreaError",
    "area_population",
    "extent",
    "fraction",
    "population",
    "ward_populations",
]

#: Ward population bands: all ages, 0-15, working age (16-59 or 16-64), older (60+ or 65+).
BANDS = ("population", "age_0_15", "age_working", "age_older")


class PlaceAreaError(WorkspaceStateError, ValueError):
    """The place's areas cannot be turned into districts and populations; the message says why."""


@dataclass(frozen=True)
class Extent:
    """The districts a place lies in; for those only partly in it, the place's wards there."""

    code: str
    name: str
    districts: tuple[str, ...]
    partial: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unknown: tuple[str, ...] = ()

    def wards_in(self, district: str) -> tuple[str, ...]:
        """Return the place's wards in a district it covers only in part; () for a whole district."""
        return dict(self.partial).get(district, ())

    def is_whole(self, district: str) -> bool:
        """Return True when the whole district is in the place."""
        return district in self.districts and not self.wards_in(district)

    @property
    def wards(self) -> tuple[str, ...]:
        """Return every ward the place names (of districts it covers only in part), sorted."""
        return tuple(sorted(w for _, found in self.partial for w in found))

    @property
    def single_district(self) -> str | None:
        """Return the district code when the place is exactly one whole district, else None."""
        if len(self.districts) == 1 and not self.partial:
            return self.districts[0]
        return None

    def within(self, districts: Iterable[str]) -> tuple[str, ...]:
        """Return the place's districts that are among ``districts`` (a partner's area), sorted."""
        wanted = set(districts)
        return tuple(d for d in self.districts if d in wanted)

    def inside(self, districts: Iterable[str]) -> bool:
        """Return True when every one of ``districts`` lies wholly in the place."""
        found = list(districts)
        return bool(found) and all(self.is_whole(d) for d in found)


def extent(place: Place) -> Extent:
    """Return the districts (and wards) of a place from its code or areas; unknown codes are listed."""
    return _extent(place.code, place.name, place.area_codes())


def extent_of_codes(codes: tuple[str, ...]) -> Extent:
    """Return the extent of a list of area codes (districts, counties, wards …), unnamed."""
    return _extent("", "", tuple(codes))


@lru_cache(maxsize=64)
def _extent(code: str, name: str, codes: tuple[str, ...]) -> Extent:
    whole: set[str] = set()
    wards: dict[str, set[str]] = {}
    unknown: list[str] = []
    for raw in codes:
        norm = raw.strip().upper()
        try:
            kind = reference.area_kind(norm)
            if kind == "ward":
                wards.setdefault(reference.ward(norm)[1], set()).add(norm)
            else:
                whole.update(reference.expand_area(norm))
        except reference.UnknownAreaError:
            unknown.append(norm)
    partial = tuple(
        (district, tuple(sorted(found)))
        for district, found in sorted(wards.items())
        if district not in whole  # a district named whole wins over some of its wards
    )
    districts = tuple(sorted(whole | {d for d, _ in partial}))
    return Extent(code, name, districts, partial, tuple(unknown))


@lru_cache(maxsize=512)
def ward_populations(district: str) -> dict[str, dict[str, int]]:
    """Return every ward of a district (shipped figures) with its population in each of :data:`BANDS`."""
    code = district.strip().upper()
    newer = {
        row["code"]: {band: int(row[band]) for band in BANDS}
        for row in _ward_population_rows()
        if row["lad_code"] == code
    }
    if newer:
        return dict(sorted(newer.items()))
    return _lsoa_wards().get(code, {})


@lru_cache(maxsize=1)
def _ward_population_rows() -> list[dict[str, str]]:
    import csv

    text = _resource("needs_ward_population.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@lru_cache(maxsize=1)
def _lsoa_wards() -> dict[str, dict[str, dict[str, int]]]:
    """Return district -> ward -> band sums of the mid-2015 LSOA populations (best-fit wards)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(
        pa.BufferReader(_resource("needs_lsoa.parquet")), columns=["lad_code", "ward_code", *BANDS]
    )
    grouped = table.group_by(["lad_code", "ward_code"]).aggregate([(b, "sum") for b in BANDS])
    out: dict[str, dict[str, dict[str, int]]] = {}
    for row in grouped.to_pylist():
        out.setdefault(row["lad_code"], {})[row["ward_code"]] = {
            band: int(row[f"{band}_sum"]) for band in BANDS
        }
    return {lad: dict(sorted(found.items())) for lad, found in out.items()}


def _resource(name: str) -> bytes:
    resource = files("totalplace")
    for part in ("data", "reference", name):
        resource = resource.joinpath(part)
    return resource.read_bytes()


def fraction(place: Extent, district: str, band: str = "population") -> Fraction:
    """Return the exact share of a district's ``band`` population living in the place (0 to 1).

    1 for a district wholly in the place, 0 for one outside it; for a district the
    place covers in part, its wards' share of the district's wards (shipped figures).
    Raises PlaceAreaError when the district's wards have no population figures.
    """
    if district not in place.districts:
        return Fraction(0)
    mine = place.wards_in(district)
    if not mine:
        return Fraction(1)
    all_wards = ward_populations(district)
    total = sum(found[band] for found in all_wards.values())
    if not total or any(w not in all_wards for w in mine):
        raise PlaceAreaError(
            f"no {band} figures for the wards {', '.join(mine)} of {district}: the shipped ward "
            "populations cover English wards of December 2017 (and Trafford's of 2023); name "
            "whole districts in [place] areas instead"
        )
    return Fraction(sum(all_wards[w][band] for w in mine), total)


def population(place: Extent, year: int, within: Iterable[str] | None = None) -> tuple[int, int]:
    """Return ``(people, year used)``: the place's ONS mid-year population, or its part in ``within``.

    ``within`` is a set of district codes (a partner's area); default the whole place.
    Whole districts count their ONS estimate for ``year`` (``reference.population``);
    a district the place covers in part counts its wards' part of that estimate, shared
    by ward population by largest remainder. Raises UnknownAreaError for a district
    without figures and PlaceAreaError for wards without population figures.
    """
    districts = place.districts if within is None else place.within(within)
    people, used = 0, year
    years: list[int] = []
    for district in districts:
        found, used = reference.population(district, year)
        years.append(used)
        mine = place.wards_in(district)
        if not mine:
            people += found
            continue
        all_wards = ward_populations(district)
        fraction(place, district)  # raises with advice when the wards have no figures
        codes = list(all_wards)
        parts = allocate(found, [all_wards[c]["population"] for c in codes])
        people += sum(p for c, p in zip(codes, parts, strict=True) if c in mine)
    return people, (max(years) if years else used)


def area_population(districts: Iterable[str], year: int) -> int:
    """Return the ONS mid-year population of whole districts summed (a partner's area)."""
    return sum(reference.population(d, year)[0] for d in districts)
