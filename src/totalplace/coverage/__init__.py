"""Coverage: which bodies serve the place, whose spending is loaded, and top-down estimates for the rest.

* :func:`coverage` -- each kind of body serving the place (district and county council,
  police, fire, NHS, DWP, HMRC, DfE, other central government, housing associations,
  voluntary sector), whether its spending is loaded, apportioned, estimated top-down or
  missing, and its share of the estimated total.
* :func:`layers` -- the count as separate layers (loaded actual, apportioned, top-down)
  and their total.
* :func:`estimate` (``totalplace.coverage.topdown``) -- top-down estimates from HM
  Treasury's Country and Regional Analysis and MHCLG's Revenue Outturn; writes the
  table ``topdown_estimates``.
* :func:`place_theme_topdown` / :func:`district_theme_topdown`
  (``totalplace.coverage.bytheme``) -- the top-down estimate of one theme, for the
  place (net of payments already counted) or any district (a comparator); themes come
  from ``data/topdown/themes.toml`` (``totalplace.coverage.themes``).
* :func:`reconcile` (``totalplace.coverage.outturn``) -- a council's transactions
  against its Revenue Outturn, by service; writes ``outturn_reconciliation``.

Design note: ``docs/decisions/0005-coverage-and-top-down.md``.
"""

from totalplace.coverage.assess import STATUSES, Coverage, coverage, layers
from totalplace.coverage.bytheme import (
    ThemeTopdown,
    district_theme_topdown,
    place_theme_topdown,
)
from totalplace.coverage.estimates import TopdownEstimates
from totalplace.coverage.layers import Layer, Layers
from totalplace.coverage.outturn import OutturnError, Reconciliation, reconcile
from totalplace.coverage.topdown import estimate, estimate_district

__all__ = [
    "STATUSES",
    "Coverage",
    "Layer",
    "Layers",
    "OutturnError",
    "Reconciliation",
    "ThemeTopdown",
    "TopdownEstimates",
    "coverage",
    "district_theme_topdown",
    "estimate",
    "estimate_district",
    "layers",
    "place_theme_topdown",
    "reconcile",
]
