"""NHS need: NHS England's weighted populations by GP practice, summed to districts and ICBs.

The only reader of ``data/nhs_need/gp_practice_weighted_population_2024_25.csv`` (see
``SOURCES.md`` there): every GP practice in England with its ICB, sub-ICB location and
district (LAD21, the district the practice's premises lie in), its registered
population and its need-weighted populations by component, as NHS England's
allocation tool publishes them for 2024-25. A practice counts whole in its district:
the file gives no split of a practice's patients by where they live.

Districts are the April 2021 codes; a district merged since (Cumbria, North Yorkshire,
Somerset in April 2023) is found under its old code and under its successor's
(:data:`SUCCESSORS`). Figures are exact decimals summed from the published text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

from totalplace.errors import UsageError
from totalplace.money import SHARE_PLACES

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "COMPONENTS",
    "SOURCE",
    "SUCCESSORS",
    "NeedShare",
    "NhsNeedError",
    "area_districts",
    "component_words",
    "icb_districts",
    "need_share",
    "practices",
    "weighted_population",
]

FILE = "gp_practice_weighted_population_2024_25.csv"

#: Where the figures come from, for notes and JSON beside every figure made from them.
SOURCE = (
    "NHS England, 2024/25 allocations: GP practice weighted populations "
    "(AIF allocation tool, nhsx/AIF_Allocation_Tool data/2024_2025.csv; OGL v3.0)"
)

#: The need components a driver may use: name -> (column of the shipped file, words).
COMPONENTS: dict[str, tuple[str, str]] = {
    "overall": ("overall", "overall weighted population (core services)"),
    "general_and_acute": ("general_and_acute", "general and acute weighted population"),
    "community": ("community", "community services weighted population"),
    "mental_health": ("mental_health", "mental health weighted population"),
    "maternity": ("maternity", "maternity weighted population"),
    "health_inequalities": ("health_inequalities", "health inequalities weighted population"),
    "prescribing": ("prescribing", "prescribing weighted population"),
    "primary_medical_care": ("primary_medical_care", "primary medical care weighted population"),
    "registered": ("registered", "registered patients (unweighted)"),
}

#: Districts abolished since April 2021 -> their successor (Structural Changes Orders
#: of April 2023: Cumberland, Westmorland and Furness, North Yorkshire, Somerset).
SUCCESSORS: dict[str, str] = {
    **dict.fromkeys(("E07000026", "E07000028", "E07000029"), "E06000063"),
    **dict.fromkeys(("E07000027", "E07000030", "E07000031"), "E06000064"),
    **dict.fromkeys(
        ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"),
        "E06000065",
    ),
    **dict.fromkeys(("E07000187", "E07000188", "E07000189", "E07000246"), "E06000066"),
}


class NhsNeedError(UsageError, ValueError):
    """A need component, ICB or area the NHS weighted populations cannot answer for."""


@dataclass(frozen=True)
class NeedShare:
    """The place's share of an area's NHS weighted population, with the figures behind it."""

    share: Decimal
    place_weighted: Decimal
    area_weighted: Decimal
    place_practices: int
    area_practices: int
    component: str

    def words(self, place_name: str, area_name: str) -> str:
        """Return the driver in words with its figures and source."""
        return (
            f"NHS need share: {place_name} {self.place_weighted:,.0f} of {self.area_weighted:,.0f} "
            f"{component_words(self.component)} in {area_name} ({self.place_practices} of "
            f"{self.area_practices} GP practices; {SOURCE})"
        )


def component_words(component: str) -> str:
    """Return what a component is in words ('mental health weighted population')."""
    return _column(component)[1]


def _column(component: str) -> tuple[str, str]:
    try:
        return COMPONENTS[component]
    except KeyError:
        raise NhsNeedError(
            f"unknown NHS need component {component!r}; components are {', '.join(COMPONENTS)}"
        ) from None


@lru_cache(maxsize=1)
def practices() -> pa.Table:
    """Return every GP practice: codes, names, ``lad21_code``, ``district`` (current code), figures.

    Figures are exact decimals (DECIMAL(24,9)), as published.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    resource = files("totalplace")
    for part in ("data", "nhs_need", FILE):
        resource = resource.joinpath(part)
    figures = {column: pa.decimal128(24, 9) for column, _ in COMPONENTS.values()}
    table = pacsv.read_csv(
        io.BytesIO(resource.read_bytes()),
        convert_options=pacsv.ConvertOptions(
            column_types={**figures, "lad21_code": pa.string(), "sub_icb_code": pa.string()}
        ),
    )
    old = pa.array(list(SUCCESSORS), pa.string())
    new = pa.array(list(SUCCESSORS.values()), pa.string())
    found = pc.index_in(table["lad21_code"], value_set=old)
    successor = pc.take(new, found)
    return table.append_column("district", pc.coalesce(successor, table["lad21_code"]))


def weighted_population(codes: Iterable[str], component: str = "overall") -> dict[str, Decimal]:
    """Return per district code asked for its practices' summed weighted population (0 if none).

    A code may be a district of April 2021 or its successor since (Cumberland holds
    Allerdale, Carlisle and Copeland). Raises NhsNeedError for an unknown component.
    """
    wanted = [c.strip().upper() for c in codes]
    sums = _sums(_column(component)[0])
    return {c: sums.get(c, Decimal(0)) for c in wanted}


@lru_cache(maxsize=16)
def _sums(column: str) -> dict[str, Decimal]:
    """Return the summed ``column`` per district code, under both LAD21 and current codes."""
    table = practices()
    out: dict[str, Decimal] = {}
    for key in ("lad21_code", "district"):
        grouped = table.group_by(key).aggregate([(column, "sum")]).to_pylist()
        out.update({row[key]: row[f"{column}_sum"] for row in grouped})
    return out


def area_districts(area: str) -> list[str]:
    """Return the current district codes of the practices of an ICB or sub-ICB location (ODS code)."""
    import pyarrow.compute as pc

    table = _area_rows(area)
    return sorted(pc.unique(table["district"]).to_pylist())


def _area_rows(area: str) -> pa.Table:
    import pyarrow.compute as pc

    code = area.strip().upper()
    table = practices()
    for column in ("icb_code", "sub_icb_code"):
        rows = table.filter(pc.equal(table[column], code))
        if rows.num_rows:
            return rows
    icbs = sorted(set(table["icb_code"].to_pylist()))
    raise NhsNeedError(
        f"no GP practice belongs to {area!r}: give an ICB's ODS code ({', '.join(icbs[:4])} ...) "
        "or a sub-ICB location's (e.g. 01A), as NHS England's allocation files name them"
    )


def need_share(
    area: str | Iterable[str],
    place_districts: Mapping[str, Fraction] | Iterable[str],
    component: str = "overall",
) -> NeedShare:
    """Return the place's share of an area's weighted population, and the figures behind it.

    ``area`` is an ICB or sub-ICB ODS code (its practices) or district codes (the
    practices in them). ``place_districts`` are the place's districts, each whole, or
    a mapping of district -> the fraction of it in the place (a place of wards: the
    wards' share of its population). Share = place's weighted population / the area's,
    to 15 places; 0 when the area has no weighted population.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    column = _column(component)[0]
    if isinstance(area, str):
        rows = _area_rows(area)
    else:
        codes = pa.array(sorted({c.strip().upper() for c in area}), pa.string())
        table = practices()
        rows = table.filter(
            pc.or_(
                pc.is_in(table["lad21_code"], value_set=codes),
                pc.is_in(table["district"], value_set=codes),
            )
        )
    weights = (
        dict(place_districts)
        if isinstance(place_districts, Mapping)
        else dict.fromkeys(place_districts, Fraction(1))
    )
    grouped = rows.group_by(["lad21_code", "district"]).aggregate(
        [(column, "sum"), (column, "count")]
    )
    place_total, area_total, place_count = Fraction(0), Fraction(0), 0
    for row in grouped.to_pylist():  # one row per district of the area
        value = Fraction(row[f"{column}_sum"])
        area_total += value
        # A place named by a district's 2021 code or by its successor's finds it either way.
        weight = weights.get(row["lad21_code"], weights.get(row["district"], Fraction(0)))
        place_total += value * weight
        place_count += row[f"{column}_count"] if weight else 0
    share = Decimal(0)
    if area_total:
        exact = place_total / area_total
        share = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            SHARE_PLACES, ROUND_HALF_UP
        )
    return NeedShare(
        share,
        _decimal(place_total),
        _decimal(area_total),
        place_count,
        rows.num_rows,
        component,
    )


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-6"))


def icb_districts(icb_code: str) -> list[str]:
    """Return the current district codes where an ICB's or sub-ICB's GP practices are ([] if none).

    ``icb_code`` is an ICB ODS code as NHS England's allocations give it (e.g. 'QE1') or
    a sub-ICB location's ('00T'). Partner identification gives an NHS body these areas.
    """
    try:
        return area_districts(icb_code)
    except NhsNeedError:
        return []
