"""Need and comparisons: spend per head against need, for the place, its wards and similar places.

For one financial year (and optionally one theme) it sets the place's spending per head
(all ages, and per head of the theme's cohort: 65+ for older people, 0-15 for children
and families) beside need indicators: the cohort population and the English Indices of
Deprivation (IoD2019 and IoD2025 district IMD average score and rank; for wards, the
population-weighted mean LSOA IMD rank).

Spending comes in layers that are never silently added (domain spec §3.2, §9):

* **bottom-up** — the count of the loaded ledgers (actual + apportioned), the count's year;
* **top-down** — published totals (HM Treasury CRA 2018, councils' RS outturn) apportioned
  to the place for the bodies with no loaded data, themed by ``data/topdown/themes.toml``,
  net of payments to them already counted; 2017-18 cash, low confidence
  (``totalplace.coverage.bytheme``). Wards get it by the same driver as the count's
  theme (65+/60+ for older people), split in pennies by largest remainder;
* **all agencies** — the two added, labelled with both years.

Comparator places are the place's nearest neighbours among English districts by
population and IMD score, or a list the user gives. We hold no ledgers for them ("no
count loaded"), so they are compared like for like on the top-down estimate of every
body — the same sources, drivers and themes as the place's — never on the place's
bottom-up count.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pyarrow as pa

from totalplace import extent, reference, stages
from totalplace.count.summary import count_rows
from totalplace.coverage.bodies import bodies_serving
from totalplace.coverage.bytheme import district_theme_topdown, loaded_kinds, place_theme_topdown
from totalplace.money import allocate, from_pennies, per_head, to_pennies
from totalplace.needs.wards import (
    COHORT_LABELS,
    THEME_COHORTS,
    WARD_TABLE,
    NeedsError,
    district_scales,
    driver_weights,
    place_wards,
    ward_drivers,
    ward_people,
)
from totalplace.reference import UnknownAreaError
from totalplace.reference.cohorts import Cohorts, district_cohorts
from totalplace.reference.deprivation import (
    DistrictDeprivation,
    district_deprivation,
    english_districts,
)
from totalplace.report.documents import jsonable
from totalplace.workspace import Workspace
from totalplace.years import default_year, normalise_year, year_label

__all__ = ["NEIGHBOUR_EDITION", "Comparison", "compare", "nearest_neighbours"]

NEIGHBOUR_EDITION = 2025
NO_COUNT = "no count loaded"
_COHORT_WORDS = {"older": "65 and over", "children": "0-15"}

COLUMNS = (
    "kind",
    "code",
    "name",
    "financial_year",
    "theme",
    "spend",
    "spend_status",
    "population",
    "population_year",
    "per_head",
    "cohort",
    "cohort_population",
    "cohort_per_head",
    "imd2019_score",
    "imd2019_rank",
    "imd2025_score",
    "imd2025_rank",
    "ward_imd_rank",
    "ward_most_deprived_decile_share",
    "distance",
    "source",
    "bottom_up_year",
    "bottom_up_method",
    "top_down",
    "top_down_year",
    "top_down_method",
    "top_down_per_head",
    "top_down_cohort_per_head",
    "all_agency",
    "all_agency_note",
    "all_agency_per_head",
    "all_agency_cohort_per_head",
    "top_down_all_bodies",
    "top_down_all_bodies_per_head",
    "top_down_all_bodies_cohort_per_head",
)


@dataclass
class Comparison:
    """Spend per head beside need for the place, its wards and comparators (rows: see COLUMNS)."""

    financial_year: str
    theme: str | None
    cohort: str | None
    place: dict[str, Any]
    wards: list[dict[str, Any]]
    comparators: list[dict[str, Any]]
    method: str
    notes: list[str] = field(default_factory=list)
    topdown: dict[str, Any] = field(default_factory=dict)
    comparator_topdown: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """Return the place, ward and comparator rows in one list with the same columns."""
        return [
            {c: row.get(c) for c in COLUMNS} for row in [self.place, *self.wards, *self.comparators]
        ]

    def to_arrow(self) -> pa.Table:
        """Return :meth:`rows` as an Arrow table (for export)."""
        return pa.Table.from_pylist(self.rows(), schema=_SCHEMA)

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-ready document (decimals as strings)."""
        return jsonable(
            {
                "financial_year": self.financial_year,
                "theme": self.theme,
                "cohort": self.cohort,
                "place": self.place,
                "wards": self.wards,
                "comparators": self.comparators,
                "comparator_method": self.method,
                "top_down": self.topdown,
                "comparator_top_down": self.comparator_topdown,
                "notes": self.notes,
            }
        )


_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("code", pa.string()),
        ("name", pa.string()),
        ("financial_year", pa.string()),
        ("theme", pa.string()),
        ("spend", pa.decimal128(18, 2)),
        ("spend_status", pa.string()),
        ("population", pa.int64()),
        ("population_year", pa.int64()),
        ("per_head", pa.decimal128(18, 2)),
        ("cohort", pa.string()),
        ("cohort_population", pa.int64()),
        ("cohort_per_head", pa.decimal128(18, 2)),
        ("imd2019_score", pa.float64()),
        ("imd2019_rank", pa.int64()),
        ("imd2025_score", pa.float64()),
        ("imd2025_rank", pa.int64()),
        ("ward_imd_rank", pa.float64()),
        ("ward_most_deprived_decile_share", pa.float64()),
        ("distance", pa.float64()),
        ("source", pa.string()),
        ("bottom_up_year", pa.string()),
        ("bottom_up_method", pa.string()),
        ("top_down", pa.decimal128(18, 2)),
        ("top_down_year", pa.string()),
        ("top_down_method", pa.string()),
        ("top_down_per_head", pa.decimal128(18, 2)),
        ("top_down_cohort_per_head", pa.decimal128(18, 2)),
        ("all_agency", pa.decimal128(18, 2)),
        ("all_agency_note", pa.string()),
        ("all_agency_per_head", pa.decimal128(18, 2)),
        ("all_agency_cohort_per_head", pa.decimal128(18, 2)),
        ("top_down_all_bodies", pa.decimal128(18, 2)),
        ("top_down_all_bodies_per_head", pa.decimal128(18, 2)),
        ("top_down_all_bodies_cohort_per_head", pa.decimal128(18, 2)),
    ]
)


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
    scaled = _standardised(pool)
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


def _standardised(pool: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    logs = [math.log(r["population"]) for r in pool]
    scores = [float(r["imd_score"]) for r in pool]

    def z(values: list[float]) -> list[float]:
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
        return [(v - mean) / sd for v in values]

    return {r["lad_code"]: (a, b) for r, a, b in zip(pool, z(logs), z(scores), strict=True)}


def compare(
    workspace: Workspace,
    theme: str | None = None,
    comparators: Sequence[str] | None = None,
    n: int = 5,
    year: str | None = None,
    con: Any | None = None,
) -> Comparison:
    """Return spending per head against need for the place, its wards and comparator places.

    ``theme`` limits spending to one theme (and adds its cohort per head); ``comparators``
    are district codes to compare with (default: the ``n`` nearest neighbours); ``year``
    a financial year like '2024-25' (default: the latest one every partner covers).

    The place and its wards get three layers: ``spend`` (bottom-up: the count, actual +
    apportioned), ``top_down`` (the estimate for bodies with no loaded data, net of
    payments already counted; wards by the theme's driver) and ``all_agency`` (their
    sum, labelled with both years), each per head of all ages and of the cohort.
    The place and the comparators get ``top_down_all_bodies``: the top-down estimate of
    every body, the like-for-like comparison (comparators have no count loaded).
    Reads the count's and the ward count's tables (StageNotRun / StageStale say which
    command to run first if they are missing or out of date); writes
    ``topdown_estimates``. Raises NeedsError for an unknown year or comparator code.
    ``con``: the warehouse connection to run on (default: the workspace's).
    """
    with stages.using(workspace, con) as c:
        return _compare(c, workspace, theme, comparators, n, year)


def _compare(
    con: Any,
    workspace: Workspace,
    theme: str | None,
    comparators: Sequence[str] | None,
    n: int,
    year: str | None,
) -> Comparison:
    stages.require(con, workspace, "count")
    cells = count_rows(con)
    shown = normalise_year(year) or _default_label(cells)
    year_cells = [c for c in cells if c["financial_year"] == shown]
    if not year_cells:
        years = sorted({c["financial_year"] for c in cells})
        raise NeedsError(f"no count for financial year {shown}: the count has {', '.join(years)}")
    start = int(year_cells[0]["fy_start_year"])
    ward_rows = _ward_rows(con, workspace, shown)
    cohort = THEME_COHORTS.get(theme or "")
    notes: list[str] = []
    if theme is not None and not any(c["theme"] == theme for c in year_cells):
        themes = sorted({c["theme"] for c in year_cells})
        notes.append(
            f"no loaded spending is classified to {theme!r} in {shown} (themes counted: "
            f"{', '.join(themes)}); its bottom-up spend shows as £0.00"
        )
    chosen = [c for c in year_cells if theme is None or c["theme"] == theme]
    spend = sum((c["counted_amount"] for c in chosen), Decimal("0.00"))
    population = int(year_cells[0]["population"])
    pop_year = int(year_cells[0]["population_year"])
    place_code = workspace.place.code
    loaded = loaded_kinds(workspace, {c["partner"] for c in year_cells if c["counted_amount"] != 0})
    topdown = place_theme_topdown(workspace, start, theme, loaded, con)
    place = _place_row(workspace, pop_year, cohort)
    place.update(
        kind="place",
        financial_year=shown,
        theme=theme or "all themes",
        spend=spend,
        spend_status="counted",
        population=population,
    )
    _layers(place, spend, topdown.total, shown, topdown.financial_year, topdown.method)
    _all_bodies(place, topdown.all_bodies)
    wards = _wards(workspace, ward_rows, theme, cohort, shown)
    _ward_topdown(workspace, wards, topdown.cells, shown, topdown.financial_year, topdown.method)
    if comparators:
        others, method = (
            _given(comparators, place, pop_year, workspace),
            "user-given comparators",
        )
    elif extent.extent(workspace.place).single_district:
        others, method = nearest_neighbours(place_code, n, pop_year, workspace)
    else:
        others, method = _place_neighbours(workspace, place, n, pop_year)
    comparator_rows = []
    comparator_topdown = []
    for other in others:
        row = _district_row(other["lad_code"], other["lad_name"], pop_year, cohort, workspace)
        estimated = district_theme_topdown(other["lad_code"], start, theme, workspace)
        row.update(
            kind="comparator",
            financial_year=shown,
            theme=theme or "all themes",
            spend=None,
            spend_status=NO_COUNT,
            per_head=None,
            cohort_per_head=None,
            distance=other.get("distance"),
            top_down=None,
            top_down_year=estimated.financial_year,
            top_down_method=estimated.method,
            all_agency=None,
            all_agency_note=(
                f"{NO_COUNT}: compared on the top-down estimate of every body "
                "(top_down_all_bodies), not on a count"
            ),
        )
        _all_bodies(row, estimated.all_bodies if estimated.cells else None)
        comparator_rows.append(row)
        comparator_topdown.append(estimated.as_json())
    notes += _notes(shown, topdown.financial_year, cohort, population, pop_year)
    notes += topdown.notes
    return Comparison(
        financial_year=shown,
        theme=theme,
        cohort=COHORT_LABELS.get(cohort or ""),
        place=place,
        wards=wards,
        comparators=comparator_rows,
        method=method,
        notes=notes,
        topdown=topdown.as_json(),
        comparator_topdown=comparator_topdown,
    )


def _layers(
    row: dict[str, Any],
    bottom_up: Decimal,
    top_down: Decimal,
    year: str,
    top_down_year: str,
    top_down_method: str,
) -> None:
    """Set a place or ward row's layers (bottom-up, top-down, all agencies) and their per-head figures."""
    people = row.get("population")
    cohort_people = row.get("cohort_population") if row.get("cohort") else None
    total = bottom_up + top_down
    row.update(
        per_head=per_head(bottom_up, people),
        cohort_per_head=per_head(bottom_up, cohort_people) if row.get("cohort") else None,
        bottom_up_year=year,
        bottom_up_method="actual + apportioned: the count of the loaded ledgers",
        top_down=top_down,
        top_down_year=top_down_year,
        top_down_method=top_down_method,
        top_down_per_head=per_head(top_down, people),
        top_down_cohort_per_head=per_head(top_down, cohort_people),
        all_agency=total,
        all_agency_note=(
            f"bottom-up {year} + top-down {top_down_year}"
            + (" — years differ: cash, not uprated" if top_down_year != year else "")
        ),
        all_agency_per_head=per_head(total, people),
        all_agency_cohort_per_head=per_head(total, cohort_people),
    )


def _all_bodies(row: dict[str, Any], amount: Decimal | None) -> None:
    """Set a district row's like-for-like top-down estimate of every body and its per-head figures."""
    cohort_people = row.get("cohort_population") if row.get("cohort") else None
    row.update(
        top_down_all_bodies=amount,
        top_down_all_bodies_per_head=per_head(amount, row.get("population")),
        top_down_all_bodies_cohort_per_head=per_head(amount, cohort_people),
    )


def _ward_topdown(
    workspace: Workspace,
    ward_rows: list[dict[str, Any]],
    cells: list[dict[str, Any]],
    year: str,
    top_down_year: str,
    top_down_method: str,
) -> None:
    """Apportion the place's top-down layer to its wards and set every ward's layers.

    Each (kind, theme) cell of the estimate (net, bodies with no loaded data) is split
    between the wards by the theme's ward driver — the same as the count's (65+/60+ for
    older people, all ages by default) — in pennies by largest remainder, so the wards
    of every cell add up to it exactly.
    """
    if not ward_rows:
        return

    ward_list = place_wards(workspace)
    year_used = int(ward_rows[0]["population_year"])
    scales = district_scales(workspace, ward_list, year_used)
    reach = {
        b.key: [i for i, w in enumerate(ward_list) if w.lad_code in set(b.districts([]))]
        for b in bodies_serving(workspace)
        if b.area_code
    }
    by_theme, default = ward_drivers(workspace)
    amounts = dict.fromkeys((w.code for w in ward_list), 0)
    raw: dict[str, list[Any]] = {}
    for cell in cells:
        if not cell["in_count"] or not cell["net"]:
            continue
        driver = by_theme.get(cell["theme"], default)
        if driver not in raw:
            raw[driver] = list(driver_weights(ward_list, driver))
        # A body's estimate goes to the wards of the place in its area (national: all).
        positions = reach.get(cell["body_key"]) or list(range(len(ward_list)))
        weights = [Fraction(raw[driver][i]) * scales[ward_list[i].lad_code] for i in positions]
        pennies = allocate(to_pennies(cell["net"]), weights)
        for i, part in zip(positions, pennies, strict=True):
            amounts[ward_list[i].code] += part
    for row in ward_rows:
        top_down = from_pennies(amounts.get(row["code"], 0))
        _layers(row, row["spend"], top_down, year, top_down_year, top_down_method)
        row["top_down_method"] = (
            f"{top_down_method}; shared between wards by the theme's ward driver "
            "(largest remainder, in pennies)"
        )


def _notes(
    year: str, top_down_year: str, cohort: str | None, population: int, pop_year: int
) -> list[str]:
    """Return the notes that say what the layers are and how the comparison is made."""
    notes = [
        f"Layers: bottom-up {year} (actual + apportioned, the loaded ledgers) and top-down "
        f"{top_down_year} (published totals apportioned to the place for the bodies with no "
        "loaded data; method top-down, confidence low) are shown apart; 'All agencies' adds "
        f"them{' — years differ: cash figures, not uprated' if top_down_year != year else ''}.",
        f"Per head: every layer is divided by the ONS mid-{pop_year} population "
        f"({population:,} for the place)"
        + (f" and its {_COHORT_WORDS[cohort]} population" if cohort else "")
        + "; the top-down estimate's own shares use ONS mid-2015 populations.",
        "Comparators: no count is loaded for them ('no count loaded'), so they are compared "
        "like for like on the top-down estimate of every body (same sources, drivers and "
        "themes; the place's includes its loaded bodies' top-down estimates, not netted). "
        "Within a region the CRA lines are shared by population, so top-down per head "
        "differs between places mainly by age structure, council outturn and region, not "
        "by measured local spending.",
    ]
    return notes


def _ward_rows(con: Any, workspace: Workspace, year: str) -> list[dict[str, Any]]:
    """Return the ward count's rows of one financial year, as its stage wrote them."""
    stages.require(con, workspace, "count_by_ward")
    t = con.table(WARD_TABLE)
    t = t.filter(t.financial_year == year)
    ordered = t.order_by([t.ward_code, t.partner, t.theme])
    rows: list[dict[str, Any]] = ordered.to_pyarrow().to_pylist()
    return rows


def _default_label(cells: list[dict[str, Any]]) -> str:
    start = default_year(cells)
    if start is None:
        raise NeedsError("the count has no dated spending to compare")
    return year_label(start)


def _deprivation(code: str, edition: int, workspace: Workspace) -> DistrictDeprivation | None:
    try:
        return district_deprivation(code, edition, workspace)
    except UnknownAreaError:
        return None


def _district_row(
    code: str, name: str, year: int, cohort: str | None, workspace: Workspace
) -> dict[str, Any]:
    population, pop_year = reference.population(code, year)
    cohorts: Cohorts | None
    try:
        cohorts = district_cohorts(code, year, workspace)
    except UnknownAreaError:
        cohorts = None
    imd19 = _deprivation(code, 2019, workspace)
    imd25 = _deprivation(code, 2025, workspace)
    sources = [f"population: ONS mid-{pop_year}"]
    if cohort and cohorts:
        sources.append(f"{_COHORT_WORDS[cohort]}: {cohorts.source}")
    sources.append("IMD: IoD2019 (LAD 2019) and IoD2025 (LAD 2024) district summaries")
    return {
        "code": code,
        "name": name,
        "population": population,
        "population_year": pop_year,
        "cohort": COHORT_LABELS.get(cohort or ""),
        "cohort_population": (
            (cohorts.older if cohort == "older" else cohorts.children)
            if cohort and cohorts
            else None
        ),
        "imd2019_score": imd19.average_score if imd19 else None,
        "imd2019_rank": imd19.rank_average_score if imd19 else None,
        "imd2019_districts": imd19.districts_ranked if imd19 else None,
        "imd2025_score": imd25.average_score if imd25 else None,
        "imd2025_rank": imd25.rank_average_score if imd25 else None,
        "imd2025_districts": imd25.districts_ranked if imd25 else None,
        "source": "; ".join(sources),
    }


def _given(
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


def _place_neighbours(
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


def _place_row(workspace: Workspace, year: int, cohort: str | None) -> dict[str, Any]:
    """Return the place's population, cohort and deprivation row: one district's, or the union's."""
    place = workspace.place
    where = extent.extent(place)
    if where.single_district:
        return _district_row(where.single_district, place.name, year, cohort, workspace)
    population, pop_year = extent.population(where, year)
    ward_list = place_wards(workspace)
    cohort_people = None
    if cohort:
        people = ward_people(workspace, ward_list, 0, year, cohort)
        cohort_people = sum(people) if people is not None else None
    row: dict[str, Any] = {
        "code": place.code,
        "name": place.name,
        "population": population,
        "population_year": pop_year,
        "cohort": COHORT_LABELS.get(cohort or ""),
        "cohort_population": cohort_people,
    }
    sources = [
        f"population: ONS mid-{pop_year}, summed over the place's {len(where.districts)} "
        "district(s)"
        + (" (wards: their district's figure shared by ward population)" if where.wards else "")
    ]
    if cohort:
        sources.append(f"{_COHORT_WORDS[cohort]}: each district's figure shared by its wards'")
    for edition in (2019, 2025):
        score = _weighted_score(workspace, where, year, edition)
        row[f"imd{edition}_score"] = score
        row[f"imd{edition}_rank"] = None
        row[f"imd{edition}_districts"] = None
    ranked = [w for w in ward_list if w.imd_population]
    if where.wards and ranked:
        total = sum(w.imd_rank_total for w in ranked)
        row["ward_imd_rank"] = round(total / sum(w.imd_population for w in ranked), 1)
    sources.append(
        "IMD: the districts' IoD2019 / IoD2025 average scores weighted by the place's population "
        "in each (no rank: the place is not one district)"
    )
    row["source"] = "; ".join(sources)
    return row


def _weighted_score(
    workspace: Workspace, where: extent.Extent, year: int, edition: int
) -> float | None:
    """Return the IMD average score of the place: its districts' weighted by its people in each."""
    total, people = 0.0, 0
    for district in where.districts:
        found = _deprivation(district, edition, workspace)
        if found is None:
            return None
        mine = extent.population(where, year, [district])[0]
        total += found.average_score * mine
        people += mine
    return round(total / people, 3) if people else None


def _wards(
    workspace: Workspace,
    rows: list[dict[str, Any]],
    theme: str | None,
    cohort: str | None,
    year: str,
) -> list[dict[str, Any]]:
    """Return one row per ward: its spend for the year (and theme) per head and per cohort head, and IMD."""
    ward_list = place_wards(workspace)
    by_ward: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = by_ward.setdefault(
            row["ward_code"],
            {
                "kind": "ward",
                "code": row["ward_code"],
                "name": row["ward_name"],
                "financial_year": year,
                "theme": theme or "all themes",
                "spend": Decimal("0.00"),
                "spend_status": "apportioned from the count",
                "population": row["population"],
                "population_year": row["population_year"],
            },
        )
        if theme is None or row["theme"] == theme:
            item["spend"] += row["counted_amount"]
    people: list[int] | None = None
    if cohort and rows:
        year_used = int(rows[0]["population_year"])
        people = ward_people(workspace, ward_list, 0, year_used, cohort)
    cohort_people = {w.code: p for w, p in zip(ward_list, people or [], strict=False)}
    everyone: list[int] | None = None
    result = []
    for ward in ward_list:
        if ward.code not in by_ward:
            if not rows:
                continue
            # A ward of the place none of whose loaded partners serves it (a district
            # whose council is not loaded): no bottom-up spend, but its top-down share.
            if everyone is None:
                everyone = ward_people(
                    workspace, ward_list, 0, int(rows[0]["population_year"]), "population"
                )
            by_ward[ward.code] = {
                "kind": "ward",
                "code": ward.code,
                "name": ward.name,
                "financial_year": year,
                "theme": theme or "all themes",
                "spend": Decimal("0.00"),
                "spend_status": "no loaded partner serves it",
                "population": everyone[ward_list.index(ward)] if everyone else None,
                "population_year": rows[0]["population_year"],
            }
        item = by_ward[ward.code]
        count = cohort_people.get(ward.code)
        item.update(
            per_head=per_head(item["spend"], item["population"]),
            cohort=COHORT_LABELS.get(cohort or ""),
            cohort_population=count,
            cohort_per_head=per_head(item["spend"], count) if cohort else None,
            ward_imd_rank=ward.imd_rank,
            ward_most_deprived_decile_share=ward.imd_most_deprived_decile_share,
            source=(f"spend: {rows[0]['method']}, {rows[0]['source']}; IMD: {ward.imd_source}"),
        )
        result.append(item)
    return result
