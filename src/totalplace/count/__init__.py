"""Count: all spending in the place by partner × theme × financial year, totals and per head.

Reads ``transactions`` (and ``classifications`` when the classify stage has run) and
writes three tables, every transformation in Ibis so the same code runs on DuckDB,
PostgreSQL and Spark:

* ``count_lines`` — one row per transaction: its financial year, theme, whether it is
  a transfer to another partner, and the share of it counted in the place
  (``totalplace.count.lines``);
* ``count_by_partner_theme_year`` — the place count, each figure with its method,
  driver and confidence and the months of the year behind it, reconciling to the
  imported totals to the penny (``totalplace.count.cells``);
* ``count_months`` — per partner and year, the months loaded (``totalplace.count.months``):
  a part year's figures, per head included, are for those months only.

:func:`count` computes and writes them once and records the run (``totalplace.stages``);
:func:`counted` reads them back for a later stage without computing them again.
Rows without a date are in no financial year; the notes and the JSON give them per
partner, with their rows and amount.
"""

from totalplace.count.lines import build_lines
from totalplace.count.result import (
    UNCLASSIFIED,
    CountError,
    CountResult,
    LedgerDoesNotReconcile,
)
from totalplace.count.run import count, counted
from totalplace.count.summary import read_count

__all__ = [
    "UNCLASSIFIED",
    "CountError",
    "CountResult",
    "LedgerDoesNotReconcile",
    "build_lines",
    "count",
    "counted",
    "read_count",
]
