"""Exact money in Ibis: the same pennies on DuckDB, PostgreSQL and Spark.

Each engine types decimal arithmetic its own way (DuckDB divides decimals in binary
floating point; Spark cuts the scale of a product wider than 38 digits to 6), so these
expressions pick types and integer steps that every engine computes exactly.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis

__all__ = ["divide_to_penny", "times_share"]

PENNY = ibis.literal(Decimal("0.01"), type="decimal(18,2)")


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
    pennies = (amount.cast("decimal(18,2)") * 100).cast("int64")
    n = people.cast("int64").nullif(0)
    rounded = ((pennies.abs() * 2 + n) / (n * 2)).floor().cast("int64")
    signed = ibis.cases((pennies < 0, -rounded), else_=rounded)
    return (signed.cast("decimal(18,0)") * PENNY).cast("decimal(18,2)")
