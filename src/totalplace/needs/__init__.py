"""Needs: population and deprivation of the place, its wards and similar places; ward-level counts.

* :func:`wards` / :func:`district_deprivation` / :func:`district_cohorts` -- need
  reference data (shipped, or newer files loaded with :func:`load_reference`);
* :func:`count_by_ward` -- the place count apportioned to wards by a stated driver per
  theme, exact to the penny (table ``count_by_ward``);
* :func:`compare` -- spend per head against need for the place, its wards and its
  nearest neighbours (or given comparators).
"""

from totalplace.needs.compare import compare
from totalplace.needs.comparison import Comparison
from totalplace.needs.drivers import DRIVERS, NeedsError
from totalplace.needs.neighbours import nearest_neighbours
from totalplace.needs.wards import WardCount, count_by_ward
from totalplace.reference.cohorts import Cohorts, district_cohorts
from totalplace.reference.deprivation import DistrictDeprivation, district_deprivation
from totalplace.reference.layouts import LayoutError
from totalplace.reference.loaded import LoadedReference, load_reference
from totalplace.reference.wards import Ward, wards

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
