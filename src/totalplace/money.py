"""Money: exact pounds and pennies, split by largest remainder so the parts add up to the penny.

Amounts are :class:`~decimal.Decimal` pounds with two places (DECIMAL(18,2) in the
warehouse), never floats. :func:`allocate` splits a whole number of units (pennies)
by weights: each part gets the floor of its exact quota ``total x weight / sum of
weights``; the units left over go one each to the parts with the largest fractional
remainders (ties to the earlier part, so callers order parts by code for a
deterministic result). The parts always add up to ``total`` exactly and each is
within one unit of its quota (Hamilton's method). Arithmetic is exact (integers and
fractions). Rounding to places is half away from zero, as SQL ``ROUND`` does on
every engine, so a figure rounded here equals the same figure rounded in a query.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = [
    "PENNY",
    "SHARE_PLACES",
    "ZERO",
    "allocate",
    "divide_to_penny",
    "from_pennies",
    "per_head",
    "round_half_up",
    "split",
    "times_share",
    "to_pennies",
]

#: One penny: the quantum of every amount of money.
PENNY = Decimal("0.01")
#: Shares of spending (a place's share of a partner's, of an area's) are kept to 15
#: decimal places: exact enough that a £1bn budget moves less than a penny.
SHARE_PLACES = Decimal("1e-15")
#: No money, to the penny: the start of a sum of amounts.
ZERO = Decimal("0.00")

Weight = int | Fraction | Decimal


def allocate(total: int, weights: Sequence[Weight]) -> list[int]:
    """Return integers, one per weight, summing exactly to ``total`` in proportion to ``weights``.

    A negative total is split as its magnitude and negated. Raises ValueError for a
    negative weight, or for weights summing to zero when ``total`` is not zero.
    """
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValueError("weights must not be negative")
    if total == 0:
        return [0] * len(exact)
    weight_sum = sum(exact, Fraction(0))
    if weight_sum == 0:
        raise ValueError(f"cannot split {total} by weights that are all zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    quotas = [magnitude * w / weight_sum for w in exact]
    parts = [q.numerator // q.denominator for q in quotas]
    left = magnitude - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [sign * p for p in parts]


def to_pennies(amount: Decimal | int) -> int:
    """Return ``amount`` (pounds) as a whole number of pennies; ValueError if it has fractions of a penny."""
    pennies = Decimal(amount) * 100
    if pennies != pennies.to_integral_value():
        raise ValueError(f"£{amount} is not a whole number of pennies")
    return int(pennies)


def from_pennies(pennies: int) -> Decimal:
    """Return a whole number of pennies as pounds with two places (Decimal('12.30'))."""
    return (Decimal(pennies) / 100).quantize(PENNY)


def split(amount: Decimal, weights: Sequence[Weight]) -> list[Decimal]:
    """Return ``amount`` split by ``weights`` in pennies by largest remainder: parts add up exactly.

    Raises ValueError as :func:`allocate` does, or if ``amount`` has fractions of a penny.
    """
    return [from_pennies(p) for p in allocate(to_pennies(amount), weights)]


def round_half_up(value: Decimal | Fraction | int, places: int = 2) -> Decimal:
    """Return ``value`` rounded to ``places`` decimal places, halves away from zero (as SQL ROUND)."""
    scaled = abs(Fraction(value)) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:  # exact integers: no context precision to lose a half
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


def per_head(amount: Decimal | None, people: int | None) -> Decimal | None:
    """Return ``amount`` per person to the penny (halves away from zero); None without amount or people."""
    if amount is None or not people:
        return None
    return round_half_up(Fraction(amount) / people)


# Exact money in Ibis: the same pennies on DuckDB, PostgreSQL and Spark. Each engine types
# decimal arithmetic its own way (DuckDB divides decimals in binary floating point; Spark
# cuts the scale of a product wider than 38 digits to 6), so these expressions pick types
# and integer steps that every engine computes exactly. Ibis is imported only when used.


def times_share(amount: Any, share: Any) -> Any:
    """Return ``amount`` × ``share`` rounded half away from zero to the penny, as DECIMAL(18,2).

    DECIMAL(18,2) × DECIMAL(19,15) needs at most 38 digits, so no engine rounds the product
    before the one rounding to pennies (shares are at most 1).
    """
    product = amount.cast("decimal(18,2)") * share.cast("decimal(19,15)")
    return product.round(2).cast("decimal(18,2)")


def divide_to_penny(amount: Any, people: Any) -> Any:
    """Return ``amount`` / ``people`` rounded half away from zero to the penny, as DECIMAL(18,2).

    Computed on whole pennies: floor((2|p| + n) / 2n) is |p| / n rounded half up, exact
    in every engine while 2|p| + n < 2**53 (£45 trillion). NULL where ``people`` is 0 or NULL.
    """
    import ibis

    pennies = (amount.cast("decimal(18,2)") * 100).cast("int64")
    n = people.cast("int64").nullif(0)
    rounded = ((pennies.abs() * 2 + n) / (n * 2)).floor().cast("int64")
    signed = ibis.cases((pennies < 0, -rounded), else_=rounded)
    penny = ibis.literal(PENNY, type="decimal(18,2)")
    return (signed.cast("decimal(18,0)") * penny).cast("decimal(18,2)")
