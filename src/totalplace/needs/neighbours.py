"""Comparator places: the English districts nearest the place by population and deprivation, or the user's own."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from totalplace import extent, reference
from totalplace.needs.drivers import NeedsError
from totalplace.reference import UnknownAreaError
from totalplace.reference.deprivation import english_districts
from totalplace.workspace import Workspace

NEIGHBOUR_EDITION = 2025


def nearest_neighbours(
    lad_code: str, n: int = 5, year: int = 2024, workspace: Workspace | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Return the ``n`` English districts nearest to ``lad_code`` by population and IMD, and the method.

    Distance is Euclidean over two standardised measures (z-scores across all English
    districts with both): the natural log of the ONS mid-``year`` population and the
    IoD2025 IMD average score. Ties are broken by district code, so the result is
    deterministic. Each item: lad_code, lad_name, population, imd_score, imd_rank, distance.
    Raises NeedsError if the district is not in the pool.
    """
    pool = english_districts(year, NEIGHBOUR_EDITION, workspace).to_pylist()
    code = lad_code.strip().upper()
    if not any(r["lad_code"] == code for r in pool):
        raise NeedsError(
            f"{lad_code} is not among the English districts with a mid-{year} population and an "
            f"IoD{NEIGHBOUR_EDITION} IMD score, so it has no nearest neighbours; pass --comparator codes"
        )
    scale = _scaler(pool)
    scaled = {r["lad_code"]: scale(r["population"], float(r["imd_score"])) for r in pool}
    me = scaled[code]
    ranked = sorted(
        ((math.dist(me, point), other) for other, point in scaled.items() if other != code),
        key=lambda item: (item[0], item[1]),
    )
    by_code = {r["lad_code"]: r for r in pool}
    chosen = [{**by_code[other], "distance": round(d, 4)} for d, other in ranked[:n]]
    method = (
        f"nearest neighbours: the {n} English districts closest to {by_code[code]['lad_name']} "
        f"by Euclidean distance over two standardised measures — natural log of the ONS "
        f"mid-{by_code[code]['population_year']} population and the IoD{NEIGHBOUR_EDITION} IMD "
        f"average score — each turned into z-scores (mean 0, standard deviation 1) across the "
        f"{len(pool)} English districts (2024 boundaries) with both; ties broken by code"
    )
    return chosen, method


def given_comparators(
    codes: Sequence[str], place: dict[str, Any], year: int, workspace: Workspace
) -> list[dict[str, Any]]:
    """Return the user's comparator districts, with their distance from the place where computable."""
    pool = english_districts(year, NEIGHBOUR_EDITION, workspace).to_pylist()
    scale = _scaler(pool) if pool else None
    me = _point(place, scale)
    out = []
    for raw in codes:
        code = raw.strip().upper()
        try:
            reference.population(code, year)
            name = reference.area_name(code)
        except UnknownAreaError as exc:
            raise NeedsError(
                f"comparator {raw!r}: {exc}. Give the ONS code of a district (E06/E07/E08/E09...)."
            ) from exc
        other = next((r for r in pool if r["lad_code"] == code), None)
        there = (
            scale(other["population"], float(other["imd_score"]))
            if scale is not None and other is not None
            else None
        )
        distance = round(math.dist(me, there), 4) if me is not None and there is not None else None
        out.append({"lad_code": code, "lad_name": name, "distance": distance})
    return out


Scaler = Callable[[int, float], tuple[float, float]]


def _scaler(pool: list[dict[str, Any]]) -> Scaler:
    """Return the map of (population, IMD score) to the z-scores of the pool (see nearest_neighbours)."""
    logs = [math.log(r["population"]) for r in pool]
    scores = [float(r["imd_score"]) for r in pool]

    def moments(values: list[float]) -> tuple[float, float]:
        mean = sum(values) / len(values)
        return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0

    (lm, ls), (sm, ss) = moments(logs), moments(scores)
    return lambda people, score: ((math.log(people) - lm) / ls, (score - sm) / ss)


def _point(place: dict[str, Any], scale: Scaler | None) -> tuple[float, float] | None:
    if scale is None or not place.get("population") or place.get("imd2025_score") is None:
        return None
    return scale(int(place["population"]), float(place["imd2025_score"]))


def place_neighbours(
    workspace: Workspace, place: dict[str, Any], n: int, year: int
) -> tuple[list[dict[str, Any]], str]:
    """Return the ``n`` English districts nearest a place of several districts (or of wards), and the method.

    The same measures as :func:`nearest_neighbours`, taking the place's own population
    and its districts' IoD2025 IMD average scores weighted by the place's population in
    each; the place's own districts are left out.
    """
    pool = english_districts(year, NEIGHBOUR_EDITION, workspace).to_pylist()
    scale = _scaler(pool)
    me = _point(place, scale)
    if me is None:
        raise NeedsError(
            f"{workspace.place.name} has no IoD{NEIGHBOUR_EDITION} IMD score to find its nearest "
            "neighbours by; pass --comparator codes"
        )
    own = set(extent.extent(workspace.place).districts)
    ranked = sorted(
        (
            (math.dist(me, scale(r["population"], float(r["imd_score"]))), r["lad_code"], r)
            for r in pool
            if r["lad_code"] not in own
        ),
        key=lambda item: (item[0], item[1]),
    )
    chosen = [{**r, "distance": round(d, 4)} for d, _, r in ranked[:n]]
    method = (
        f"nearest neighbours: the {n} English districts closest to {workspace.place.name} "
        f"(its own districts left out) by Euclidean distance over two standardised measures — "
        f"natural log of the ONS mid-{year} population ({place['population']:,} for the "
        f"place) and the IoD{NEIGHBOUR_EDITION} IMD average score (the place's districts' "
        f"scores weighted by its population in each: {place['imd2025_score']:.1f}) — as "
        f"z-scores across the {len(pool)} English districts with both; ties broken by code"
    )
    return chosen, method
