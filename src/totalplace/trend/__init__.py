"""Trends: the place's spending over time, in cash and real terms, and the cost-shunting monitor.

* :func:`read_outturn_series` / :func:`outturn_series` (``totalplace.trend.outturn``) --
  MHCLG Revenue Outturn time series, one row per published value, in pounds, themed.

Design note: ``docs/decisions/0023-trends-and-cost-shunting.md``.
"""

from totalplace.trend.outturn import (
    OUTTURN_SCHEMA,
    OutturnFileError,
    outturn_series,
    read_outturn_series,
)

__all__ = ["OUTTURN_SCHEMA", "OutturnFileError", "outturn_series", "read_outturn_series"]
