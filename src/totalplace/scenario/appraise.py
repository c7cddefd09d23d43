"""The Green Book arithmetic over a scenario's money streams, vectorised over draws and years.

Streams are float64 arrays ``(D, S, H)``: D draws (1 for the central case), S streams,
H years t = 0..H-1, in pounds at the scenario's price base; each stream has a kind
(:data:`KINDS`) and an agency. Year 0 is the year everything is discounted to.
Definitions (HM Treasury 2014 CBA guidance for local partnerships; domain.md 6.2):
PV_x = sum_t DF_t x_t; fiscal = cashable + non-cashable; NPBI = PV fiscal - PV costs;
financial ROI = BCR fiscal = PV fiscal / PV costs; NPPV = PV(fiscal + economic + social)
- PV costs; BCR public value = PV(fiscal + economic + social) / PV costs (NaN when PV
costs are 0); payback = the first year, from the first cost on, after which cumulative
DF x fiscal stays >= cumulative DF x costs (:func:`payback_year`).
Design note: ``docs/decisions/0018-appraisal-parameters.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from totalplace.money import round_half_up
from totalplace.reference.appraisal import DiscountBand, discount_schedule

__all__ = [
    "BENEFIT_KINDS",
    "COST_KINDS",
    "KINDS",
    "PAYBACK_TOLERANCE",
    "AgencyValues",
    "Measures",
    "appraise",
    "benefits_after_optimism_bias",
    "by_agency",
    "discount_factors",
    "net_additional",
    "present_values",
    "to_money",
    "with_optimism_bias",
]

Array = npt.NDArray[np.float64]

KINDS = (
    "capital_cost",
    "revenue_cost",
    "fiscal_cashable",
    "fiscal_non_cashable",
    "economic",
    "social",
)
COST_KINDS = ("capital_cost", "revenue_cost")
BENEFIT_KINDS = ("fiscal_cashable", "fiscal_non_cashable", "economic", "social")
_K = {kind: i for i, kind in enumerate(KINDS)}
_FISCAL = [_K["fiscal_cashable"], _K["fiscal_non_cashable"]]
_COSTS = [_K["capital_cost"], _K["revenue_cost"]]
#: Payback counts a cumulative shortfall under half a penny as repaid (float sums of
#: money that repays exactly, e.g. 100 against 50 + 50, may land a hair below).
PAYBACK_TOLERANCE = 0.005


def discount_factors(years: int, bands: Sequence[DiscountBand] | None = None) -> Array:
    """Return DF_t for t = 0..years-1: DF_0 = 1, DF_t = prod_{k=1..t} 1/(1 + r(k)) (shape (years,)).

    r(k) is the rate of the band containing year k (default: the Green Book standard schedule).
    """
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise ValueError(f"a horizon must be a whole number of years, at least 1 (got {years!r})")
    schedule = tuple(discount_schedule() if bands is None else bands)
    starts = np.array([band.year_from for band in schedule])
    rates = np.array([band.rate for band in schedule], dtype=np.float64)
    k = np.arange(1, years)
    band_of_year = np.searchsorted(starts, k, side="right") - 1
    if np.any(band_of_year < 0):
        raise ValueError("the discount schedule must start at year 0")
    steps = 1.0 / (1.0 + rates[band_of_year])
    return np.concatenate(([1.0], np.cumprod(steps)))


def present_values(amounts: Array, factors: Array) -> Array:
    """Return the present value of each stream: ``amounts`` (..., H) discounted by ``factors`` (H,) -> (...)."""
    amounts, factors = np.asarray(amounts, dtype=np.float64), np.asarray(factors, dtype=np.float64)
    if amounts.shape[-1:] != factors.shape:
        raise ValueError(f"streams have {amounts.shape[-1]} years but {factors.shape[0]} factors")
    return np.asarray(amounts @ factors)


def _rate(value: Any, name: str) -> Array:
    rate = np.asarray(value, dtype=np.float64)
    if np.any(~np.isfinite(rate)) or np.any((rate < 0) | (rate > 1)):
        raise ValueError(f"{name} must be a proportion from 0 to 1")
    return rate


def net_additional(
    gross: Any,
    deadweight: Any,
    displacement: Any = 0.0,
    leakage: Any = 0.0,
    substitution: Any = 0.0,
    multiplier: Any = 1.0,
) -> Array:
    """Return gross x (1 - deadweight)(1 - displacement)(1 - leakage)(1 - substitution) x multiplier.

    Arrays broadcast (a rate per draw against streams per year, say). Rates must lie in 0..1.
    """
    kept = (
        (1.0 - _rate(deadweight, "deadweight"))
        * (1.0 - _rate(displacement, "displacement"))
        * (1.0 - _rate(leakage, "leakage"))
        * (1.0 - _rate(substitution, "substitution"))
    )
    multiplier = np.asarray(multiplier, dtype=np.float64)
    if np.any(~np.isfinite(multiplier)) or np.any(multiplier < 0):
        raise ValueError("the multiplier must not be negative")
    return np.asarray(np.asarray(gross, dtype=np.float64) * kept * multiplier)


def with_optimism_bias(costs: Any, uplift: Any) -> Array:
    """Return costs raised by optimism bias: costs x (1 + uplift); uplift >= 0 (2.0 = +200%)."""
    uplift = np.asarray(uplift, dtype=np.float64)
    if np.any(~np.isfinite(uplift)) or np.any(uplift < 0):
        raise ValueError("an optimism-bias uplift must not be negative")
    return np.asarray(np.asarray(costs, dtype=np.float64) * (1.0 + uplift))


def benefits_after_optimism_bias(benefits: Any, bias: Any) -> Array:
    """Return benefits cut by optimism bias: benefits x (1 - bias); bias in 0..1."""
    return np.asarray(np.asarray(benefits, dtype=np.float64) * (1.0 - _rate(bias, "bias")))


def _kind_matrix(kinds: Sequence[str], streams: int) -> Array:
    """Return the (K, S) 0/1 matrix putting each stream under its kind; ValueError for an unknown kind."""
    if len(kinds) != streams:
        raise ValueError(f"{streams} streams but {len(kinds)} kinds")
    unknown = sorted({kind for kind in kinds if kind not in _K})
    if unknown:
        raise ValueError(f"unknown stream kind(s) {unknown}: kinds are {', '.join(KINDS)}")
    index = np.array([_K[kind] for kind in kinds], dtype=np.intp)
    matrix = np.zeros((len(KINDS), streams))
    matrix[index, np.arange(streams)] = 1.0
    return matrix


def _streams(amounts: Any, factors: Any) -> tuple[Array, Array]:
    amounts = np.asarray(amounts, dtype=np.float64)
    factors = np.asarray(factors, dtype=np.float64)
    if amounts.ndim != 3:
        raise ValueError(f"amounts must be (draws, streams, years), not shape {amounts.shape}")
    if factors.shape != (amounts.shape[2],):
        raise ValueError(
            f"streams have {amounts.shape[2]} years but factors have shape {factors.shape}"
        )
    return amounts, factors


def _ratio(top: Array, bottom: Array) -> Array:
    out = np.full(top.shape, np.nan)
    np.divide(top, bottom, out=out, where=bottom != 0)
    return out


@dataclass(frozen=True)
class Measures:
    """The appraisal of a scenario, per draw: each ``pv_*`` and measure is shape (D,).

    ``undiscounted`` and ``discounted`` are (D, K, H) totals by kind, K in :data:`KINDS`
    order; ``payback`` is the year index (int), -1 when not within the horizon;
    ratios are NaN where PV costs are 0.
    """

    factors: Array
    undiscounted: Array
    discounted: Array
    pv_capital: Array
    pv_revenue: Array
    pv_costs: Array
    pv_cashable: Array
    pv_non_cashable: Array
    pv_fiscal: Array
    pv_economic: Array
    pv_social: Array
    npbi: Array
    nppv: Array
    financial_roi: Array
    bcr_fiscal: Array
    bcr_public_value: Array
    payback: npt.NDArray[np.int64]
    kinds: tuple[str, ...] = KINDS


def payback_year(net_by_year: Array, costs_by_year: Array) -> npt.NDArray[np.int64]:
    """Return the payback year index per draw (D,) from discounted net fiscal and costs (D, H).

    Payback is the first year from which the cumulative discounted net stays repaid to the
    end of the horizon, counted from the first year with a cost: a scheme whose costs come
    in year 1 has not paid back in year 0 because nothing has happened yet, and one that
    dips under water again with a later cost has not paid back before that dip. -1: never
    within the horizon. A scheme with no costs pays back in year 0.
    """
    horizon = net_by_year.shape[1]
    under = np.cumsum(net_by_year, axis=1) < -PAYBACK_TOLERANCE  # (D, H)
    last_under = np.where(under.any(axis=1), horizon - 1 - under[:, ::-1].argmax(axis=1), -1)
    costly = costs_by_year > 0
    first_cost = np.where(costly.any(axis=1), costly.argmax(axis=1), 0)
    found = np.maximum(last_under + 1, first_cost)
    return np.where(found < horizon, found, -1).astype(np.int64)


def appraise(amounts: Any, kinds: Sequence[str], factors: Any) -> Measures:
    """Return the :class:`Measures` of streams ``amounts`` (D, S, H) of ``kinds`` discounted by ``factors``."""
    amounts, factors = _streams(amounts, factors)
    undiscounted = np.einsum("dsh,ks->dkh", amounts, _kind_matrix(kinds, amounts.shape[1]))
    discounted = undiscounted * factors
    pv = discounted.sum(axis=2)  # (D, K)
    pv_costs = pv[:, _COSTS].sum(axis=1)
    pv_fiscal = pv[:, _FISCAL].sum(axis=1)
    pv_value = pv_fiscal + pv[:, _K["economic"]] + pv[:, _K["social"]]
    net_by_year = discounted[:, _FISCAL, :].sum(axis=1) - discounted[:, _COSTS, :].sum(axis=1)
    payback = payback_year(net_by_year, discounted[:, _COSTS, :].sum(axis=1))
    roi = _ratio(pv_fiscal, pv_costs)
    return Measures(
        factors=factors,
        undiscounted=undiscounted,
        discounted=discounted,
        pv_capital=pv[:, _K["capital_cost"]],
        pv_revenue=pv[:, _K["revenue_cost"]],
        pv_costs=pv_costs,
        pv_cashable=pv[:, _K["fiscal_cashable"]],
        pv_non_cashable=pv[:, _K["fiscal_non_cashable"]],
        pv_fiscal=pv_fiscal,
        pv_economic=pv[:, _K["economic"]],
        pv_social=pv[:, _K["social"]],
        npbi=pv_fiscal - pv_costs,
        nppv=pv_value - pv_costs,
        financial_roi=roi,
        bcr_fiscal=roi.copy(),
        bcr_public_value=_ratio(pv_value, pv_costs),
        payback=payback,
    )


@dataclass(frozen=True)
class AgencyValues:
    """Present values per draw and agency, each (D, A), agencies in order of first appearance."""

    agencies: tuple[str, ...]
    pv_costs: Array
    pv_cashable: Array
    pv_non_cashable: Array
    pv_fiscal: Array
    pv_economic: Array
    pv_social: Array

    @property
    def net_fiscal(self) -> Array:
        """Return each agency's PV fiscal benefit less its PV costs (D, A): its net budget position."""
        return self.pv_fiscal - self.pv_costs


def by_agency(
    amounts: Any, kinds: Sequence[str], agencies: Sequence[str], factors: Any
) -> AgencyValues:
    """Return PV costs and PV fiscal, economic and social benefits per agency (:class:`AgencyValues`)."""
    amounts, factors = _streams(amounts, factors)
    streams = amounts.shape[1]
    if len(agencies) != streams:
        raise ValueError(f"{streams} streams but {len(agencies)} agencies")
    order = tuple(dict.fromkeys(agencies))
    position = {agency: i for i, agency in enumerate(order)}
    owner = np.zeros((len(order), streams))
    owner[[position[a] for a in agencies], np.arange(streams)] = 1.0
    pv = np.einsum(
        "ds,as,ks->dka", present_values(amounts, factors), owner, _kind_matrix(kinds, streams)
    )
    cashable, non_cashable = pv[:, _K["fiscal_cashable"]], pv[:, _K["fiscal_non_cashable"]]
    return AgencyValues(
        agencies=order,
        pv_costs=pv[:, _COSTS].sum(axis=1),
        pv_cashable=cashable,
        pv_non_cashable=non_cashable,
        pv_fiscal=cashable + non_cashable,
        pv_economic=pv[:, _K["economic"]],
        pv_social=pv[:, _K["social"]],
    )


def to_money(value: float) -> Decimal | None:
    """Return a modelled figure in pounds rounded half away from zero to the penny (None for NaN)."""
    number = float(value)
    if not np.isfinite(number):
        return None
    return round_half_up(Decimal(repr(number)))
