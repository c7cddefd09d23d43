"""A place of any shape: its districts, wards, population and share of a partner's area.

Every expected figure is computed here from the shipped reference CSVs and parquet
themselves (population_lad.csv, lad_areas.csv, needs_lsoa.parquet), independently of
the code under test.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib.resources import files

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from totalplace import extent
from totalplace.count.apportion import partner_share, place_population
from totalplace.workspace import Partner, Place

DATA = files("totalplace").joinpath("data").joinpath("reference")
GREATER_MANCHESTER = "E11000001"
TYNE_AND_WEAR = "E11000007"
LANCASHIRE = "E10000017"
LANCASHIRE_POLICE = "E23000003"
NORTHUMBRIA_POLICE = "E23000007"
NEWCASTLE = "E08000021"
GATESHEAD = "E08000037"
DURHAM = "E06000047"
THREE_WARDS = ("E05001089", "E05001090", "E05001091")  # of Newcastle, December 2017


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(DATA.joinpath(name).read_text(encoding="utf-8").splitlines()))


def _population(code: str, year: int) -> int:
    return next(
        int(r["population"])
        for r in _rows("population_lad.csv")
        if r["area_code"] == code and int(r["year"]) == year
    )


def _members(column: str, code: str) -> list[str]:
    return sorted(r["lad_code"] for r in _rows("lad_areas.csv") if r[column] == code)


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("1e-15"), ROUND_HALF_UP)


def test_a_combined_authority_area_is_the_sum_of_its_districts():
    districts = _members("county_code", GREATER_MANCHESTER)
    assert len(districts) == 10
    place = Place(GREATER_MANCHESTER, "Greater Manchester", 2024)
    assert extent.extent(place).districts == tuple(districts)
    expected = sum(_population(d, 2024) for d in districts)
    assert place_population(place, 2024) == (expected, 2024)


def test_a_place_of_listed_areas_is_their_union_with_no_district_twice():
    # Newcastle twice (itself, and by Tyne and Wear) and Durham: 5 + 1 districts.
    place = Place("X", "North East core", 2019, areas=(TYNE_AND_WEAR, NEWCASTLE, DURHAM))
    districts = sorted({*_members("county_code", TYNE_AND_WEAR), DURHAM})
    assert extent.extent(place).districts == tuple(districts)
    assert place_population(place, 2019)[0] == sum(_population(d, 2019) for d in districts)


def test_a_partner_inside_the_place_is_counted_in_full():
    place = Place(TYNE_AND_WEAR, "Tyne and Wear", 2019)
    gateshead = Partner("Gateshead Council", "unitary_council", (GATESHEAD,))
    share = partner_share(place, gateshead, 2019)
    assert (share.share, share.method) == (Decimal(1), "actual")
    assert "inside Tyne and Wear" in share.driver


def test_a_partner_covering_the_place_and_more_is_apportioned_by_population():
    place = Place(LANCASHIRE, "Lancashire", 2024)
    police = Partner("Lancashire Police", "police", (LANCASHIRE_POLICE,))
    county = _members("county_code", LANCASHIRE)
    force = _members("police_force_code", LANCASHIRE_POLICE)
    assert set(county) < set(force)  # Blackburn and Blackpool are unitaries outside the county
    expected = _share(
        sum(_population(d, 2024) for d in county), sum(_population(d, 2024) for d in force)
    )
    share = partner_share(place, police, 2024)
    assert (share.share, share.method) == (expected, "apportioned")


def test_a_partner_covering_part_of_the_place_and_more_counts_its_part():
    # Newcastle is in Northumbria's force area, Durham is not.
    place = Place("X", "Newcastle and Durham", 2019, areas=(NEWCASTLE, DURHAM))
    police = Partner("Northumbria Police", "police", (NORTHUMBRIA_POLICE,))
    force = _members("police_force_code", NORTHUMBRIA_POLICE)
    assert NEWCASTLE in force and DURHAM not in force
    expected = _share(_population(NEWCASTLE, 2019), sum(_population(d, 2019) for d in force))
    share = partner_share(place, police, 2019)
    assert (share.share, share.method) == (expected, "apportioned")
    assert "the part of Newcastle and Durham in its area" in share.driver


def test_a_partner_outside_the_place_counts_nothing():
    place = Place(LANCASHIRE, "Lancashire", 2024)
    share = partner_share(
        place, Partner("Gateshead Council", "unitary_council", (GATESHEAD,)), 2024
    )
    assert (share.share, share.method) == (Decimal(0), "outside the place")


def _ward_populations(district: str) -> dict[str, int]:
    table = pq.read_table(
        DATA.joinpath("needs_lsoa.parquet").open("rb"),
        columns=["lad_code", "ward_code", "population"],
    )
    table = table.filter(pc.equal(table["lad_code"], district))
    out: dict[str, int] = {}
    for row in table.to_pylist():
        out[row["ward_code"]] = out.get(row["ward_code"], 0) + row["population"]
    return out


def test_three_wards_have_their_share_of_the_district_population():
    place = Place(NEWCASTLE, "Three wards", 2019, areas=THREE_WARDS)
    where = extent.extent(place)
    assert where.districts == (NEWCASTLE,) and where.wards == THREE_WARDS
    wards = _ward_populations(NEWCASTLE)
    district = _population(NEWCASTLE, 2019)
    exact = Decimal(district) * sum(wards[w] for w in THREE_WARDS) / sum(wards.values())
    people, year = place_population(place, 2019)
    # Each ward gets its quota rounded by largest remainder: within one person of it each.
    assert year == 2019 and abs(people - exact) < 3
    newcastle = Partner("Newcastle City Council", "unitary_council", (NEWCASTLE,))
    share = partner_share(place, newcastle, 2019)
    assert (share.share, share.method) == (_share(people, district), "apportioned")


def test_every_ward_of_a_district_adds_up_to_the_district_exactly():
    wards = tuple(_ward_populations(NEWCASTLE))
    place = Place(NEWCASTLE, "All of Newcastle's wards", 2019, areas=wards)
    assert extent.population(extent.extent(place), 2019)[0] == _population(NEWCASTLE, 2019)


def test_a_district_named_whole_wins_over_some_of_its_wards():
    place = Place(NEWCASTLE, "Newcastle", 2019, areas=(NEWCASTLE, THREE_WARDS[0]))
    where = extent.extent(place)
    assert where.single_district == NEWCASTLE and where.wards == ()


def test_a_single_district_place_is_its_own_district():
    where = extent.extent(Place("E07000120", "Hyndburn", 2024))
    assert where.single_district == "E07000120" and where.is_whole("E07000120")


def test_a_wards_fraction_of_a_district_is_exact():
    place = Place(NEWCASTLE, "Three wards", 2019, areas=THREE_WARDS)
    wards = _ward_populations(NEWCASTLE)
    expected = Fraction(sum(wards[w] for w in THREE_WARDS), sum(wards.values()))
    assert extent.fraction(extent.extent(place), NEWCASTLE) == expected
    assert extent.fraction(extent.extent(place), GATESHEAD) == 0


def test_wards_without_figures_are_an_error_that_says_what_to_do():
    where = extent.Extent("X", "Nowhere wards", (NEWCASTLE,), ((NEWCASTLE, ("E05999999",)),))
    with pytest.raises(extent.PlaceAreaError, match="name whole districts"):
        extent.fraction(where, NEWCASTLE)
