"""JSON documents: the one place that turns results into JSON-ready values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """Return ``value`` with dicts, lists and tuples walked and decimals as plain strings.

    Amounts stay exact: Decimal('1234.50') becomes "1234.50", never a float or '1.2345E+3'.
    """
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
