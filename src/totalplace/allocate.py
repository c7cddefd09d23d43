"""Largest-remainder rounding: split a whole number of units (pennies) exactly by weights.

Each part gets the floor of its exact quota ``total × weight / Σ weights``; the units
left over go one each to the parts with the largest fractional remainders (ties to
the earlier part, so callers order parts by code for a deterministic result). The
parts always add up to ``total`` exactly and each is within one unit of its quota
(Hamilton's method). Arithmetic is exact (integers and fractions), never floating point.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

__all__ = ["allocate"]


def allocate(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Return integers, one per weight, summing exactly to ``total`` in proportion to ``weights``.

    A negative total is split as its magnitude and negated. Raises ValueError for a
    negative weight, or for weights summing to zero when ``total`` is not zero.
    """
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if total == 0:
        return [0] * len(weights)
    weight_sum = sum(weights, Fraction(0))
    if weight_sum == 0:
        raise ValueError(f"cannot split {total} by weights that are all zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    quotas = [Fraction(magnitude) * Fraction(w) / weight_sum for w in weights]
    parts = [q.numerator // q.denominator for q in quotas]
    left = magnitude - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [sign * p for p in parts]
