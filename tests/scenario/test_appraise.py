"""The Green Book arithmetic, each answer worked by hand in the comment beside it.

Discount factors used below (3.5%): DF_1 = 1/1.035 = 0.9661835749,
DF_2 = 1/1.071225 = 0.9335107003, DF_3 = 1/1.108717875 = 0.9019427056,
DF_4 = 1/1.147523001 = 0.8714422277.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from totalplace.reference.appraisal import DiscountBand, discount_schedule
from totalplace.scenario.appraise import (
    KINDS,
    appraise,
    benefits_after_optimism_bias,
    by_agency,
    discount_factors,
    net_additional,
    present_values,
    to_money,
    with_optimism_bias,
)

DF1, DF2, DF3, DF4 = 0.9661835749, 0.9335107003, 0.9019427056, 0.8714422277

# -- discounting -------------------------------------------------------------------------


def test_a_thousand_pounds_in_year_ten_is_worth_708_92() -> None:
    # 1.035^10 = 1.4105987606; 1000 / 1.4105987606 = 708.9188 -> 708.92 (Green Book check value)
    assert to_money(1000 * discount_factors(11)[10]) == Decimal("708.92")


def test_a_thousand_pounds_in_year_one_is_worth_966_18() -> None:
    # 1000 / 1.035 = 966.1836 -> 966.18
    assert to_money(1000 * discount_factors(2)[1]) == Decimal("966.18")


def test_year_zero_is_not_discounted() -> None:
    assert discount_factors(1).tolist() == [1.0]


def test_the_schedule_steps_down_to_three_per_cent_at_year_31() -> None:
    factors = discount_factors(80)
    # 1.035^10 = 1.41059876; ^20 = 1.98978886; ^30 = 1.98978886 x 1.41059876 = 2.80679376
    # DF_30 = 1 / 2.80679376 = 0.356278; DF_31 = DF_30 / 1.03 = 0.345901
    assert factors[30] == pytest.approx(0.356278, abs=1e-6)
    assert factors[31] == pytest.approx(0.345901, abs=1e-6)
    assert factors[30] / factors[29] == pytest.approx(1 / 1.035)
    assert factors[31] / factors[30] == pytest.approx(1 / 1.03)
    assert factors[75] / factors[74] == pytest.approx(1 / 1.03)
    assert factors[76] / factors[75] == pytest.approx(1 / 1.025)  # the next band starts at 76


def test_health_schedule_discounts_at_one_and_a_half_per_cent() -> None:
    factors = discount_factors(11, discount_schedule("health"))
    # 1.015^10 = 1.1605408; 1000 / 1.1605408 = 861.67
    assert to_money(1000 * factors[10]) == Decimal("861.67")


@given(st.floats(0.0, 0.2), st.integers(2, 40))
def test_a_flat_schedule_is_compound_discounting(rate: float, years: int) -> None:
    flat = (DiscountBand(0, None, rate, "test"),)
    expected = (1 + rate) ** -np.arange(years)
    np.testing.assert_allclose(discount_factors(years, flat), expected, rtol=1e-12)


@pytest.mark.parametrize("years", [0, -3, 2.5, True])
def test_a_horizon_must_be_a_whole_number_of_years(years: object) -> None:
    with pytest.raises(ValueError, match="whole number of years"):
        discount_factors(years)  # type: ignore[arg-type]


def test_present_values_sum_each_stream_over_years() -> None:
    amounts = np.array([[[100.0, 100.0, 100.0], [0.0, 0.0, 50.0]]])  # (1, 2, 3)
    # 100 (1 + 0.9661836 + 0.9335107) = 289.96943; 50 x 0.9335107 = 46.67554
    np.testing.assert_allclose(
        present_values(amounts, discount_factors(3)), [[289.96943, 46.67554]], atol=1e-5
    )


# -- additionality and optimism bias -----------------------------------------------------


def test_additionality_on_a_hand_example() -> None:
    # 100,000 x (1 - 0.2) x (1 - 0.25) x (1 - 0.1) = 100,000 x 0.8 x 0.75 x 0.9 = 54,000
    assert net_additional(100_000, 0.2, 0.25, 0.1) == pytest.approx(54_000)
    # with substitution 5% and a multiplier of 1.5: 54,000 x 0.95 x 1.5 = 76,950
    assert net_additional(100_000, 0.2, 0.25, 0.1, 0.05, 1.5) == pytest.approx(76_950)


def test_additionality_broadcasts_a_rate_per_draw_over_years() -> None:
    gross = np.array([[1000.0, 2000.0]])  # (1 draw row, 2 years)
    deadweight = np.array([[0.0], [0.5]])  # two draws
    # draw 0 keeps everything; draw 1 keeps half: 500, 1000
    np.testing.assert_allclose(net_additional(gross, deadweight), [[1000, 2000], [500, 1000]])


@given(
    st.floats(0, 1e9),
    *(st.floats(0, 1) for _ in range(4)),
    st.floats(0, 3),
)
def test_additionality_is_the_product_of_what_each_step_keeps(
    gross: float, dw: float, dp: float, lk: float, sb: float, mult: float
) -> None:
    expected = gross * (1 - dw) * (1 - dp) * (1 - lk) * (1 - sb) * mult
    assert net_additional(gross, dw, dp, lk, sb, mult) == pytest.approx(
        expected, rel=1e-12, abs=1e-6
    )


@pytest.mark.parametrize("rate", [-0.1, 1.2, float("nan")])
def test_a_rate_outside_nought_to_one_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="deadweight must be a proportion from 0 to 1"):
        net_additional(100, rate)


def test_optimism_bias_raises_costs_and_cuts_benefits() -> None:
    # standard buildings capex +24%: 200,000 x 1.24 = 248,000
    assert with_optimism_bias(200_000, 0.24) == pytest.approx(248_000)
    # grade 6 evidence, 40%: 50,000 x 0.6 = 30,000; grade 3, 10%: 45,000
    assert benefits_after_optimism_bias(50_000, 0.40) == pytest.approx(30_000)
    assert benefits_after_optimism_bias(50_000, 0.10) == pytest.approx(45_000)
    with pytest.raises(ValueError):
        with_optimism_bias(1, -0.1)
    with pytest.raises(ValueError):
        benefits_after_optimism_bias(1, 1.5)


# -- the measures ------------------------------------------------------------------------


def _stream(years: int, **by_year: float) -> list[float]:
    row = [0.0] * years
    for key, value in by_year.items():
        row[int(key[1:])] = value
    return row


def _worked_example() -> tuple[np.ndarray, list[str], list[str]]:
    """Three years: capital 1,000 at t0 and revenue 100 at t1, t2 (council); cashable 500 at
    t1, t2 (police); non-cashable 100 at t2 (NHS); economic 200 at t2 (DWP); social 50 at t1 (NHS)."""
    streams = [
        ("capital_cost", "Council", _stream(3, t0=1000)),
        ("revenue_cost", "Council", _stream(3, t1=100, t2=100)),
        ("fiscal_cashable", "Police", _stream(3, t1=500, t2=500)),
        ("fiscal_non_cashable", "NHS", _stream(3, t2=100)),
        ("economic", "DWP", _stream(3, t2=200)),
        ("social", "NHS", _stream(3, t1=50)),
    ]
    amounts = np.array([[values for _, _, values in streams]])
    return amounts, [k for k, _, _ in streams], [a for _, a, _ in streams]


def test_measures_on_a_worked_example() -> None:
    amounts, kinds, _ = _worked_example()
    m = appraise(amounts, kinds, discount_factors(3))
    # DF_1 + DF_2 = 1.8996942752
    # PV costs = 1,000 + 100 x 1.8996943 = 1,189.97
    # PV cashable = 500 x 1.8996943 = 949.85; non-cashable = 100 x DF_2 = 93.35; fiscal 1,043.20
    # PV economic = 200 x DF_2 = 186.70; social = 50 x DF_1 = 48.31
    # NPBI = 1,043.20 - 1,189.97 = -146.77; NPPV = 1,043.20 + 186.70 + 48.31 - 1,189.97 = 88.24
    # ROI = BCR fiscal = 1,043.198 / 1,189.969: 1,189.969 x 0.8766 = 1,043.127, + 0.071 / 1,189.969 -> 0.87666; BCR public value = 1,278.210 / 1,189.969 = 1.07415
    assert to_money(m.pv_costs[0]) == Decimal("1189.97")
    assert (to_money(m.pv_capital[0]), to_money(m.pv_revenue[0])) == (
        Decimal("1000.00"),
        Decimal("189.97"),
    )
    assert to_money(m.pv_cashable[0]) == Decimal("949.85")
    assert to_money(m.pv_non_cashable[0]) == Decimal("93.35")
    assert to_money(m.pv_fiscal[0]) == Decimal("1043.20")
    assert to_money(m.pv_economic[0]) == Decimal("186.70")
    assert to_money(m.pv_social[0]) == Decimal("48.31")
    assert to_money(m.npbi[0]) == Decimal("-146.77")
    assert to_money(m.nppv[0]) == Decimal("88.24")
    assert m.financial_roi[0] == pytest.approx(0.87666, abs=1e-5)
    assert m.bcr_fiscal[0] == pytest.approx(0.87666, abs=1e-5)
    assert m.bcr_public_value[0] == pytest.approx(1.07415, abs=1e-5)
    # net fiscal by year: -1,000; 400 x DF_1 = 386.47; 500 x DF_2 = 466.76 -> cumulative -146.77: no payback
    assert m.payback.tolist() == [-1]


def test_streams_by_kind_are_kept_discounted_and_not() -> None:
    amounts, kinds, _ = _worked_example()
    m = appraise(amounts, kinds, discount_factors(3))
    assert m.undiscounted.shape == (1, len(KINDS), 3)
    assert m.undiscounted[0, KINDS.index("revenue_cost")].tolist() == [0, 100, 100]
    # 100 x DF_1 = 96.618, 100 x DF_2 = 93.351
    np.testing.assert_allclose(
        m.discounted[0, KINDS.index("revenue_cost")], [0, 96.61836, 93.35107], atol=1e-5
    )


def test_two_streams_of_the_same_kind_add_up() -> None:
    amounts = np.array([[[10.0, 0.0], [5.0, 0.0]]])
    m = appraise(amounts, ["revenue_cost", "revenue_cost"], discount_factors(2))
    assert m.pv_costs.tolist() == [15.0]  # 10 + 5 at t0


def test_payback_with_discounting_comes_a_year_later() -> None:
    # cost 100 at t0, fiscal 34 a year from t1. Undiscounted: 34 x 3 = 102 >= 100 at t3.
    # Discounted: 34 x (0.96618 + 0.93351 + 0.90194) = 34 x 2.80164 = 95.26 < 100 at t3;
    # + 34 x 0.87144 = 29.63 -> 124.89 >= 100 at t4.
    amounts = np.array([[_stream(6, t0=100), [0, 34, 34, 34, 34, 34]]])
    m = appraise(amounts, ["capital_cost", "fiscal_cashable"], discount_factors(6))
    assert m.payback.tolist() == [4]


def test_payback_in_the_first_year_when_savings_start_at_once() -> None:
    # cost 100 at t0, fiscal 30 a year from t0: cumulative 30, 58.99, 86.99, 114.05 -> t3
    amounts = np.array([[_stream(5, t0=100), [30.0] * 5]])
    m = appraise(amounts, ["revenue_cost", "fiscal_non_cashable"], discount_factors(5))
    assert m.payback.tolist() == [3]


def test_no_payback_within_the_horizon_is_minus_one() -> None:
    # cost 100, fiscal 10 a year for 5 years: at most 50 back
    amounts = np.array([[_stream(5, t0=100), [10.0] * 5]])
    m = appraise(amounts, ["capital_cost", "fiscal_cashable"], discount_factors(5))
    assert m.payback.tolist() == [-1]


def test_an_exact_repayment_counts_as_paid_back() -> None:
    # undiscounted (rate 0): 100 at t0 repaid by 50 + 50 at t1, t2 -> t2
    flat = discount_factors(3, (DiscountBand(0, None, 0.0, "none"),))
    amounts = np.array([[_stream(3, t0=100), _stream(3, t1=50, t2=50)]])
    assert appraise(amounts, ["capital_cost", "fiscal_cashable"], flat).payback.tolist() == [2]


def test_ratios_are_nan_without_costs() -> None:
    amounts = np.array([[[0.0, 10.0]]])
    m = appraise(amounts, ["economic"], discount_factors(2))
    assert np.isnan(m.financial_roi[0]) and np.isnan(m.bcr_public_value[0])
    assert to_money(m.bcr_fiscal[0]) is None
    # NPPV = 10 x DF_1 = 9.66
    assert to_money(m.nppv[0]) == Decimal("9.66")


def test_two_draws_give_two_independent_answers() -> None:
    # draw 0: fiscal 34 a year (payback t4, as above); draw 1: fiscal 60 a year:
    # 60 x 0.96618 = 57.97; + 60 x 0.93351 = 113.98 >= 100 -> t2.
    amounts = np.array(
        [
            [_stream(6, t0=100), [0, 34, 34, 34, 34, 34]],
            [_stream(6, t0=100), [0, 60, 60, 60, 60, 60]],
        ]
    )
    m = appraise(amounts, ["capital_cost", "fiscal_cashable"], discount_factors(6))
    assert m.payback.tolist() == [4, 2]
    # PV fiscal, draw 1 = 60 x (DF_1..DF_5) = 60 x 4.5150524 = 270.90
    assert to_money(m.pv_fiscal[1]) == Decimal("270.90")
    assert m.pv_costs.tolist() == [100.0, 100.0]


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(np.float64, (3, 4, 5), elements=st.floats(-1e6, 1e6)),
    st.lists(st.sampled_from(KINDS), min_size=4, max_size=4),
)
def test_appraising_draws_together_equals_appraising_each_alone(
    amounts: np.ndarray, kinds: list[str]
) -> None:
    factors = discount_factors(5)
    together = appraise(amounts, kinds, factors)
    for d in range(3):
        alone = appraise(amounts[d : d + 1], kinds, factors)
        np.testing.assert_allclose(together.nppv[d], alone.nppv[0], rtol=1e-12, atol=1e-6)
        np.testing.assert_allclose(together.npbi[d], alone.npbi[0], rtol=1e-12, atol=1e-6)
        assert together.payback[d] == alone.payback[0]


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match=r"unknown stream kind\(s\) \['cashable'\]"):
        appraise(np.zeros((1, 1, 2)), ["cashable"], discount_factors(2))


def test_shapes_must_agree() -> None:
    with pytest.raises(ValueError, match="2 streams but 1 kinds"):
        appraise(np.zeros((1, 2, 3)), ["social"], discount_factors(3))
    with pytest.raises(ValueError, match="3 years"):
        appraise(np.zeros((1, 1, 3)), ["social"], discount_factors(4))
    with pytest.raises(ValueError, match=r"\(draws, streams, years\)"):
        appraise(np.zeros((1, 3)), ["social"], discount_factors(3))


# -- who pays, who benefits --------------------------------------------------------------


def test_present_values_per_agency() -> None:
    amounts, kinds, agencies = _worked_example()
    values = by_agency(amounts, kinds, agencies, discount_factors(3))
    assert values.agencies == ("Council", "Police", "NHS", "DWP")  # order of first appearance
    # Council pays 1,189.97 (above); police saves 949.85 cashable; NHS 93.35 non-cashable
    # and 48.31 social; DWP gains 186.70 economic
    assert [to_money(v) for v in values.pv_costs[0]] == [Decimal("1189.97"), 0, 0, 0]
    assert [to_money(v) for v in values.pv_cashable[0]] == [0, Decimal("949.85"), 0, 0]
    assert [to_money(v) for v in values.pv_fiscal[0]] == [0, Decimal("949.85"), Decimal("93.35"), 0]
    assert [to_money(v) for v in values.pv_social[0]] == [0, 0, Decimal("48.31"), 0]
    assert [to_money(v) for v in values.pv_economic[0]] == [0, 0, 0, Decimal("186.70")]
    # council's net budget position: -1,189.97; police +949.85
    assert [to_money(v) for v in values.net_fiscal[0]][:2] == [
        Decimal("-1189.97"),
        Decimal("949.85"),
    ]


def test_agency_totals_add_up_to_the_whole() -> None:
    amounts, kinds, agencies = _worked_example()
    factors = discount_factors(3)
    values, whole = by_agency(amounts, kinds, agencies, factors), appraise(amounts, kinds, factors)
    np.testing.assert_allclose(values.pv_costs.sum(axis=1), whole.pv_costs)
    np.testing.assert_allclose(values.pv_fiscal.sum(axis=1), whole.pv_fiscal)


def test_to_money_rounds_halves_away_from_zero() -> None:
    assert to_money(0.125) == Decimal("0.13")  # 0.125 is exact in binary
    assert to_money(-0.125) == Decimal("-0.13")
    assert to_money(float("inf")) is None
