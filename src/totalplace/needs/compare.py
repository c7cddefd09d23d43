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

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from totalplace import extent, stages
from totalplace.count.summary import count_rows
from totalplace.coverage.bytheme import district_theme_topdown, loaded_kinds, place_theme_topdown
from totalplace.needs.comparison import Comparison
from totalplace.needs.drivers import COHORT_LABELS, THEME_COHORTS, NeedsError
from totalplace.needs.layers import comparison_wards, set_all_bodies, set_layers, ward_topdown
from totalplace.needs.neighbours import (
    NEIGHBOUR_EDITION,
    given_comparators,
    nearest_neighbours,
    place_neighbours,
)
from totalplace.needs.placerows import COHORT_WORDS, district_row, place_row
from totalplace.needs.wards import WARD_TABLE
from totalplace.workspace import Workspace
from totalplace.years import default_year, normalise_year, year_label

__all__ = ["NEIGHBOUR_EDITION", "Comparison", "compare", "nearest_neighbours"]

NO_COUNT = "no count loaded"


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
    place = place_row(workspace, pop_year, cohort)
    place.update(
        kind="place",
        financial_year=shown,
        theme=theme or "all themes",
        spend=spend,
        spend_status="counted",
        population=population,
    )
    set_layers(place, spend, topdown.total, shown, topdown.financial_year, topdown.method)
    set_all_bodies(place, topdown.all_bodies)
    wards = comparison_wards(workspace, ward_rows, theme, cohort, shown)
    ward_topdown(workspace, wards, topdown.cells, shown, topdown.financial_year, topdown.method)
    if comparators:
        others, method = (
            given_comparators(comparators, place, pop_year, workspace),
            "user-given comparators",
        )
    elif extent.extent(workspace.place).single_district:
        others, method = nearest_neighbours(place_code, n, pop_year, workspace)
    else:
        others, method = place_neighbours(workspace, place, n, pop_year)
    comparator_rows = []
    comparator_topdown = []
    for other in others:
        row = district_row(other["lad_code"], other["lad_name"], pop_year, cohort, workspace)
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
        set_all_bodies(row, estimated.all_bodies if estimated.cells else None)
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
        + (f" and its {COHORT_WORDS[cohort]} population" if cohort else "")
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
