"""Direction of good with confidence intervals, worked by hand."""

from __future__ import annotations

from totalplace.outcomes.judge import against_benchmark, direction


def test_healthy_life_expectancy_interval_below_england_is_worse() -> None:
    # Hyndburn-like: 57.0 (55.1-58.9) years against England's 60.9, higher is better:
    # the whole interval lies below 60.9, so worse.
    assert against_benchmark(57.0, 55.1, 58.9, 60.9, "higher") == "worse"


def test_interval_including_the_benchmark_is_similar_whatever_the_value() -> None:
    # 59.3 (57.6-61.0) includes 60.9: not different, though the value is lower.
    assert against_benchmark(59.3, 57.6, 61.0, 60.9, "higher") == "similar (CI includes it)"


def test_lower_is_better_and_no_interval() -> None:
    # Claimant count 5.4% against England's 4.0%, lower is better, no interval: worse.
    assert against_benchmark(5.4, None, None, 4.0, "lower") == "worse (no CI)"
    # Preventable CVD mortality 23.6 (21.0-26.3) against 30.23, lower better: interval all below.
    assert against_benchmark(23.6, 21.0, 26.3, 30.23, "lower") == "better"


def test_no_direction_of_good() -> None:
    assert (
        against_benchmark(1798.3, None, None, 1695.3, None)
        == "higher (no CI), no direction of good"
    )
    assert direction(1097.0, 1798.3, None) == "up"


def test_direction_over_time() -> None:
    # ASC5 Lancashire 69.6 (2015-16) -> 98.4 (2022-23), higher is better: improving.
    assert direction(69.6, 98.4, "higher") == "improving"
    assert direction(69.6, 98.4, "lower") == "worsening"
