"""Outcomes against spend: is the money buying better lives?

Loads outcome indicator files declared in place.toml ``[[outcomes]]`` -- ONS Explore
Local Statistics (area, ISO 8601 period, value, 95% interval) and Oflog adult social
care (ASC1-ASC7) layouts, recognised from their columns -- into ``outcome_indicators``
(every row loaded or in ``outcome_rejects`` with its reason; ``outcome_files`` per
file), maps each indicator to a Total Place theme with its direction of good
(``data/outcomes/indicator_themes.csv``, or the workspace's ``outcome_themes.csv``),
and sets each outcome, for the place, its upper tier, its comparators and England,
beside spend per head on the theme: the count for the place's partners, and published
Revenue Outturn for councils (``[[outturns]]``, :mod:`totalplace.trend`).
Design note: ``docs/decisions/0024-outcomes-against-spend.md``.
"""

from __future__ import annotations

from totalplace.outcomes.layouts import LAYOUTS, OutcomeLayoutError
from totalplace.outcomes.mapping import IndicatorTheme, OutcomeMapError, load_mapping
from totalplace.outcomes.periods import Period, PeriodError, parse_interval
from totalplace.outcomes.read import read_outcome_file
from totalplace.outcomes.run import OutcomesView, outcomes
from totalplace.outcomes.store import TABLES, ensure_loaded

__all__ = [
    "LAYOUTS",
    "TABLES",
    "IndicatorTheme",
    "OutcomeLayoutError",
    "OutcomeMapError",
    "OutcomesView",
    "Period",
    "PeriodError",
    "ensure_loaded",
    "load_mapping",
    "outcomes",
    "parse_interval",
    "read_outcome_file",
]
