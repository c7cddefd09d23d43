"""Trends: the place's spending over time, in cash and real terms, and the cost-shunting monitor.

* :func:`read_outturn_series` / :func:`outturn_series` (``totalplace.trend.outturn``) --
  MHCLG Revenue Outturn time series, one row per published value, in pounds, themed.
* :func:`trend` (``totalplace.trend.build``) -- each year's spend per partner x theme and
  per outturn body, in cash and real terms (GDP deflator), per head, part years flagged.
* :func:`find_shunting` (``totalplace.trend.shunting``) -- the cost-shunting monitor.

Reads the count's tables and the declared outturn files; writes no warehouse table.

Design note: ``docs/decisions/0023-trends-and-cost-shunting.md``.
"""

from totalplace.trend.build import Trend, trend
from totalplace.trend.outturn import (
    OUTTURN_SCHEMA,
    OutturnFileError,
    outturn_series,
    read_outturn_series,
)
from totalplace.trend.shunting import CAVEAT, Thresholds, find_shunting

__all__ = [
    "CAVEAT",
    "OUTTURN_SCHEMA",
    "OutturnFileError",
    "Thresholds",
    "Trend",
    "find_shunting",
    "outturn_series",
    "read_outturn_series",
    "trend",
]
