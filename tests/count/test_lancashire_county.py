"""A county place (Lancashire, E10000017) with one of its twelve district councils, the police and fire.

Issue 7, item 1: the chain runs for a county; the borough council inside it is counted
in full, the police and fire (whose areas add Blackburn with Darwen and Blackpool) are
apportioned by the county's share of their population, computed here from the shipped
population CSV; coverage names the eleven district councils not loaded.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn" / "place.toml"
DATA = files("totalplace").joinpath("data").joinpath("reference")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(DATA.joinpath(name).read_text(encoding="utf-8").splitlines()))


def _population(codes: list[str], year: int) -> int:
    wanted = set(codes)
    return sum(
        int(r["population"])
        for r in _rows("population_lad.csv")
        if r["area_code"] in wanted and int(r["year"]) == year
    )


@pytest.fixture(scope="module")
def lancashire(
    realdata: Path, pipeline: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("lancashire")
    # The example's partners (their names, sectors, areas and aliases), over the
    # published 2024-25 files in the shared folder, for the county instead of Hyndburn.
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('code = "E07000120"', 'code = "E10000017"')
    text = text.replace('name = "Hyndburn"', 'name = "Lancashire"')
    lancs = realdata / "lancashire"
    text = text.replace(
        '"data/hyndburn_bc/*.csv"',
        f'"{lancs}/hyndburn_bc/hyndburn_2024-*.csv", "{lancs}/hyndburn_bc/hyndburn_2025-0[1-3].csv"',
    )
    text = text.replace(
        '"data/lancashire_fire/*.xlsx"', f'"{lancs}/lancashire_fire/fire-2024-25.xlsx"'
    )
    text = text.replace(
        '"data/lancashire_pcc/*.xlsx"', f'"{lancs}/lancashire_pcc/pcc-2024-25.xlsx"'
    )
    (root / "place.toml").write_text(text, encoding="utf-8")
    return pipeline(root)


def test_every_stage_runs_for_a_county(lancashire):
    assert lancashire["count"]["place"]["code"] == "E10000017"


def test_police_and_fire_are_apportioned_by_the_countys_share_of_their_population(lancashire):
    areas = _rows("lad_areas.csv")
    county = [r["lad_code"] for r in areas if r["county_code"] == "E10000017"]
    force = [r["lad_code"] for r in areas if r["police_force_code"] == "E23000003"]
    expected = (Decimal(_population(county, 2024)) / Decimal(_population(force, 2024))).quantize(
        Decimal("1e-15"), ROUND_HALF_UP
    )
    rows = [r for r in lancashire["count"]["count"] if r["fy_start_year"] == 2024]
    for partner in (
        "lancashire-fire-and-rescue-service",
        "lancashire-police-and-crime-commissioner",
    ):
        mine = [r for r in rows if r["partner"] == partner]
        assert mine and all(Decimal(r["share"]) == expected for r in mine)
        assert all(r["method"] == "apportioned" for r in mine)
        assert all(r["population"] == _population(county, 2024) for r in mine)
    hyndburn = [r for r in rows if r["partner"] == "hyndburn-borough-council"]
    assert hyndburn and all(
        (Decimal(r["share"]), r["method"]) == (Decimal(1), "actual") for r in hyndburn
    )


def test_the_count_reconciles_to_the_penny(lancashire):
    count = lancashire["count"]
    assert all(r["reconciles"] for r in count["reconciliation"])
    imported = {r["partner"]: Decimal(r["imported"]) for r in count["reconciliation"]}
    assert imported["hyndburn-borough-council"] == Decimal("94113417.07")  # as the example's
    for row in count["count"]:
        exact = Decimal(row["base_amount"]) * Decimal(row["share"])
        assert Decimal(row["counted_amount"]) == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
    wards = lancashire["count --by ward"]
    assert wards["reconciles"]
    assert sum(Decimal(r["counted_amount"]) for r in wards["count_by_ward"]) == sum(
        Decimal(r["counted_amount"]) for r in count["count"]
    )


def test_coverage_names_the_eleven_district_councils_not_loaded(lancashire):
    coverage = lancashire["coverage"]
    councils = [r for r in coverage["coverage"] if r["kind"] == "district_council"]
    assert len(councils) == 12
    loaded = [r for r in councils if r["status"] == "loaded"]
    assert [r["area_code"] for r in loaded] == ["E07000120"]
    note = next(n for n in coverage["notes"] if n.startswith("District councils:"))
    assert "1 of the 12" in note
    for name in ("Burnley", "Chorley", "Fylde", "Lancaster", "Pendle", "Preston", "Ribble Valley",
                 "Rossendale", "South Ribble", "West Lancashire", "Wyre"):  # fmt: skip
        assert name in note
    county = next(r for r in coverage["coverage"] if r["kind"] == "county_council")
    assert county["status"] == "estimated top-down"
    police = next(r for r in coverage["coverage"] if r["kind"] == "police")
    assert police["status"] == "apportioned"
