"""Population drivers: the place's share of an area's population, by age band, for top-down estimates.

Domain spec §3.2: spend(place) = spend(area) × driver(place) / driver(area). A place of
whole districts counts their populations; a district the place covers in part counts
its wards' share of the band (:mod:`totalplace.extent`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pyarrow as pa

from totalplace import extent
from totalplace.coverage import sources
from totalplace.money import SHARE_PLACES


def _share(place: int, area: int) -> Decimal:
    if area <= 0:
        return Decimal(0)
    return (Decimal(place) / Decimal(area)).quantize(SHARE_PLACES, ROUND_HALF_UP)


#: The ward band whose share of a district stands for each driver band in a place of wards.
_WARD_BANDS = {
    "pop_all": ("population",),
    "pop_0_15": ("age_0_15",),
    "pop_16_59": ("age_working",),
    "pop_60_plus": ("age_older",),
    "pop_working_age": ("age_working",),
    "pop_16_plus": ("age_working", "age_older"),
}


_PARTS_OF_16_PLUS = {"age_working": "pop_16_59", "age_older": "pop_60_plus"}


def place_band(where: extent.Extent, districts: list[str], band: str) -> int:
    """Return the place's mid-2015 population of a driver band in ``districts`` (all: the place's).

    Whole districts count their band; a district the place covers in part counts its
    band times the place's wards' share of that band in the district (rounded half up).
    """
    total = Fraction(0)
    for code in where.within(districts):
        if where.is_whole(code):
            total += sources.band_total([code], band)
            continue
        for ward_band in _WARD_BANDS[band]:
            district_band = (
                _PARTS_OF_16_PLUS.get(ward_band, band) if band == "pop_16_plus" else band
            )
            total += sources.band_total([code], district_band) * extent.fraction(
                where, code, ward_band
            )
    return int((Decimal(total.numerator) / Decimal(total.denominator)).quantize(0, ROUND_HALF_UP))


def driver_rows(where: extent.Extent, areas: dict[str, tuple[str, list[str]]]) -> pa.Table:
    """Return one row per (area, band): the place's and the area's population and the share."""
    rows: list[dict[str, Any]] = []
    for key, (area_name, districts) in areas.items():
        for band, label in sources.DRIVER_BANDS.items():
            place_pop = place_band(where, districts, band)
            if where.inside(districts):
                share, text = Decimal(1), f"covers only {_part(where, districts)}: counted in full"
                area_pop = sources.band_total(districts, band)
            else:
                area_pop = sources.band_total(districts, band)
                share = _share(place_pop, area_pop)
                text = (
                    f"population {label}: {_part(where, districts, whole=False)} {place_pop:,} of "
                    f"{area_pop:,} in the {len(districts)} districts of {area_name} "
                    f"({sources.DRIVER_VINTAGE})"
                )
            rows.append(
                {
                    "area_key": key,
                    "area": area_name,
                    "band": band,
                    "place_population": place_pop,
                    "area_population": area_pop,
                    "share": share,
                    "driver": text,
                }
            )
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("area_key", pa.string()),
                ("area", pa.string()),
                ("band", pa.string()),
                ("place_population", pa.int64()),
                ("area_population", pa.int64()),
                ("share", pa.decimal128(18, 15)),
                ("driver", pa.string()),
            ]
        ),
    )


def _part(where: extent.Extent, districts: list[str], whole: bool = True) -> str:
    """Return how to name the place's part in an area: the place, or one district of it."""
    overlap = where.within(districts)
    if len(overlap) == len(where.districts):
        return where.name
    if whole and len(districts) == 1:
        found = sources.district(districts[0])
        return found.name if found is not None else districts[0]
    return f"the part of {where.name} in it"
