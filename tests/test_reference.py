"""Tests for totalplace.reference against the shipped (real ONS-derived) reference data."""

from __future__ import annotations

import csv
import importlib
import io
import subprocess
import sys
from importlib.resources import files

import pytest

from totalplace import reference
from totalplace.reference import (
    UnknownAreaError,
    area_name,
    areas_for_lad,
    expand_area,
    find_area,
    population,
)

HYNDBURN = "E07000120"
BLACKBURN_WITH_DARWEN = "E06000008"
BLACKPOOL = "E06000009"
LANCASHIRE_COUNTY = "E10000017"
LANCASHIRE_PFA = "E23000003"
LANCASHIRE_FRA = "E31000023"


def _shipped_rows(name: str) -> list[dict[str, str]]:
    resource = files("totalplace")
    for part in ("data", "reference", name):
        resource = resource.joinpath(part)
    return list(csv.DictReader(io.StringIO(resource.read_text(encoding="utf-8"), newline="")))


# --- shipped files -------------------------------------------------------------------


def test_shipped_csvs_are_found_and_have_expected_shape() -> None:
    pop = _shipped_rows("population_lad.csv")
    areas = _shipped_rows("lad_areas.csv")
    assert list(pop[0]) == ["area_code", "area_name", "year", "population"]
    assert list(areas[0]) == [
        "lad_code",
        "lad_name",
        "county_code",
        "county_name",
        "police_force_code",
        "police_force_name",
        "fire_authority_code",
        "fire_authority_name",
    ]
    assert len(pop) == 5250  # 350 districts x 2010..2024
    assert len({r["area_code"] for r in pop}) == 350
    assert len(areas) == len({r["lad_code"] for r in areas}) == 389
    assert all(r["population"].isdigit() and r["year"].isdigit() for r in pop)


# --- population ----------------------------------------------------------------------


def test_hyndburn_population_from_real_file() -> None:
    assert population(HYNDBURN, 2024) == (86058, 2024)
    assert population(HYNDBURN, 2022) == (83398, 2022)


def test_population_year_fallbacks() -> None:
    assert population(HYNDBURN) == (86058, 2024)  # latest
    assert population(HYNDBURN, 2030) == (86058, 2024)  # latest year <= 2030
    assert population(HYNDBURN, 2000) == (86058, 2024)  # before all data: latest
    assert population(" e07000120 ", 2010) == (80876, 2010)  # code normalised


def test_population_unknown_code_raises_keyerror_naming_code() -> None:
    with pytest.raises(KeyError) as err:
        population("E07999999")
    assert "E07999999" in str(err.value)


def test_population_of_non_district_points_to_expand_area() -> None:
    with pytest.raises(KeyError, match=r"E10000017 \(Lancashire\).*expand_area"):
        population(LANCASHIRE_COUNTY)


def test_population_of_abolished_district_is_reported() -> None:
    # Eden (Cumbria) was abolished in 2023: in the 2019 lookups, not in the populations.
    with pytest.raises(UnknownAreaError, match="E07000030"):
        population("E07000030")


def test_lancashire_pfa_district_populations_all_positive() -> None:
    lads = expand_area(LANCASHIRE_PFA)
    pops = {lad: population(lad, 2024) for lad in lads}
    assert len(pops) == 14
    assert all(value > 0 and year == 2024 for value, year in pops.values())
    # Sum is that of a real police force area of about 1.6m people.
    assert 1_500_000 < sum(value for value, _ in pops.values()) < 1_700_000


# --- expand_area ---------------------------------------------------------------------


def test_expand_lancashire_police_force_area() -> None:
    lads = expand_area(LANCASHIRE_PFA)
    assert len(lads) == 14
    assert lads == sorted(lads)
    assert {HYNDBURN, BLACKBURN_WITH_DARWEN, BLACKPOOL} <= set(lads)


def test_expand_lancashire_county_excludes_unitaries() -> None:
    lads = expand_area(LANCASHIRE_COUNTY)
    assert len(lads) == 12
    assert HYNDBURN in lads
    assert BLACKBURN_WITH_DARWEN not in lads and BLACKPOOL not in lads
    # The county's districts are the police force area less the two unitaries.
    assert set(lads) == set(expand_area(LANCASHIRE_PFA)) - {BLACKBURN_WITH_DARWEN, BLACKPOOL}


def test_expand_lancashire_fire_authority_matches_police_force_area() -> None:
    assert expand_area(LANCASHIRE_FRA) == expand_area(LANCASHIRE_PFA)


def test_expand_district_returns_itself() -> None:
    assert expand_area(HYNDBURN) == [HYNDBURN]
    assert expand_area("e07000120") == [HYNDBURN]
    assert expand_area("E06000065") == ["E06000065"]  # North Yorkshire (2023 unitary)


def test_expand_unknown_code_raises_valueerror_naming_code() -> None:
    with pytest.raises(ValueError) as err:
        expand_area("E23999999")
    assert "E23999999" in str(err.value)


def test_expand_east_suffolk_counted_once() -> None:
    # The police lookup lists East Suffolk once per community safety partnership.
    suffolk = expand_area(areas_for_lad("E07000244")["police_force_code"])
    assert suffolk.count("E07000244") == 1


# --- areas_for_lad / area_name / find_area -------------------------------------------


def test_hyndburn_areas_are_lancashire() -> None:
    assert areas_for_lad(HYNDBURN) == {
        "county_code": LANCASHIRE_COUNTY,
        "police_force_code": LANCASHIRE_PFA,
        "fire_authority_code": LANCASHIRE_FRA,
    }
    assert area_name(areas_for_lad(HYNDBURN)["fire_authority_code"]) == "Lancashire"


def test_unitary_has_no_county() -> None:
    areas = areas_for_lad(BLACKPOOL)
    assert areas["county_code"] == ""
    assert areas["police_force_code"] == LANCASHIRE_PFA
    assert areas["fire_authority_code"] == LANCASHIRE_FRA


def test_areas_for_unknown_lad_raises() -> None:
    with pytest.raises(KeyError, match="E07999999"):
        areas_for_lad("E07999999")


def test_area_names_across_kinds() -> None:
    assert area_name(HYNDBURN) == "Hyndburn"
    assert area_name(BLACKBURN_WITH_DARWEN) == "Blackburn with Darwen"
    assert area_name(LANCASHIRE_COUNTY) == "Lancashire"
    assert area_name(LANCASHIRE_PFA) == "Lancashire"
    assert area_name(LANCASHIRE_FRA) == "Lancashire"
    assert area_name("E23000001") == "Metropolitan Police"
    assert area_name("W06000016") == "Rhondda Cynon Taf"  # ONS spelling wins


def test_area_name_unknown_raises_naming_code() -> None:
    with pytest.raises(KeyError) as err:
        area_name("X99")
    assert "X99" in str(err.value)
    assert isinstance(err.value, ValueError)  # UnknownAreaError is both


def test_find_area_case_insensitive() -> None:
    hits = find_area("LANCASHIRE")
    assert hits[:3] == [
        (LANCASHIRE_COUNTY, "Lancashire"),
        (LANCASHIRE_PFA, "Lancashire"),
        (LANCASHIRE_FRA, "Lancashire"),
    ]
    assert ("E07000127", "West Lancashire") in hits
    assert find_area("hyndburn") == [(HYNDBURN, "Hyndburn")]
    assert find_area("   ") == []
    assert find_area("no such place") == []


def test_every_group_expands_to_known_districts() -> None:
    for row in _shipped_rows("lad_areas.csv"):
        for col in ("county_code", "police_force_code", "fire_authority_code"):
            if row[col]:
                assert row["lad_code"] in expand_area(row[col])
    assert reference.__doc__


# --- one package ---------------------------------------------------------------------


def test_shipped_tables_read_as_arrow_from_parquet_and_csv() -> None:
    from totalplace.reference.shipped import shipped, shipped_bytes

    lsoa = shipped("needs_lsoa.parquet")
    assert {"lsoa_code", "ward_code", "lad_code", "population", "imd_rank"} <= set(
        lsoa.column_names
    )
    deprivation = shipped("needs_district_deprivation.csv")
    assert set(deprivation.column("edition").to_pylist()) == {2019, 2025}
    assert shipped_bytes("population_lad.csv").startswith(b"area_code")


def test_the_old_reference_and_store_modules_are_gone() -> None:
    # One reference package: no second ``reference`` or ``store`` module beside it.
    for name in ("totalplace.needs.reference", "totalplace.needs.store", "totalplace.allocate"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(name)


def test_looking_up_an_area_loads_neither_arrow_nor_duckdb() -> None:
    # Every command opens a workspace, which looks areas up: that must stay light.
    code = (
        "import sys; from totalplace import reference; reference.population('E07000120', 2024); "
        "print(sorted(m for m in ('pyarrow', 'duckdb', 'ibis') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
