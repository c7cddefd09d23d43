"""Neighbourhoods: the place count apportioned to the place's wards by a stated driver per theme.

Every cell of ``count_by_partner_theme_year`` (partner × theme × financial year) is
split between the wards in proportion to the theme's driver: total population by
default, older people for "Older people", children for "Children and families", or
deprivation-weighted population where the user chooses (``[wards]`` in place.toml).
Amounts are split in pennies by largest remainder, so the wards of every cell add up
to the cell exactly. Writes the table ``count_by_ward``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pyarrow as pa

from totalplace import extent, reference, stages
from totalplace.count.summary import count_rows
from totalplace.errors import WorkspaceStateError
from totalplace.money import allocate, per_head, round_half_up, split
from totalplace.reference import UnknownAreaError
from totalplace.reference.cohorts import district_cohorts
from totalplace.reference.wards import Ward, wards
from totalplace.report.documents import jsonable
from totalplace.warehouse import replace_table
from totalplace.workspace import PLACE_FILE, Workspace

__all__ = [
    "COHORT_LABELS",
    "DEFAULT_DRIVERS",
    "DRIVERS",
    "THEME_COHORTS",
    "NeedsError",
    "WardCount",
    "count_by_ward",
    "district_scales",
    "driver_weights",
    "place_wards",
    "ward_drivers",
    "ward_people",
]

METHOD = "apportioned to wards"
WARD_TABLE = "count_by_ward"

#: The drivers a theme can be apportioned by, with what each means.
DRIVERS: dict[str, str] = {
    "population": "total population (all ages)",
    "older": "older people (65+; 60+ where the ward figures are mid-2015 LSOA bands)",
    "children": "children aged 0-15",
    "working_age": "working-age population (16-64; 16-59 where mid-2015 LSOA bands)",
    "deprivation": (
        "population × IMD weight 1 + (N − rank) / N, rank the ward's population-weighted "
        "mean LSOA IMD rank of N: about 2 in England's most deprived areas, 1 in the least"
    ),
}

#: Drivers used when place.toml does not say otherwise; every other theme: population.
DEFAULT_DRIVERS: dict[str, str] = {"Older people": "older", "Children and families": "children"}
DEFAULT_DRIVER = "population"

#: The cohort whose per-head figure is shown for a theme (domain spec §9).
THEME_COHORTS: dict[str, str] = {"Older people": "older", "Children and families": "children"}
#: How a cohort is labelled: the district figures behind ward cohorts are 65+ and 0-15.
COHORT_LABELS: dict[str, str] = {"older": "65+", "children": "0-15"}

SHARE_UNITS = 10**15  # shares are stored to 15 decimal places, summing to exactly 1


class NeedsError(WorkspaceStateError):
    """Ward counts or comparisons cannot be made as asked; the message says what to do."""


@dataclass
class WardCount:
    """The place count by ward × partner × theme × year, with the drivers and wards it used."""

    place: dict[str, Any]
    drivers: dict[str, str]
    default_driver: str
    wards: list[Ward]
    rows: list[dict[str, Any]]
    cells: int
    reconciles: bool
    notes: list[str]

    def as_json(self, year: str | None = None) -> dict[str, Any]:
        """Return a JSON-ready document (decimals as strings), rows limited to ``year`` if given."""
        rows = [r for r in self.rows if year is None or r["financial_year"] == year]
        return jsonable(
            {
                "place": self.place,
                "financial_year": year,
                "drivers": {
                    "by_theme": self.drivers,
                    "default": self.default_driver,
                    "meaning": DRIVERS,
                },
                "wards": [w.as_dict() for w in self.wards],
                "count_by_ward": rows,
                "cells": self.cells,
                "reconciles": self.reconciles,
                "notes": self.notes,
            }
        )


def ward_drivers(workspace: Workspace) -> tuple[dict[str, str], str]:
    """Return (driver by theme, default driver) from place.toml's ``[wards]`` table, or the defaults.

    ``[wards]`` may set ``drivers = { "Older people" = "older", ... }`` (merged over the
    defaults) and ``default = "deprivation"``. Raises NeedsError for an unknown driver.
    """
    path = workspace.root / PLACE_FILE
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    table = data.get("wards") or {}
    drivers = dict(DEFAULT_DRIVERS)
    drivers.update({str(k): str(v) for k, v in (table.get("drivers") or {}).items()})
    default = str(table.get("default", DEFAULT_DRIVER))
    for theme, driver in [*drivers.items(), ("default", default)]:
        if driver not in DRIVERS:
            raise NeedsError(
                f"{PLACE_FILE} [wards]: driver {driver!r} for {theme!r} is not one of "
                f"{', '.join(DRIVERS)}"
            )
    return drivers, default


def driver_weights(ward_list: list[Ward], driver: str) -> list[int | Fraction]:
    """Return each ward's exact driver value (same order), e.g. its 65+ population for 'older'.

    Raises NeedsError if the driver needs figures the wards lack (deprivation without
    an IMD roll-up).
    """
    if driver == "population":
        return [w.population for w in ward_list]
    if driver == "older":
        return [w.age_older for w in ward_list]
    if driver == "children":
        return [w.age_0_15 for w in ward_list]
    if driver == "working_age":
        return [w.age_working for w in ward_list]
    if driver == "deprivation":
        weights: list[int | Fraction] = []
        for w in ward_list:
            rank = w.imd_rank_exact
            if rank is None:
                raise NeedsError(
                    f"the deprivation driver needs each ward's IMD, and {w.name} ({w.code}) has "
                    f"none: {w.imd_source}. Choose another driver in {PLACE_FILE} [wards]."
                )
            n = w.imd_lsoas_ranked
            weights.append(w.population * (1 + (n - rank) / n))
        return weights
    raise NeedsError(f"unknown driver {driver!r}: use one of {', '.join(DRIVERS)}")


def count_by_ward(
    workspace: Workspace,
    drivers: Mapping[str, str] | None = None,
    default_driver: str | None = None,
    con: Any | None = None,
) -> WardCount:
    """Apportion the place count to wards, write ``count_by_ward``, record the run, and return it.

    Reads the count stage's ``count_by_partner_theme_year`` (StageNotRun / StageStale:
    "run `totalplace count` first" if it is missing or out of date). ``drivers`` (theme →
    driver) and ``default_driver`` (for other themes) override place.toml's ``[wards]``
    table for this run. Raises NeedsError if the place has no wards in the reference
    data or a driver cannot be used. ``con``: the warehouse connection (default: the
    workspace's).
    """
    place = workspace.place
    ward_list = place_wards(workspace)
    by_theme, default = ward_drivers(workspace)
    overrides = {**(drivers or {}), **({"default": default_driver} if default_driver else {})}
    for theme, driver in overrides.items():
        if driver not in DRIVERS:
            raise NeedsError(f"driver {driver!r} for {theme!r} is not one of {', '.join(DRIVERS)}")
    by_theme.update(drivers or {})
    default = default_driver or default
    with stages.using(workspace, con) as c:
        stages.require(c, workspace, "count")
        cells = count_rows(c)
        rows, used = _apportion(workspace, ward_list, cells, by_theme, default)
        if not _reconciles(cells, rows):  # never write a ward count that does not add up
            raise NeedsError(
                "the ward count does not add up to the place count; this is a bug: please report it"
            )
        replace_table(c, WARD_TABLE, _arrow(rows))
        stages.record(c, workspace, "count_by_ward")
    reconciles = _reconciles(cells, rows)
    return WardCount(
        place={"code": place.code, "name": place.name, "wards": len(ward_list)},
        drivers={theme: by_theme.get(theme, default) for theme in sorted(used)},
        default_driver=default,
        wards=ward_list,
        rows=rows,
        cells=len(cells),
        reconciles=reconciles,
        notes=_notes(ward_list),
    )


def place_wards(workspace: Workspace) -> list[Ward]:
    """Return the wards of the place, sorted by code: every ward of its whole districts, and its own wards.

    Raises NeedsError if a district of the place has no wards in the reference data, or
    a ward the place names is not among its district's.
    """
    where = extent.extent(workspace.place)
    if not where.districts:
        raise NeedsError(
            f"{workspace.place.name} ({workspace.place.code}) has no districts in the reference "
            "data, so it has no wards; check [place] code and areas in place.toml"
        )
    found: list[Ward] = []
    for district in where.districts:
        try:
            mine = wards(district, workspace)
        except UnknownAreaError as exc:
            raise NeedsError(str(exc)) from exc
        wanted = where.wards_in(district)
        if wanted:
            missing = sorted(set(wanted) - {w.code for w in mine})
            if missing:
                raise NeedsError(
                    f"ward(s) {', '.join(missing)} of the place are not among the wards of "
                    f"{district} in the ward figures used ({mine[0].geography}); name wards of "
                    "those boundaries in [place] areas, or load matching ward figures with "
                    "'totalplace reference load'"
                )
            mine = [w for w in mine if w.code in wanted]
        found.extend(mine)
    return sorted(found, key=lambda w: w.code)


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


def _partner_wards(workspace: Workspace, ward_list: list[Ward], partner: str) -> list[int]:
    """Return the positions of the wards a partner's spending is shared between: those in its area."""
    found = next((p for p in workspace.partners if p.slug == partner), None)
    districts = set(found.districts()) if found is not None else set()
    mine = [i for i, w in enumerate(ward_list) if w.lad_code in districts]
    return mine or list(range(len(ward_list)))


def _apportion(
    workspace: Workspace,
    ward_list: list[Ward],
    cells: list[dict[str, Any]],
    by_theme: Mapping[str, str],
    default: str,
) -> tuple[list[dict[str, Any]], set[str]]:
    """Return one row per cell × ward of the partner's area (a loop over count cells and wards).

    A cell is shared between the wards of the place lying in its partner's area (all
    the place's wards for a partner whose area is not set), by the theme's driver,
    each district's wards scaled to its ONS population (see :func:`district_scales`).
    """
    weights: dict[tuple[str, int, tuple[int, ...]], list[int | Fraction]] = {}
    shares: dict[tuple[str, int, tuple[int, ...]], list[int]] = {}
    raw: dict[str, list[int | Fraction]] = {}
    scales: dict[int, dict[str, Fraction]] = {}
    people: dict[tuple[int, str], list[int] | None] = {}
    reach: dict[str, list[int]] = {}
    rows: list[dict[str, Any]] = []
    themes: set[str] = set()
    for cell in cells:
        theme = cell["theme"]
        themes.add(theme)
        driver = by_theme.get(theme, default)
        population = int(cell["population"])
        pop_year = int(cell["population_year"])
        if driver not in raw:
            raw[driver] = driver_weights(ward_list, driver)
        if pop_year not in scales:
            scales[pop_year] = district_scales(workspace, ward_list, pop_year)
        if cell["partner"] not in reach:
            reach[cell["partner"]] = _partner_wards(workspace, ward_list, cell["partner"])
        positions = reach[cell["partner"]]
        key = (driver, pop_year, tuple(positions))
        if key not in weights:
            weights[key] = [
                Fraction(raw[driver][i]) * scales[pop_year][ward_list[i].lad_code]
                for i in positions
            ]
            shares[key] = allocate(SHARE_UNITS, weights[key])
        amounts = split(cell["counted_amount"], weights[key])
        cohort = THEME_COHORTS.get(theme)
        ward_pop = _people(people, workspace, ward_list, population, pop_year, "population")
        ward_cohort = (
            _people(people, workspace, ward_list, population, pop_year, cohort) if cohort else None
        )
        for j, i in enumerate(positions):
            ward = ward_list[i]
            amount = amounts[j]
            cohort_people = ward_cohort[i] if ward_cohort else None
            rows.append(
                {
                    "ward_code": ward.code,
                    "ward_name": ward.name,
                    "partner": cell["partner"],
                    "fy_start_year": cell["fy_start_year"],
                    "financial_year": cell["financial_year"],
                    "theme": theme,
                    "driver": driver,
                    "driver_value": round_half_up(Fraction(raw[driver][i]), 2),
                    "share": Decimal(shares[key][j]).scaleb(-15),
                    "counted_amount": amount,
                    "population": ward_pop[i] if ward_pop else None,
                    "population_year": pop_year,
                    "per_head": per_head(amount, ward_pop[i] if ward_pop else None),
                    "cohort": COHORT_LABELS.get(cohort or ""),
                    "cohort_population": cohort_people,
                    "cohort_per_head": per_head(amount, cohort_people),
                    "method": METHOD,
                    "source": _source(ward, driver, pop_year),
                }
            )
    return rows, themes


def _people(
    cache: dict[tuple[int, str], list[int] | None],
    workspace: Workspace,
    ward_list: list[Ward],
    population: int,
    year: int,
    band: str,
) -> list[int] | None:
    key = (year, band)
    if key not in cache:
        cache[key] = ward_people(workspace, ward_list, population, year, band)
    return cache[key]


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


def _source(ward: Ward, driver: str, year: int) -> str:
    driver_source = ward.imd_source if driver == "deprivation" else ward.population_source
    return (
        f"driver: {DRIVERS[driver]} — {driver_source} (mid-{ward.population_year}); "
        f"per head: the count's ONS mid-{year} district population shared by ward population"
    )


def _reconciles(cells: list[dict[str, Any]], rows: list[dict[str, Any]]) -> bool:
    sums: dict[tuple[Any, ...], Decimal] = {}
    for row in rows:
        key = (row["partner"], row["fy_start_year"], row["theme"])
        sums[key] = sums.get(key, Decimal(0)) + row["counted_amount"]
    return all(
        sums.get((c["partner"], c["fy_start_year"], c["theme"]), Decimal(0)) == c["counted_amount"]
        for c in cells
    )


def _notes(ward_list: list[Ward]) -> list[str]:
    first = ward_list[0]
    notes = [f"{len(ward_list)} wards: {first.geography}; populations: {first.population_source}."]
    if first.population_year < 2020:
        notes.append(
            f"Ward shares rest on mid-{first.population_year} populations of 2011 small areas "
            "and December 2017 wards: old. Load newer files with 'totalplace reference load' "
            "(ward_population, or lsoa_ward + lsoa_population) to replace them."
        )
    return notes


_SCHEMA = pa.schema(
    [
        ("ward_code", pa.string()),
        ("ward_name", pa.string()),
        ("partner", pa.string()),
        ("fy_start_year", pa.int64()),
        ("financial_year", pa.string()),
        ("theme", pa.string()),
        ("driver", pa.string()),
        ("driver_value", pa.decimal128(18, 2)),
        ("share", pa.decimal128(18, 15)),
        ("counted_amount", pa.decimal128(18, 2)),
        ("population", pa.int64()),
        ("population_year", pa.int64()),
        ("per_head", pa.decimal128(18, 2)),
        ("cohort", pa.string()),
        ("cohort_population", pa.int64()),
        ("cohort_per_head", pa.decimal128(18, 2)),
        ("method", pa.string()),
        ("source", pa.string()),
    ]
)


def _arrow(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=_SCHEMA)
