"""The pages' data: plain functions returning JSON-ready dicts (Decimal amounts) for a viewer.

Each reads the stage tables through a read-only warehouse and the stage contract
(StageNotRun / StageStale when its tables are missing or out of date), and applies the
access rules of :mod:`totalplace.web.access`. The pages and the JSON API both call these.
"""

from totalplace.web.views.drill import drill
from totalplace.web.views.overview import overview
from totalplace.web.views.residents import resident_summary
from totalplace.web.views.simulator import ResponseCheck, check_response, simulator
from totalplace.web.views.suppliers import suppliers
from totalplace.web.views.wards import wards

__all__ = [
    "ResponseCheck",
    "check_response",
    "drill",
    "overview",
    "resident_summary",
    "simulator",
    "suppliers",
    "wards",
]
