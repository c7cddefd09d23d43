"""A place of three wards of a city (Total Place for Neighbourhoods): issue 7, item 1.

Newcastle City Council's ledger is apportioned by the three wards' share of the city's
population; North Tyneside's, a council serving none of them, counts nothing; the ward
count and the comparison hold just the three wards.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from totalplace import reference

WARDS = ["E05001089", "E05001090", "E05001091"]
NEWCASTLE = "E08000021"


@pytest.fixture(scope="module")
def three_wards(
    realdata: Path, pipeline: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("three_wards")
    files = realdata / "odileeds_cleaned"
    (root / "place.toml").write_text(
        f'[place]\ncode = "{NEWCASTLE}"\nname = "Three wards of Newcastle"\n'
        f"population_year = 2019\nareas = {WARDS}\n\n"
        '[[partners]]\nname = "Newcastle City Council"\nsector = "unitary_council"\n'
        f'areas = ["{NEWCASTLE}"]\nsources = ["{files}/newcastle/*.csv"]\n\n'
        '[[partners]]\nname = "North Tyneside Council"\nsector = "unitary_council"\n'
        f'areas = ["E08000022"]\nsources = ["{files}/north_tyneside/*.csv"]\n',
        encoding="utf-8",
    )
    return pipeline(root)


def test_the_city_council_is_apportioned_by_the_wards_share_of_the_city(three_wards):
    rows = three_wards["count"]["count"]
    newcastle = [r for r in rows if r["partner"] == "newcastle-city-council"]
    city, _ = reference.population(NEWCASTLE, 2019)
    people = newcastle[0]["population"]
    assert 30_000 < people < city / 5  # three of the city's 26 wards
    share = (Decimal(people) / Decimal(city)).quantize(Decimal("1e-15"), ROUND_HALF_UP)
    for row in newcastle:
        assert (Decimal(row["share"]), row["method"]) == (share, "apportioned")
        exact = Decimal(row["base_amount"]) * share
        assert Decimal(row["counted_amount"]) == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
    others = [r for r in rows if r["partner"] == "north-tyneside-council"]
    assert others and all(Decimal(r["counted_amount"]) == 0 for r in others)
    assert all(r["reconciles"] for r in three_wards["count"]["reconciliation"])


def test_the_ward_count_and_comparison_hold_only_the_three_wards(three_wards):
    wards = three_wards["count --by ward"]
    assert sorted({r["ward_code"] for r in wards["count_by_ward"]}) == WARDS
    assert wards["reconciles"]
    people = three_wards["count"]["count"][0]["population"]
    assert sum(w["population"] for w in three_wards["compare"]["wards"]) == people
    assert sorted(w["code"] for w in three_wards["compare"]["wards"]) == WARDS
    assert three_wards["compare"]["place"]["population"] == people


def test_coverage_apportions_the_citys_bodies_to_the_wards(three_wards):
    coverage = three_wards["coverage"]
    council = next(r for r in coverage["coverage"] if r["kind"] == "unitary_council")
    assert council["area_code"] == NEWCASTLE and council["status"] == "apportioned"
    assert not any(r.get("area_code") == "E08000022" for r in coverage["coverage"])
