"""All agencies per head: the bottom-up count and the top-down estimate, for Hyndburn, its wards and comparators."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import pytest
import python_calamine
from typer.testing import CliRunner

from totalplace.needs import compare, wards
from totalplace.needs.compare import NO_COUNT

from .conftest import HYNDBURN
from .rawfiles import as_int, read_raw

PENNY = Decimal("0.01")
PENDLE = "E07000122"
OLDER = "Older people"
CRA = "finance_returns/CRA_2018_Database_for_Publication_rvsd.xlsx"
RS17 = "finance_returns/RS_2017-18_data_by_LA.xlsx"
FILE6 = "reference/deprivation/File_6_-_IoD2019_Population_Denominators.csv.gz"
REGIONS = (
    "reference/geography_ons/Ward19_to_LAD19_to_County19_to_Region19_to_Country19_Dec2019_UK.csv"
)
LANCASHIRE_CC = [  # the 12 districts of Lancashire County Council (2019)
    "E07000117", "E07000118", "E07000119", "E07000120", "E07000121", "E07000122",
    "E07000123", "E07000124", "E07000125", "E07000126", "E07000127", "E07000128",
]  # fmt: skip


def per_head(amount: Decimal, people: int) -> Decimal:
    """Return amount / people to the penny, half up."""
    return (amount / people).quantize(PENNY, ROUND_HALF_UP)


def apportion(amount: Decimal, place: int, area: int) -> Decimal:
    """Return amount × place / area to the penny (the share to 15 places, as every estimate)."""
    share = (Decimal(place) / Decimal(area)).quantize(Decimal("1e-15"), ROUND_HALF_UP)
    return (amount * share).quantize(PENNY, ROUND_HALF_UP)


def pounds(cell: Any) -> Decimal:
    """Return a £-thousands workbook cell in exact pounds."""
    return (Decimal(repr(cell)) * 1000).quantize(PENNY, ROUND_HALF_UP)


@pytest.fixture(scope="module")
def older(hyndburn):
    """Return the Older people comparison of Hyndburn with its five nearest neighbours."""
    return compare(hyndburn, theme=OLDER)


@pytest.fixture(scope="module")
def populations_2015(realdata: Path) -> dict[str, dict[str, int]]:
    """Return mid-2015 population (all, 60+, 16+) by district, summed from IoD2019 File 6's LSOAs."""
    out: dict[str, dict[str, int]] = {}
    for row in read_raw(realdata / FILE6):
        item = out.setdefault(
            row["Local Authority District code (2019)"], {"all": 0, "60+": 0, "16+": 0}
        )
        total = as_int(row["Total population: mid 2015 (excluding prisoners)"])
        children = as_int(row["Dependent Children aged 0-15: mid 2015 (excluding prisoners)"])
        item["all"] += total
        item["60+"] += as_int(
            row["Older population aged 60 and over: mid 2015 (excluding prisoners)"]
        )
        item["16+"] += total - children
    return out


def test_the_place_has_three_labelled_layers_and_they_add_up(older):
    place = older.place
    assert place["bottom_up_year"] == "2024-25" and place["top_down_year"] == "2017-18"
    assert "actual + apportioned" in place["bottom_up_method"]
    assert "top-down" in place["top_down_method"] and "not uprated" in place["top_down_method"]
    assert place["all_agency"] == place["spend"] + place["top_down"]
    assert "years differ" in place["all_agency_note"]
    assert place["top_down"] > Decimal("100000000")  # state pension alone is over £100m
    assert any("Layers:" in n and "not uprated" in n for n in older.notes)


def test_the_all_agency_older_people_figure_per_65_plus_is_the_layers_over_the_cohort(older):
    place = older.place
    assert place["cohort"] == "65+" and place["cohort_population"] == round(86058 * 18.0 / 100)
    expected = per_head(place["spend"] + place["top_down"], place["cohort_population"])
    assert place["all_agency_cohort_per_head"] == expected
    assert place["all_agency_per_head"] == per_head(place["spend"] + place["top_down"], 86058)
    assert place["top_down_cohort_per_head"] == per_head(
        place["top_down"], place["cohort_population"]
    )
    for ward in older.wards:
        assert ward["all_agency_cohort_per_head"] == per_head(
            ward["spend"] + ward["top_down"], ward["cohort_population"]
        )


def test_the_top_down_layer_is_the_themed_estimate_of_unloaded_bodies_in_the_warehouse(
    hyndburn, older
):
    con = duckdb.connect(str(hyndburn.warehouse_path), read_only=True)
    try:
        (stored,) = con.execute(
            "SELECT sum(estimate) FROM topdown_estimates WHERE theme = ? AND in_count", [OLDER]
        ).fetchone()
        kinds = {
            k
            for (k,) in con.execute(
                "SELECT DISTINCT kind FROM topdown_estimates WHERE in_count"
            ).fetchall()
        }
    finally:
        con.close()
    topdown = older.topdown
    assert Decimal(topdown["top_down_gross"]) == stored
    assert (
        Decimal(topdown["top_down"])
        == older.place["top_down"]
        == stored - Decimal(topdown["already_counted_in_loaded_ledgers"])
    )
    assert {"county_council", "nhs", "dwp"} <= kinds
    assert not kinds & {"district_council", "police", "fire"}  # loaded: not added


def test_the_wards_top_down_adds_up_exactly_to_the_place_and_follows_the_older_population(
    hyndburn, older
):
    place, found = older.place, older.wards
    assert len(found) == 16
    assert sum(w["top_down"] for w in found) == place["top_down"]
    assert sum(w["all_agency"] for w in found) == place["all_agency"]
    bands = {w.code: w.age_older for w in wards(HYNDBURN, hyndburn)}
    total = sum(bands.values())
    cells = len([k for k in older.topdown["by_kind"] if k["in_count"] and Decimal(k["net"])])
    for ward in found:  # each (kind, theme) cell is split by largest remainder: within 1p a cell
        exact = Fraction(place["top_down"]) * bands[ward["code"]] / total
        assert abs(Fraction(ward["top_down"]) - exact) <= Fraction(cells, 100)


def test_every_theme_together_adds_up_by_ward_and_is_the_coverages_layers(hyndburn):
    from totalplace.coverage import layers

    view = layers(hyndburn, "2024-25")
    result = compare(hyndburn, n=2)
    place = result.place
    assert sum(w["top_down"] for w in result.wards) == place["top_down"]
    assert place["all_agency_per_head"] == per_head(place["spend"] + place["top_down"], 86058)
    assert place["spend"] > 0 and place["top_down"] > place["spend"]
    assert place["spend"] == view.actual + view.apportioned
    assert place["top_down"] == view.top_down  # net of payments already counted, as coverage
    assert Decimal(result.topdown["already_counted_in_loaded_ledgers"]) == view.already_counted


def test_pendles_top_down_older_people_estimate_is_recomputed_from_the_source_rows(
    realdata, older, populations_2015
):
    with (realdata / REGIONS).open(encoding="utf-8-sig") as fh:
        north_west = {r["LAD19CD"] for r in csv.DictReader(fh) if r["RGN19CD"] == "E12000002"}
    book = python_calamine.CalamineWorkbook.from_path(str(realdata / CRA))
    sheet = book.get_sheet_by_name("CRA 2018 database").to_python(skip_empty_area=False)
    pendle = populations_2015[PENDLE]["60+"]
    region = sum(populations_2015[c]["60+"] for c in north_west)
    expected = Decimal(0)
    for cells in sheet[1:]:
        dept, segment, cofog = str(cells[0]), str(cells[3]), str(cells[6])
        if cells[12] != "ENGLAND_North West" or cells[10] == "LG" or cells[18] == "":
            continue
        if dept.startswith("Local Government"):
            continue
        older_people = (
            cofog == "10.2 Old age"
            or (cofog == "10.3 Survivors" and dept != "Department for Work and Pensions")
            or (cofog == "10.1 Sickness and disability" and "ATTENDANCE ALLOWANCE" in segment)
        )
        if older_people:  # every older-people line is apportioned by the 60+ population
            expected += apportion(pounds(cells[18]), pendle, region)
    row = next(c for c in older.comparators if c["code"] == PENDLE)
    assert row["top_down_all_bodies"] == expected
    assert expected > Decimal("150000000")
    assert row["spend"] is None and row["spend_status"] == NO_COUNT
    assert row["top_down_all_bodies_cohort_per_head"] == per_head(
        expected, row["cohort_population"]
    )
    # Its council's RS outturn: Lancashire's adult social care (cell I56), by adults 16+,
    # is named as serving older people in part, and not added.
    rs = python_calamine.CalamineWorkbook.from_path(str(realdata / RS17))
    cell = rs.get_sheet_by_name("RS LA Data 2017-18").to_python(skip_empty_area=False)[55][8]
    adults = sum(populations_2015[c]["16+"] for c in LANCASHIRE_CC)
    care = apportion(pounds(cell), populations_2015[PENDLE]["16+"], adults)
    pendle_topdown = next(t for t in older.comparator_topdown if t["code"] == PENDLE)
    partly = next(p for p in pendle_topdown["partly"] if p["rule"] == "rs.adult_social_care")
    assert Decimal(partly["estimate"]) == care and partly["body"] == "Lancashire County Council"
    assert Decimal(pendle_topdown["all_bodies"]) == expected


def test_comparators_are_compared_like_for_like_on_the_top_down_estimate(older):
    place = older.place
    assert place["top_down_all_bodies"] >= place["top_down"]
    for row in older.comparators:
        assert row["top_down_year"] == place["top_down_year"] == "2017-18"
        assert row["top_down_all_bodies"] > 0 and row["all_agency"] is None
    assert any("like for like" in n for n in older.notes)


def test_the_command_prints_both_tables_with_their_years(hyndburn):
    import typer

    from totalplace.cli.compare import compare_command

    app = typer.Typer()
    app.command("compare")(compare_command)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(
        app, ["compare", "--theme", OLDER, "--n", "2", "--workspace", str(hyndburn.root)]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    for phrase in ("Bottom-up", "Top-down", "All agencies", "Like for like", "no count loaded"):
        assert phrase in text
    assert "2017-18" in text and "2024-25" in text and "Adult social care" in text
