"""Money: exact pennies, split by largest remainder so the parts add up, rounded as SQL rounds."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.money import (
    PENNY,
    allocate,
    from_pennies,
    per_head,
    round_half_up,
    split,
    to_pennies,
)


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


def test_decimal_weights_are_exact_too():
    assert allocate(100, [Decimal("0.1"), Decimal("0.2")]) == [33, 67]


def test_a_negative_weight_is_refused():
    with pytest.raises(ValueError, match="negative"):
        allocate(10, [1, -1])


pounds = st.decimals(
    min_value=Decimal("-9999999999999999.99"),
    max_value=Decimal("9999999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(
    amount=pounds,
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_split_pounds_add_up_to_the_penny_in_whole_pennies(amount, weights):
    parts = split(amount, weights)
    assert sum(parts, Decimal(0)) == amount
    assert all(p == p.quantize(PENNY) and p.as_tuple().exponent == -2 for p in parts)
    for part, weight in zip(parts, weights, strict=True):
        quota = Fraction(amount) * weight / sum(weights)
        assert abs(Fraction(part) - quota) < Fraction(1, 100)


@given(amount=pounds)
def test_pennies_and_pounds_convert_both_ways_exactly(amount):
    assert from_pennies(to_pennies(amount)) == amount
    assert to_pennies(amount) == amount * 100


def test_fractions_of_a_penny_are_not_money():
    with pytest.raises(ValueError, match="whole number of pennies"):
        to_pennies(Decimal("1.005"))
    with pytest.raises(ValueError, match="whole number of pennies"):
        split(Decimal("0.001"), [1])


def test_halves_round_away_from_zero_as_sql_round_does():
    assert round_half_up(Decimal("2.345")) == Decimal("2.35")
    assert round_half_up(Decimal("-2.345")) == Decimal("-2.35")
    assert round_half_up(Decimal("2.3449999")) == Decimal("2.34")
    assert round_half_up(Fraction(1, 3), 4) == Decimal("0.3333")
    assert round_half_up(Fraction(5, 2), 0) == Decimal(3)
    assert str(round_half_up(7)) == "7.00"


@given(
    value=st.fractions(min_value=-(10**12), max_value=10**12, max_denominator=10**9),
    places=st.integers(min_value=0, max_value=6),
)
def test_rounding_is_the_nearest_value_at_those_places_with_halves_away_from_zero(value, places):
    rounded = Fraction(round_half_up(value, places))
    step = Fraction(1, 10**places)
    assert abs(rounded - value) <= step / 2
    if abs(rounded - value) == step / 2:
        assert abs(rounded) > abs(value)


def test_per_head_is_to_the_penny_and_none_without_people():
    assert per_head(Decimal("10.00"), 3) == Decimal("3.33")
    assert per_head(Decimal("0.05"), 10) == Decimal("0.01")  # half a penny rounds up
    assert per_head(Decimal("-0.05"), 10) == Decimal("-0.01")
    assert per_head(Decimal("10.00"), 0) is None
    assert per_head(None, 10) is None
