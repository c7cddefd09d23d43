"""Largest-remainder rounding: parts add up exactly and stay within one unit of their quota."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.needs.allocate import allocate


@given(
    total=st.integers(min_value=-(10**13), max_value=10**13),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_parts_add_up_exactly_and_are_within_one_unit_of_their_quota(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        quota = Fraction(total * weight, sum(weights))
        assert abs(part - quota) < 1
        if weight == 0:
            assert part == 0


def test_the_left_over_pennies_go_to_the_largest_remainders_then_the_earlier_part():
    # 100p in thirds: quotas 33.33 each; the one spare penny goes to the first part.
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    # 10p by 1:2:3 -> quotas 1.67, 3.33, 5.0: the spare penny goes to the largest remainder.
    assert allocate(10, [1, 2, 3]) == [2, 3, 5]


def test_a_negative_total_is_split_like_its_magnitude():
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]


def test_fractional_weights_are_exact():
    assert allocate(7, [Fraction(1, 3), Fraction(2, 3)]) == [2, 5]


def test_weights_that_are_all_zero_cannot_split_money():
    with pytest.raises(ValueError, match="all zero"):
        allocate(5, [0, 0])
    assert allocate(0, [0, 0]) == [0, 0]
