"""Monte Carlo over ranges: seeded draws, their percentiles and means, and the tornado."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.errors import UsageError
from totalplace.scenario.uncertainty import (
    Range,
    centrals,
    draw,
    probability_ahead,
    summarise,
    tornado,
)

RANGES = [Range(0.0, 1.0, 2.0), Range(10.0, 12.0, 20.0), Range(-5.0, 0.0, 1.0)]


@pytest.mark.parametrize("distribution", ["triangular", "pert"])
def test_the_same_seed_gives_the_same_draws_and_another_seed_others(distribution):
    first = draw(RANGES, 1000, seed=42, distribution=distribution)
    assert first.shape == (1000, 3)
    assert np.array_equal(first, draw(RANGES, 1000, seed=42, distribution=distribution))
    assert not np.array_equal(first, draw(RANGES, 1000, seed=43, distribution=distribution))


def test_adding_an_input_leaves_the_earlier_triangular_columns_alone():
    assert np.array_equal(draw(RANGES[:2], 500, 7), draw(RANGES, 500, 7)[:, :2])


@pytest.mark.parametrize("distribution", ["triangular", "pert"])
def test_draws_stay_within_their_range_and_a_point_is_constant(distribution):
    ranges = [*RANGES, Range.point(3.5), Range(4.0, 4.0, 9.0), Range(1.0, 6.0, 6.0)]
    samples = draw(ranges, 5000, 1, distribution)
    low = np.array([r.low for r in ranges])
    high = np.array([r.high for r in ranges])
    assert np.all(samples >= low) and np.all(samples <= high)
    assert np.all(samples[:, 3] == 3.5)


@pytest.mark.parametrize("seed", range(10))
def test_p50_of_a_symmetric_triangular_is_its_central_value(seed):
    # Triangular(0, 1, 2) has median 1 and density 2 / (2 - 0) = 1 there; the sample median of
    # n draws has standard error 1 / (2 f(m) sqrt(n)) = 1 / (2 x 1 x 100) = 0.005 for n = 10,000.
    # Four standard errors (0.02) fail by chance about once in 16,000 seeds.
    samples = draw([Range(0.0, 1.0, 2.0)], 10_000, seed)
    assert summarise(samples).p50[0] == pytest.approx(1.0, abs=0.02)


def test_triangular_percentiles_follow_its_distribution_function():
    # Triangular(0, 0, 1): F(x) = 1 - (1 - x)^2, so the q-quantile is 1 - sqrt(1 - q):
    # P10 = 1 - sqrt(0.9) = 0.05132, P50 = 1 - sqrt(0.5) = 0.29289, P90 = 1 - sqrt(0.1) = 0.68377.
    # Standard error of a quantile: sqrt(q(1 - q) / n) / f(x_q), f(x) = 2(1 - x); at most
    # 0.3 / 100 / 0.63 = 0.0048 for n = 10,000 (P90); tolerance 0.02 is four of them.
    summary = summarise(draw([Range(0.0, 0.0, 1.0)], 10_000, 3))
    assert summary.p10[0] == pytest.approx(1 - math.sqrt(0.9), abs=0.02)
    assert summary.p50[0] == pytest.approx(1 - math.sqrt(0.5), abs=0.02)
    assert summary.p90[0] == pytest.approx(1 - math.sqrt(0.1), abs=0.02)


@pytest.mark.parametrize(
    ("distribution", "mean", "sd"),
    [
        # triangular (10, 12, 20): mean (10 + 12 + 20) / 3 = 14; variance
        # (a^2 + b^2 + c^2 - ab - ac - bc) / 18 = (100 + 400 + 144 - 200 - 120 - 240) / 18 = 4.667
        ("triangular", 14.0, math.sqrt(84 / 18)),
        # PERT (10, 12, 20): mean (10 + 4 x 12 + 20) / 6 = 13; alpha = 1 + 4 x 2 / 10 = 1.8,
        # beta = 1 + 4 x 8 / 10 = 4.2, variance (b - a)^2 ab / ((a+b)^2 (a+b+1)) = 100 x 7.56 / 252
        ("pert", 13.0, math.sqrt(100 * 1.8 * 4.2 / (36 * 7))),
    ],
)
def test_means_match_the_distributions_formulas(distribution, mean, sd):
    # the mean of 20,000 draws is within 4 standard errors (sd / sqrt(20,000)) of the true mean
    samples = draw([Range(10.0, 12.0, 20.0)], 20_000, 11, distribution)
    assert summarise(samples).mean[0] == pytest.approx(mean, abs=4 * sd / math.sqrt(20_000))


def test_summarise_keeps_the_shape_of_one_draw():
    # draws of a (partners, years) result: 0..99 in each cell of draw d (value d)
    samples = np.arange(101, dtype=float)[:, None, None] * np.ones((1, 2, 3))
    summary = summarise(samples)
    assert summary.p50.shape == (2, 3)
    # of 0..100 the 10th, 50th, 90th percentiles are 10, 50, 90 exactly; the mean 50
    assert summary.p10[0, 0] == 10.0 and summary.p90[1, 2] == 90.0 and summary.mean[0, 1] == 50.0


def test_summary_to_dict_rounds_to_pennies_by_label():
    summary = summarise(np.array([[1.004, 10.0], [2.006, 20.0], [3.0, 30.0]]))
    # column 0: 1.004, 2.006, 3.0 -> P50 2.006 -> 2.01; mean 6.01 / 3 = 2.00333 -> 2.00
    document = summary.to_dict(["Council", "Police"])
    assert document["Council"]["p50"] == Decimal("2.01")
    assert document["Council"]["mean"] == Decimal("2.00")
    assert document["Police"]["p10"] == Decimal("12.00")  # 10 + 0.2 x (20 - 10)


def test_probability_ahead_counts_draws_above_zero():
    # partner 0 ahead in 2 of 4 draws (0 is not ahead), partner 1 in all, partner 2 in none
    net = np.array([[1.0, 5.0, -1.0], [0.0, 2.0, -3.0], [-2.0, 1.0, 0.0], [3.0, 0.5, -0.1]])
    assert probability_ahead(net).tolist() == [0.5, 1.0, 0.0]


def test_tornado_of_a_linear_result_swings_by_slope_times_range():
    # result = 3 x1 - 2 x2 + 0 x3 + 7 with x1 in [0, 2], x2 in [10, 20], x3 in [-5, 1]:
    # swings |3| x 2 = 6, |-2| x 10 = 20, 0 x 6 = 0. Central 3 x 1 - 2 x 12 + 7 = -14;
    # x2 low: -14 - 2 x (10 - 12) = -10; x2 high: -14 - 2 x (20 - 12) = -30.
    calls = []

    def evaluate(x):
        calls.append(x.shape)
        return x @ np.array([3.0, -2.0, 0.0]) + 7.0

    bars = tornado(evaluate, RANGES, ["x1", "x2", "x3"])
    assert calls == [(7, 3)]  # one call, 2P + 1 rows
    assert [b.name for b in bars] == ["x2", "x1", "x3"]
    assert [b.swing for b in bars] == pytest.approx([20.0, 6.0, 0.0])
    assert (bars[0].central, bars[0].at_low, bars[0].at_high) == pytest.approx((-14, -10, -30))


@given(
    slopes=st.lists(st.floats(-100, 100), min_size=1, max_size=8),
    seed=st.integers(0, 2**32 - 1),
)
def test_tornado_swings_equal_slope_times_width_for_any_linear_result(slopes, seed):
    rng = np.random.default_rng(seed)
    ranges = [Range(*sorted(rng.normal(0, 10, 3))) for _ in slopes]
    w = np.array(slopes)
    bars = tornado(lambda x: x @ w, ranges, [f"x{i}" for i in range(len(slopes))])
    expected = sorted((abs(s) * (r.high - r.low) for s, r in zip(slopes, ranges, strict=True)))
    assert sorted(b.swing for b in bars) == pytest.approx(expected, abs=1e-6)
    assert [b.swing for b in bars] == sorted((b.swing for b in bars), reverse=True)


def test_centrals_are_the_deterministic_case():
    assert centrals(RANGES).tolist() == [1.0, 12.0, 0.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Range(2.0, 1.0, 3.0), "low <= central <= high"),
        (lambda: Range(0.0, 1.0, math.inf), "finite"),
        (lambda: draw(RANGES, 0, 1), "at least 1"),
        (lambda: draw(RANGES, 10, 1, "normal"), "unknown distribution 'normal'"),
        (lambda: draw([], 10, 1), "no uncertain inputs"),
        (lambda: tornado(lambda x: x.sum(), RANGES, ["a", "b", "c"]), "one number per row"),
        (lambda: tornado(lambda x: x[:, 0], RANGES, ["a"]), "one name per range"),
        (lambda: probability_ahead(np.zeros(3)), "\\(draws, partners\\)"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(call, message):
    with pytest.raises(UsageError, match=message):
        call()


@dataclass(frozen=True)
class FileRange:
    """A range as a scenario file might hold one: low, central, high and a source, unchecked."""

    low: float
    central: float
    high: float
    source: str = ""


def test_any_low_central_high_will_do_and_is_checked():
    ranges = [FileRange(0.0, 1.0, 2.0, "a cited benchmark"), FileRange(5.0, 5.0, 5.0)]
    assert np.array_equal(
        draw(ranges, 100, 1), draw([Range(0.0, 1.0, 2.0), Range.point(5.0)], 100, 1)
    )
    with pytest.raises(UsageError, match="input 1 has the range \\(3.0, 2.0, 4.0\\)"):
        draw([FileRange(0.0, 1.0, 2.0), FileRange(3.0, 2.0, 4.0)], 10, 1)
