"""Real terms by hand from the deflator table, part-year flags, and the cost-shunting monitor."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.errors import UsageError
from totalplace.reference.appraisal import gdp_deflator
from totalplace.trend import Thresholds, find_shunting, read_outturn_series
from totalplace.trend.build import trend_rows
from totalplace.trend.prices import real_terms
from totalplace.trend.series import Point, outturn_points


def _point(
    body: str, year: int, cash: str, months: int = 12, theme: str = "Culture and leisure"
) -> Point:
    return Point(
        source="ledger",
        body=body,
        body_name=body,
        level="theme",
        series=theme,
        theme=theme,
        fy_start_year=year,
        cash=Decimal(cash),
        population=80_000,
        months_loaded=months,
        months="Apr–Mar" if months == 12 else "Apr–Jan",
        place_share=Fraction(1),
        evidence=[f"{body} {year}"],
    )


def test_real_terms_by_hand_from_the_deflator_table():
    # gdp_deflator.csv: 2018 = 79.1606, 2024 = 100. 2018-19 takes calendar 2018.
    # £3,373,673.60 x 100 / 79.1606 = 4,261,809.0358... -> £4,261,809.04? by hand:
    # 3,373,673.60 / 0.791606 = 4,261,809.03 (4,261,809.0349 to four places)
    assert real_terms(Decimal("3373673.60"), 2018, 2024) == Decimal("4261809.03")
    # £1,000 of 2020-21 in 2017-18 prices: 1000 x 77.6367 / 85.2137 = 911.08 (911.0830...)
    assert real_terms(Decimal("1000"), 2020, 2017) == Decimal("911.08")
    # base year itself is unchanged
    assert real_terms(Decimal("123.45"), 2024, 2024) == Decimal("123.45")


def test_a_part_year_is_flagged_and_not_compared_unless_annualised():
    deflator = gdp_deflator()
    points = [_point("Fire", 2022, "806187.85", months=11), _point("Fire", 2023, "1313255.58")]
    rows, summaries = trend_rows(points, 2024, deflator)
    part, whole = rows
    assert not part["complete"] and "11 of 12 months" in part["flag"]
    assert whole["change_real"] is None and "part year" in whole["change_note"]
    assert summaries == []  # one whole year: nothing to compare over the period
    rows, summaries = trend_rows(points, 2024, deflator, annualise=True)
    part, whole = rows
    # 2022-23 real: 806,187.85 x 100 / 90.5005 = 890,810.38; annualised x 12/11 = 971,793.14
    assert part["real"] == Decimal("890810.38")
    assert part["annualised_real"] == Decimal("971793.14")
    assert "x 12 / 11" in part["annualised_how"]
    # 2023-24 real: 1,313,255.58 x 100 / 96.2507 = 1,364,411.46; change 1,364,411.46 - 971,793.14
    assert whole["real"] == Decimal("1364411.46")
    assert whole["change_real"] == Decimal("392618.32")
    assert "annualised" in whole["change_note"]
    assert summaries[0]["uses_annualised"]


def test_shunting_is_found_on_a_constructed_two_partner_series():
    # in 2020-21 -> 2021-22 body A falls by £200k (cash, same prices after deflating
    # both years alike is not the case: so build the cash to give exact real moves)
    deflator = gdp_deflator()
    a20, b20 = Decimal("1000000"), Decimal("500000")
    # next year's cash = this year's real level x index(2021)/index(2024), so the real
    # fall of A is exactly £200,000 and the rise of B exactly £180,000 (ratio 0.9)
    a20_real = real_terms(a20, 2020, 2024, deflator)
    b20_real = real_terms(b20, 2020, 2024, deflator)
    to_2021 = Fraction(Decimal("85.6358")) / 100
    a21 = Fraction(a20_real - Decimal("200000")) * to_2021
    b21 = Fraction(b20_real + Decimal("180000")) * to_2021
    points = [
        _point("A", 2020, str(a20)),
        _point("A", 2021, str(Decimal(a21.numerator) / Decimal(a21.denominator))),
        _point("B", 2020, str(b20)),
        _point("B", 2021, str(Decimal(b21.numerator) / Decimal(b21.denominator))),
    ]
    found = find_shunting(points, 2024)
    (finding,) = found["findings"]
    assert finding["falling"] == "A" and finding["rising"] == "B"
    assert Decimal(finding["fall"]) == Decimal("200000.00")
    assert Decimal(finding["rise"]) == Decimal("180000.00")
    assert Decimal(finding["ratio"]) == Decimal("0.90")  # 180,000 / 200,000
    assert "not proof" in found["caveat"]
    assert finding["evidence"] == ["A 2020", "A 2021", "B 2020", "B 2021"]


@settings(max_examples=40, deadline=None)
@given(
    before=st.integers(200_000, 5_000_000),
    fall_pct=st.integers(6, 60),
    other=st.integers(100_000, 5_000_000),
    other_change=st.integers(-300_000, 0),
)
def test_no_shunting_without_a_compensating_rise(before, fall_pct, other, other_change):
    # same cash in the same year's prices (2024): A falls, B flat or falls too
    after = before * (100 - fall_pct) // 100
    points = [
        _point("A", 2023, str(before)),
        _point("A", 2024, str(after)),
        _point("B", 2023, str(other)),
        _point("B", 2024, str(max(other + other_change, 0))),
    ]
    # both years deflated to 2024: B never rises in real terms only if its cash rise is
    # below inflation 2023->2024 (96.2507 -> 100): a flat cash B falls in real terms
    assert find_shunting(points, 2024)["findings"] == []


def test_thresholds_are_checked():
    with pytest.raises(UsageError):
        Thresholds(ratio_low=Decimal(3), ratio_high=Decimal(2)).check()
    with pytest.raises(UsageError):
        Thresholds(min_fall_share=Decimal("1.5")).check()


def test_shunting_on_the_real_hyndburn_and_lancashire_series(realdata: Path):
    trends = realdata / "finance_returns" / "lancashire_trends"
    table = read_outturn_series(
        [
            trends / "hyndburn" / "revenue_trends.json",
            trends / "lancashire_cc" / "revenue_trends.json",
        ]
    )
    points = outturn_points(table, "E07000120")
    found = find_shunting(points, 2024)
    seen = {(f["theme"], f["financial_year"], f["falling"], f["rising"]) for f in found["findings"]}
    # LCC culture (RS 509) 2023-24 -> 2024-25: £24,613k -> £23,653k cash; in 2024-25 prices
    # 24,613,000 x 100 / 96.2507 = 25,571,762.08 -> fall 1,918,762.08 county-wide (7.5%),
    # times Hyndburn's population share of Lancashire's 12 districts (~6.65%) = ~£128k;
    # Hyndburn culture £3,556k -> £3,821k cash: 3,556,000 / 0.962507 = 3,694,518.59 ->
    # rise 126,481.41, ratio ~0.99: inside 0.5-2.
    assert ("Culture and leisure", "2024-25", "Lancashire CC", "Hyndburn") in seen
    culture = next(f for f in found["findings"] if f["theme"] == "Culture and leisure")
    assert Decimal(culture["rise"]) == Decimal("126481.41")
    assert any("Cultural Services" in e for e in culture["evidence"])
    assert found["bodies_left_out"] == []
