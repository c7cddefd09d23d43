"""Ward populations and deprivation: shipped roll-ups checked by hand against the raw published files."""

from __future__ import annotations

import importlib.util
import sys
from fractions import Fraction
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.workspaces import TRAFFORD
from totalplace.needs import district_cohorts, district_deprivation, wards
from totalplace.reference import UnknownAreaError

from .conftest import HYNDBURN
from .rawfiles import as_int, read_raw

ROOT = Path(__file__).resolve().parents[2]
DEPRIVATION = Path("reference") / "deprivation"


@pytest.fixture(scope="module")
def raw_lsoas(realdata: Path) -> dict[str, dict[str, object]]:
    """Return every Hyndburn LSOA from the raw files: ward, mid-2015 population, IMD rank and decile."""
    lookup = read_raw(realdata / "reference/geography_ons/LSOA11_to_WD17_to_LAD17_EW.csv")
    population = read_raw(
        realdata / DEPRIVATION / "File_6_-_IoD2019_Population_Denominators.csv.gz"
    )
    imd = read_raw(realdata / DEPRIVATION / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz")
    lsoas: dict[str, dict[str, object]] = {
        r["LSOA11CD"]: {"ward": r["WD17CD"], "ward_name": r["WD17NM"]}
        for r in lookup
        if r["LAD17CD"] == HYNDBURN
    }
    for r in population:
        if r["LSOA code (2011)"] in lsoas:
            lsoas[r["LSOA code (2011)"]]["population"] = as_int(
                r["Total population: mid 2015 (excluding prisoners)"]
            )
            lsoas[r["LSOA code (2011)"]]["older"] = as_int(
                r["Older population aged 60 and over: mid 2015 (excluding prisoners)"]
            )
    for r in imd:
        if r["LSOA code (2011)"] in lsoas:
            lsoas[r["LSOA code (2011)"]]["rank"] = as_int(
                r["Index of Multiple Deprivation (IMD) Rank"]
            )
            lsoas[r["LSOA code (2011)"]]["decile"] = as_int(
                r["Index of Multiple Deprivation (IMD) Decile"]
            )
    return lsoas


def test_hyndburn_has_16_wards_whose_populations_sum_to_the_lsoa_based_district_total(realdata):
    found = wards(HYNDBURN)
    assert len(found) == 16
    assert [w.code for w in found] == sorted(w.code for w in found)
    assert all(w.code.startswith("E05") and w.lad_code == HYNDBURN for w in found)
    raw = read_raw(realdata / DEPRIVATION / "File_6_-_IoD2019_Population_Denominators.csv.gz")
    district = sum(
        as_int(r["Total population: mid 2015 (excluding prisoners)"])
        for r in raw
        if r["Local Authority District code (2019)"] == HYNDBURN
    )
    assert district == 80113
    assert sum(w.population for w in found) == district
    assert sum(w.lsoas for w in found) == 52
    for w in found:
        assert w.age_0_15 + w.age_working + w.age_older == w.population
        assert (w.population_year, w.older_band, w.working_band) == (2015, "60+", "16-59")
        assert "mid-2015" in w.population_source and "2011 LSOAs" in w.population_source


@pytest.mark.parametrize("ward_name", ["Central", "Altham", "Spring Hill"])
def test_ward_imd_is_the_population_weighted_mean_rank_of_its_lsoas(raw_lsoas, ward_name):
    mine = [lsoa for lsoa in raw_lsoas.values() if lsoa["ward_name"] == ward_name]
    assert len(mine) == 3
    people = sum(int(lsoa["population"]) for lsoa in mine)
    weighted = sum(int(lsoa["population"]) * int(lsoa["rank"]) for lsoa in mine)
    in_decile_1 = sum(1 for lsoa in mine if lsoa["decile"] == 1)
    ward = next(w for w in wards(HYNDBURN) if w.name == ward_name)
    assert ward.population == people
    assert ward.age_older == sum(int(lsoa["older"]) for lsoa in mine)
    assert ward.imd_rank_exact == Fraction(weighted, people)
    assert ward.imd_rank == round(weighted / people, 1)
    assert ward.imd_most_deprived_decile_share == round(in_decile_1 / 3, 4)
    assert ward.imd_lsoas_ranked == 32844 and ward.imd_edition == 2019


def test_central_and_spring_hill_are_hyndburns_most_deprived_wards():
    found = sorted(wards(HYNDBURN), key=lambda w: w.imd_rank or 0)
    assert [w.name for w in found[:2]] == ["Central", "Spring Hill"]
    assert found[0].imd_most_deprived_decile_share == 1.0
    assert found[-1].name == "Baxenden"


def test_trafford_wards_come_from_the_mid_2024_ward_estimates(realdata):
    found = wards(TRAFFORD)
    raw = {
        r["area_code"]: r
        for r in read_raw(realdata / "reference/population/trafford_mid-2024_population_wards.csv")
        if r["sex"] == "Persons"
    }
    assert len(found) == 21 and {w.code for w in found} == set(raw)
    for w in found:
        assert w.population == int(raw[w.code]["all_ages"])
        assert w.age_older == int(raw[w.code]["aged_65_and_over"])
        assert w.age_0_15 == int(raw[w.code]["aged_0_to_15"])
        assert (w.population_year, w.older_band) == (2024, "65+")
        assert "mid-2024" in w.population_source
        # 2023 ward boundaries: no LSOA lookup shipped, so no IMD roll-up, and it says so.
        assert w.imd_rank is None and "not available" in w.imd_source
    assert sum(w.population for w in found) == 241025


def test_district_deprivation_matches_the_published_summaries(realdata):
    raw19 = next(
        r
        for r in read_raw(realdata / DEPRIVATION / "IoD2019_LAD_summaries_tidy.csv")
        if r["lad19cd"] == HYNDBURN and r["index_domain"] == "Index of Multiple Deprivation"
    )
    d19 = district_deprivation(HYNDBURN, 2019)
    assert d19.average_score == pytest.approx(float(raw19["average_score"]))
    assert d19.rank_average_score == int(raw19["rank_average_score"]) == 16
    assert d19.districts_ranked == 317
    d25 = district_deprivation(HYNDBURN, "IoD2025")
    assert (d25.average_score, d25.rank_average_score, d25.districts_ranked) == (35.43, 14, 296)


def test_a_district_missing_from_an_edition_raises_a_clear_error():
    with pytest.raises(UnknownAreaError, match="IoD2019"):
        district_deprivation("E06000063", 2019)  # Cumberland, created 2023
    with pytest.raises(UnknownAreaError, match="no wards"):
        wards("E06000063")


def test_trafford_cohorts_are_exact_and_hyndburns_are_estimated_from_the_age_profile():
    trafford = district_cohorts(TRAFFORD, 2024)
    assert (trafford.older, trafford.children, trafford.estimated) == (42515, 50230, False)
    hyndburn = district_cohorts(HYNDBURN, 2024)
    assert hyndburn.estimated and hyndburn.population == 86058
    assert hyndburn.older == round(86058 * 18.0 / 100) and hyndburn.children == round(
        86058 * 20.1 / 100
    )


def test_the_shipped_lsoa_file_is_what_the_build_script_makes_from_realdata(realdata):
    spec = importlib.util.spec_from_file_location(
        "build_needs_reference", ROOT / "scripts" / "build_needs_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_needs_reference"] = module
    spec.loader.exec_module(module)
    built = module.build_lsoa(realdata)
    shipped = pq.read_table(ROOT / "src/totalplace/data/reference/needs_lsoa.parquet")
    assert built.num_rows == shipped.num_rows == 32844
    assert built.equals(shipped)
    size = (ROOT / "src/totalplace/data/reference/needs_lsoa.parquet").stat().st_size
    assert size < 2_000_000
