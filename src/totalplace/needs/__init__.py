"""Needs: population and deprivation of the place, its wards and similar places; ward-level counts.

* :func:`wards` / :func:`district_deprivation` / :func:`district_cohorts` -- need
  reference data (shipped, or newer files loaded with :func:`load_reference`);
* :func:`count_by_ward` -- the place count apportioned to wards by a stated driver per
  theme, exact to the penny (table ``count_by_ward``);
* :func:`compare` -- spend per head against need for the place, its wards and its
  nearest neighbours (or given comparators).
"""

from totalplace.needs.compare import Comparison, compare, nearest_neighbours
from totalplace.needs.layouts import LayoutError
from totalplace.needs.reference import (
    Cohorts,
    DistrictDeprivation,
    Ward,
    district_cohorts,
    district_deprivation,
    wards,
)
from totalplace.needs.store import LoadedReference, load_reference
from totalplace.needs.wards import DRIVERS, NeedsError, WardCount, count_by_ward

__all__ = [
    "DRIVERS",
    "Cohorts",
    "Comparison",
    "DistrictDeprivation",
    "LayoutError",
    "LoadedReference",
    "NeedsError",
    "Ward",
    "WardCount",
    "compare",
    "count_by_ward",
    "district_cohorts",
    "district_deprivation",
    "load_reference",
    "nearest_neighbours",
    "wards",
]
