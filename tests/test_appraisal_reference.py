"""The shipped appraisal parameters, checked against the published figures they come from.

Expected values are read off the sources by hand: the Green Book schedule (3.5% to year 30,
3.0% to 75 ...; health 1.5%), the HM Treasury GDP deflator (2008 = 66.89, 2013 = 73.4795,
2024 = 100), the Mott MacDonald 2002 Table 2 upper bounds, the Additionality Guide defaults,
and the Unit Cost Database values listed in domain.md section 6.3.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.errors import BadInputError, UsageError
from totalplace.reference.appraisal import (
    AppraisalDataError,
    PriceYearError,
    additionality_defaults,
    capital_optimism_bias,
    confidence_bias,
    confidence_grades,
    discount_schedule,
    gdp_deflator,
    price_year,
    shipped_appraisal_bytes,
)
from totalplace.reference.unit_costs import (
    UNIT_COST_SHEETS,
    UnknownUnitCostError,
    unit_cost,
    unit_costs,
)

# -- discount schedule -------------------------------------------------------------------


def test_standard_schedule_is_the_green_book_declining_rate() -> None:
    bands = discount_schedule()
    # Green Book Annex A6: 3.5% years 0-30, 3.0% 31-75, 2.5% 76-125, 2.0% 126-200,
    # 1.5% 201-300, 1.0% beyond.
    assert [(b.year_from, b.year_to, b.rate) for b in bands] == [
        (0, 30, 0.035),
        (31, 75, 0.030),
        (76, 125, 0.025),
        (126, 200, 0.020),
        (201, 300, 0.015),
        (301, None, 0.010),
    ]
    assert all("Green Book" in b.source for b in bands)


def test_health_schedule_starts_at_one_and_a_half_per_cent() -> None:
    assert discount_schedule("health")[0].rate == 0.015  # Green Book: 1.5% for risk-to-life values
    assert discount_schedule("catastrophic")[0].rate == 0.030


def test_unknown_discount_variant_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="standard, health, catastrophic"):
        discount_schedule("social")


def test_a_schedule_with_a_gap_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "stpr.csv"
    bad.write_text("year_from,year_to,standard\n0,30,0.035\n40,75,0.03\n")
    with pytest.raises(AppraisalDataError, match=r"stpr.csv, line 3: band starts at 40"):
        discount_schedule("standard", bad)


# -- GDP deflator ------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["2013/14", "2013-14", "2013/2014", "FY2013-14", "2013", 2013])
def test_every_spelling_of_a_price_year_takes_its_start_year(spelling: str | int) -> None:
    # the rule: financial year April Y - March Y+1 takes calendar year Y (nine months of twelve)
    assert price_year(spelling) == 2013
    assert gdp_deflator().index(spelling) == 73.4795  # gdp_deflator.csv, 2013


def test_uplift_of_domestic_violence_cost_to_2024_25_prices() -> None:
    # CR2.0: 2,470 at 2008/09 prices. Index 2008 = 66.89, 2024 = 100:
    # 2,470 x 100 / 66.89 = 3,692.63 (66.89 x 36.9263 = 2,470.00).
    factor = gdp_deflator().factor("2008/09", "2024-25")
    assert round(2470 * factor, 2) == 3692.63


def test_deflator_factor_is_one_within_a_year_and_inverts() -> None:
    deflator = gdp_deflator()
    assert deflator.factor("2013/14", 2013) == 1.0
    # 2013 -> 2020: 85.2137 / 73.4795 = 1.159693...
    assert deflator.factor(2013, 2020) == pytest.approx(85.2137 / 73.4795)
    assert deflator.factor(2013, 2020) * deflator.factor(2020, 2013) == pytest.approx(1.0)


@pytest.mark.parametrize("year", ["1989/90", "2025-26", 2030])
def test_price_year_outside_the_series_names_the_range(year: str | int) -> None:
    with pytest.raises(
        PriceYearError, match=r"covers 1990 to 2024 \(financial years 1990-91 to 2024-25\)"
    ):
        gdp_deflator().index(year)


@pytest.mark.parametrize("bad", ["next year", "13/14", "2013-15", ""])
def test_a_price_year_that_is_not_a_year_says_how_to_write_one(bad: str) -> None:
    with pytest.raises(PriceYearError, match="like 2013/14"):
        price_year(bad)


def test_a_longer_user_series_extends_the_range(tmp_path: Path) -> None:
    series = tmp_path / "deflator.csv"
    series.write_text("year,value\n2024,100\n2025,103\n")
    # 2024-25 -> 2025-26 at 103 / 100
    assert gdp_deflator(series).factor("2024-25", "2025-26") == pytest.approx(1.03)


def test_a_series_with_a_gap_is_refused(tmp_path: Path) -> None:
    series = tmp_path / "deflator.csv"
    series.write_text("year,value\n2020,90\n2022,95\n")
    with pytest.raises(AppraisalDataError, match="no gaps"):
        gdp_deflator(series)


# -- optimism bias -----------------------------------------------------------------------


def test_capital_optimism_bias_is_mott_macdonald_table_2() -> None:
    bounds = capital_optimism_bias()
    # Table 2 upper bounds (duration, capex): standard buildings 4%, 24%; non-standard
    # buildings 39%, 51%; standard civil 20%, 44%; non-standard civil 25%, 66%;
    # equipment/development 54%, 200%; outsourcing only opex, 41%.
    assert {k: (v.duration_upper, v.capex_upper, v.opex_upper) for k, v in bounds.items()} == {
        "standard_buildings": (0.04, 0.24, None),
        "non_standard_buildings": (0.39, 0.51, None),
        "standard_civil_engineering": (0.20, 0.44, None),
        "non_standard_civil_engineering": (0.25, 0.66, None),
        "equipment_development": (0.54, 2.00, None),
        "outsourcing": (None, None, 0.41),
    }


def test_shipped_greenbook_table_agrees_except_the_documented_outsourcing_row() -> None:
    rows = csv.DictReader(io.StringIO(shipped_appraisal_bytes("optimism_bias.csv").decode()))
    bounds = capital_optimism_bias()
    for row in rows:
        if row["category"] == "outsourcing":
            continue  # the CSV puts the 41% opex bound under capex; see optimism_bias.toml
        assert bounds[row["category"]].capex_upper == float(row["capex_upper"])
        assert bounds[row["category"]].duration_upper == float(row["duration_upper"])


def test_confidence_grades_run_from_nothing_to_forty_per_cent_and_are_marked_unverified() -> None:
    grades = confidence_grades()
    assert sorted(grades) == [1, 2, 3, 4, 5, 6]
    assert confidence_bias(1) == 0.0 and confidence_bias(6) == 0.40  # domain.md 6.2
    corrections = [grades[g].correction for g in range(1, 7)]
    assert corrections == sorted(corrections)
    assert all("[U]" in g.status for g in grades.values())


def test_unknown_confidence_grade_names_the_range() -> None:
    with pytest.raises(UsageError, match="grades run 1 .* to 6"):
        confidence_bias(7)


def test_a_user_file_overrides_the_grades(tmp_path: Path) -> None:
    mine = tmp_path / "ob.toml"
    mine.write_text(
        "[capital]\n[confidence_grades]\n[[confidence_grades.grade]]\ngrade = 1\ncorrection = 0.02\n"
    )
    assert confidence_bias(1, mine) == 0.02


# -- additionality -----------------------------------------------------------------------


def test_additionality_defaults_are_the_guide_central_values() -> None:
    standard = additionality_defaults()
    # standard: deadweight 20%, displacement 25%, leakage 10%, substitution 0, no multiplier
    assert (standard.deadweight, standard.displacement, standard.leakage) == (0.2, 0.25, 0.1)
    assert (standard.substitution, standard.multiplier) == (0.0, 1.0)
    conservative = additionality_defaults("conservative")
    assert (conservative.deadweight, conservative.substitution) == (0.35, 0.05)
    assert "Additionality Guide" in standard.source


def test_unknown_additionality_level_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="conservative, optimistic, standard"):
        additionality_defaults("central")


# -- unit costs --------------------------------------------------------------------------

# domain.md 6.3: code -> (fiscal value, price year)
DOMAIN_TABLE = {
    "SS1.0": (51080, "2013-14"),
    "SS2.0": (700, "2013-14"),
    "SS3.0": (2995, "2013-14"),
    "HE4.0": (109, "2011-12"),
    "HE4.1": (147, "2011-12"),
    "HE4.2": (95, "2011-12"),
    "HE7.0": (1807, "2013-14"),
    "HE20.2": (38, "2013-14"),
    "HE3.0": (216, "2013-14"),
    "CR7.0": (593, "2006-07"),
    "CR7.1": (285, "2006-07"),
    "CR8.0": (609, "2010-11"),
    "CR2.0": (2470, "2008-09"),
    "CR3.0": (33785, "2013-14"),
    "E&E1.0": (9800, "2012-13"),
    "E&E2.0": (8632, "2012-13"),
    "E&E10.0": (4257, "2010-11"),
    "HO3.0": (2501, "2010-11"),
    "HO6.0": (7900, "2010-11"),
    "E&S2.0": (9219, "2005-06"),
    "SS6.0": (1515, "2010-11"),
}


@pytest.mark.parametrize(("code", "expected"), DOMAIN_TABLE.items())
def test_unit_costs_match_the_domain_table(code: str, expected: tuple[int, str]) -> None:
    entry = unit_cost(code)
    assert (entry.fiscal, entry.fiscal_year) == expected


def test_domestic_violence_keeps_fiscal_economic_and_social_apart() -> None:
    entry = unit_cost("CR2.0")
    # workbook Crime row 12: fiscal 2,470, economic 1,473, social 6,795, all 2008/09
    assert (entry.economic, entry.social) == (1473, 6795)
    assert (entry.economic_year, entry.social_year) == ("2008-09", "2008-09")
    assert (entry.sheet, entry.row, entry.unit, entry.agency) == (
        "Crime",
        12,
        "Per incident",
        "Multiple",
    )


def test_jsa_claimant_agency_is_dwp() -> None:
    entry = unit_cost("E&E1.0")
    assert (entry.agency, entry.agency_detail) == ("Multiple", "DWP")


def test_every_sheet_loads_and_the_count_is_plausible() -> None:
    table = unit_costs()
    sheets = {entry.sheet for entry in table.values()}
    assert sheets == set(UNIT_COST_SHEETS)
    # "more than 800" estimates counting values (S55); the transcription holds 674 entries
    assert 674 <= len(table) <= 800
    assert all(entry.code == entry.code.strip() and entry.code for entry in table.values())
    assert all("\n" not in entry.description for entry in table.values())


def test_the_workbooks_own_uplift_is_one_factor_per_price_year() -> None:
    # The "Updated" column is estimate x GDP(2015/16) / GDP(year) from the workbook's
    # March 2015 lookup: for 2008/09, 195.9697 / 170.6499 = 1.148373 (Lookups sheet).
    dv = unit_cost("CR2.0")
    assert dv.fiscal_updated is not None and dv.fiscal is not None
    assert dv.fiscal_updated / dv.fiscal == pytest.approx(195.9697 / 170.6499, rel=1e-6)
    ratios: dict[str, set[float]] = {}
    for entry in unit_costs().values():
        if entry.fiscal and entry.fiscal_updated and entry.fiscal_year:
            ratios.setdefault(entry.fiscal_year, set()).add(
                round(entry.fiscal_updated / entry.fiscal, 6)
            )
    assert all(len(seen) == 1 for seen in ratios.values()), ratios


@given(st.sampled_from(sorted(DOMAIN_TABLE)), st.sampled_from(["lower", "spaces", "as is"]))
def test_codes_are_found_whatever_their_case_or_spacing(code: str, how: str) -> None:
    spelt = {"lower": code.lower(), "spaces": f"  {code} ", "as is": code}[how]
    assert unit_cost(spelt).code == code


def test_unknown_code_names_the_closest_known_codes() -> None:
    with pytest.raises(
        UnknownUnitCostError, match=r"no unit cost 'SS1\.9'.*closest are .*SS1\."
    ) as caught:
        unit_cost("SS1.9")
    assert isinstance(caught.value, BadInputError)


def test_a_workbook_that_is_not_the_database_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "ucd.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(AppraisalDataError, match="ucd.xlsx: cannot open it as a workbook"):
        unit_costs(bad)


def test_most_codes_agree_with_the_json_transcription(realdata: Path) -> None:
    transcription = json.loads(
        (realdata / "reference/appraisal/gmca-unit-costs-full.json").read_text()
    )
    table = unit_costs()
    agree = total = 0
    for category in transcription["categories"].values():
        for row in category["entries"]:
            total += 1
            entry = table.get(str(row["code"]).strip())
            if entry and entry.fiscal is not None and row.get("cost_gbp") is not None:
                same_value = abs(entry.fiscal - float(row["cost_gbp"])) < 0.01
                same_year = entry.fiscal_year == row["source_detail"].replace("/", "-")
                agree += same_value and same_year
    assert total == 674  # its own total_entries
    assert agree / total > 0.9  # the transcription has some corrupted rows, not many
