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
* :func:`reconcile` (``totalplace.coverage.outturn``) -- a council's transactions
  against its Revenue Outturn, by service; writes ``outturn_reconciliation``.

Design note: ``docs/decisions/0005-coverage-and-top-down.md``.
"""

from totalplace.coverage.assess import STATUSES, Coverage, coverage, layers
from totalplace.coverage.layers import Layer, Layers
from totalplace.coverage.outturn import OutturnError, Reconciliation, reconcile
from totalplace.coverage.topdown import TopdownEstimates, estimate

__all__ = [
    "STATUSES",
    "Coverage",
    "Layer",
    "Layers",
    "OutturnError",
    "Reconciliation",
    "TopdownEstimates",
    "coverage",
    "estimate",
    "layers",
    "reconcile",
]
