"""A place of five districts (Tyne and Wear, E11000007) with three of its councils loaded.

Issue 7, item 1: the whole chain runs for a combined authority area; the three loaded
councils are counted in full; coverage says the other two district councils are not
loaded and estimates them -- and only them -- top-down.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

FILES = {
    "Gateshead Council": ("E08000037", "gateshead/*.csv"),
    "Newcastle City Council": ("E08000021", "newcastle/*.csv"),
    "North Tyneside Council": ("E08000022", "north_tyneside/*.csv"),
}
NOT_LOADED = {"E08000023": "South Tyneside", "E08000024": "Sunderland"}


def _place_toml(realdata: Path) -> str:
    text = (
        '[place]\ncode = "E11000007"\nname = "Tyne and Wear"\npopulation_year = 2019\n'
        "financial_year_start = 4\n"
    )
    for name, (code, glob) in FILES.items():
        source = realdata / "odileeds_cleaned" / glob
        text += (
            f'\n[[partners]]\nname = "{name}"\nsector = "unitary_council"\nareas = ["{code}"]\n'
            f'fy_start_month = 4\nsources = ["{source}"]\n'
        )
    return text


@pytest.fixture(scope="module")
def tyne_and_wear(
    realdata: Path, pipeline: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("tyne_and_wear")
    (root / "place.toml").write_text(_place_toml(realdata), encoding="utf-8")
    return pipeline(root)


def test_every_stage_runs_for_a_combined_authority_area(tyne_and_wear):
    assert set(tyne_and_wear) >= {
        "count",
        "count --by ward",
        "coverage",
        "compare",
        "opportunities",
    }


def test_the_three_loaded_councils_are_counted_in_full_and_reconcile_to_the_penny(tyne_and_wear):
    count = tyne_and_wear["count"]
    assert all(r["reconciles"] for r in count["reconciliation"])
    for row in count["count"]:
        assert (Decimal(row["share"]), row["method"]) == (Decimal(1), "actual")
        assert Decimal(row["counted_amount"]) == Decimal(row["base_amount"])
    imported = sum(Decimal(r["imported"]) for r in count["reconciliation"])
    assert imported == Decimal("94851034.01")  # the four files' totals (import report)


def test_ward_counts_add_up_to_the_count_and_stay_in_each_councils_wards(tyne_and_wear):
    wards = tyne_and_wear["count --by ward"]
    counted = sum(Decimal(r["counted_amount"]) for r in tyne_and_wear["count"]["count"])
    assert wards["reconciles"] and wards["place"]["wards"] > 100
    assert sum(Decimal(r["counted_amount"]) for r in wards["count_by_ward"]) == counted
    districts = {w["code"]: w["lad_code"] for w in wards["wards"]}
    slugs = {"gateshead-council": "E08000037", "newcastle-city-council": "E08000021"}
    for row in wards["count_by_ward"]:
        if row["partner"] in slugs:
            assert districts[row["ward_code"]] == slugs[row["partner"]]


def test_coverage_names_the_district_councils_not_loaded(tyne_and_wear):
    coverage = tyne_and_wear["coverage"]
    councils = {
        r["area_code"]: r
        for r in coverage["coverage"]
        if r["kind"] == "unitary_council" and not r["part_year"]
    }
    assert set(councils) == {code for code, _ in FILES.values()} | set(NOT_LOADED)
    for code, _ in FILES.values():
        assert councils[code]["status"] == "loaded"
    for code in NOT_LOADED:
        assert councils[code]["status"] == "estimated top-down"
        assert "area lies inside Tyne and Wear" in councils[code]["driver"]
    note = next(n for n in coverage["notes"] if n.startswith("Unitary councils:"))
    assert "3 of the 5" in note and "South Tyneside, Sunderland (estimated top-down)" in note


def test_no_loaded_council_is_estimated_again_top_down_for_its_loaded_month(tyne_and_wear):
    coverage = tyne_and_wear["coverage"]
    top_down = next(layer for layer in coverage["layers"]["layers"] if layer["layer"] == "top-down")
    for name in FILES:
        # September is loaded; only the 11 other months are estimated top-down.
        mine = [body for body in top_down["bodies"] if name in body]
        assert mine == [f"{name} (Apr–Aug, Oct–Mar, not loaded)"]
    for code, _ in FILES.values():
        part = [r for r in coverage["coverage"] if r["area_code"] == code and r["part_year"]]
        assert [(r["months_loaded"], r["months_estimated"]) for r in part] == [(1, 11)]
    loaded = next(x for x in coverage["layers"]["layers"] if x["layer"] == "loaded actual")
    counted = sum(Decimal(r["counted_amount"]) for r in tyne_and_wear["count"]["count"])
    assert Decimal(loaded["amount"]) == counted


def test_the_place_is_compared_on_its_own_population(tyne_and_wear):
    place = tyne_and_wear["compare"]["place"]
    assert place["population"] == tyne_and_wear["count"]["count"][0]["population"]
    assert (
        len(tyne_and_wear["compare"]["wards"]) == tyne_and_wear["count --by ward"]["place"]["wards"]
    )
