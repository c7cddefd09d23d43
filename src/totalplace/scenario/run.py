"""Running a scenario: the central case appraised, who pays and who benefits, the gain-share,
and the Monte Carlo over every lever's ranges.

Everything is computed from one :class:`~totalplace.scenario.engine.Model`: the central
case (every input central, all partners taking part), each coalition of partners (for
the Shapley value), the draws (all at once, vectorised), and the tornado (each input at
its low and high, the others central). Nothing is written to the warehouse: a scenario's
result is a function of its file and the stage tables it read, recomputed on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from totalplace.reference.appraisal import discount_schedule
from totalplace.scenario.appraise import (
    AgencyValues,
    Measures,
    appraise,
    by_agency,
    discount_factors,
)
from totalplace.scenario.engine import Model, Streams, build_model
from totalplace.scenario.gainshare import GainShare, coalitions, gain_share, payer_beneficiary
from totalplace.scenario.lever import COST_KINDS
from totalplace.scenario.spec import read_scenario, scenario_path
from totalplace.scenario.uncertainty import (
    Bar,
    Range,
    Summary,
    draw,
    probability_ahead,
    summarise,
    tornado,
)
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["ScenarioResult", "run_scenario", "run_model"]


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario appraised: the central case, per agency, gain-share, and the draws' spread."""

    model: Model
    streams: Streams  # central case, (1, S, H)
    measures: Measures  # central case
    agencies: AgencyValues  # central case, every agency
    matrix: np.ndarray  # (A, A+1) payer x beneficiary PV, last column-less payer row: see payers
    payers: tuple[str, ...]
    beneficiaries: tuple[str, ...]
    gain: GainShare
    draws: int
    seed: int
    spread: dict[str, Summary]  # npbi, nppv, pv_fiscal, pv_costs over the draws
    partner_spread: Summary  # each partner's net position over the draws (A_partners,)
    ahead: np.ndarray  # probability each partner comes out ahead
    fan: Summary  # cumulative discounted net by year over the draws (H,)
    bars: list[Bar]
    economy: list[dict[str, Any]] = field(default_factory=list)  # jobs behind each budget change

    @property
    def years(self) -> list[str]:
        """Return the financial year of each scenario year."""
        start = self.model.frame.start_year
        return [year_label(start + t) for t in range(self.model.frame.horizon)]


def _gained(values: AgencyValues, on: str) -> np.ndarray:
    """Return what the gain-share divides per draw and agency: cashable only, or all fiscal."""
    return values.pv_cashable if on == "cashable" else values.pv_fiscal


def _per_partner(table: np.ndarray, values: AgencyValues, partners: tuple[str, ...]) -> np.ndarray:
    """Return the columns of a (D, A) table in the partners' order (D, n): 0 for a partner
    with no stream of its own."""
    where = {a: i for i, a in enumerate(values.agencies)}
    columns = np.array([where.get(p, -1) for p in partners])
    padded = np.concatenate([table, np.zeros((table.shape[0], 1))], axis=1)
    return padded[:, columns]  # column -1 picks the zero pad


def _partner_net(values: AgencyValues, partners: tuple[str, ...], on: str) -> np.ndarray:
    """Return each partner's net position per draw (D, n): 0 where it has no stream."""
    return _per_partner(_gained(values, on) - values.pv_costs, values, partners)


def _coalition_values(model: Model, factors: np.ndarray) -> np.ndarray:
    """Return v(S) for every coalition S of partners (by bitmask): the sum over S's members of
    their net position when only S's members take part (central case)."""
    partners = model.frame.partners
    masks = coalitions(len(partners))
    central = model.central()
    found = np.zeros(len(masks))
    for m, mask in enumerate(masks):  # 2**n coalitions of a handful of partners
        if not mask.any():
            continue
        streams = model.evaluate(central, mask)
        if streams.amounts.shape[1] == 0:
            continue
        values = by_agency(streams.amounts, streams.kinds, streams.agencies, factors)
        net = _partner_net(values, partners, model.spec.gain_share_on)[0]
        found[m] = float(net[mask].sum())
    return found


def _matrix(
    model: Model, streams: Streams, factors: np.ndarray
) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """Return the payer x beneficiary matrix (PV, central) over every lever, with its labels."""
    agencies = tuple(dict.fromkeys([*model.frame.partners, *streams.agencies]))
    position = {a: i for i, a in enumerate(agencies)}
    levers = tuple(dict.fromkeys(streams.levers))
    pv = (streams.amounts[0] * factors[None, :]).sum(axis=1)  # (S,)
    costs = np.zeros((len(levers), len(agencies)))
    gains = np.zeros((len(levers), len(agencies)))
    for s, (lever, kind, agency) in enumerate(
        zip(streams.levers, streams.kinds, streams.agencies, strict=True)
    ):
        target = costs if kind in COST_KINDS else gains
        target[levers.index(lever), position[agency]] += pv[s]
    totals = costs.sum(axis=1, keepdims=True)
    shares = np.divide(costs, totals, out=np.zeros_like(costs), where=totals != 0)
    matrix = payer_beneficiary(shares, gains)
    payers = agencies + (("no payer",) if matrix.shape[0] > len(agencies) else ())
    return matrix, payers, agencies


def run_model(model: Model, draws: int | None = None, seed: int | None = None) -> ScenarioResult:
    """Return the appraisal of a built scenario: central case, gain-share, Monte Carlo, tornado."""
    spec, frame = model.spec, model.frame
    factors = discount_factors(frame.horizon, discount_schedule(spec.discount))
    streams = model.evaluate(model.central())
    measures = appraise(streams.amounts, streams.kinds, factors)
    agencies = by_agency(streams.amounts, streams.kinds, streams.agencies, factors)
    matrix, payers, beneficiaries = _matrix(model, streams, factors)
    partners = frame.partners
    costs = _per_partner(agencies.pv_costs, agencies, partners)[0]
    benefits = _per_partner(_gained(agencies, spec.gain_share_on), agencies, partners)[0]
    gain = gain_share(costs, benefits, _coalition_values(model, factors), partners)
    count = spec.draws if draws is None else draws
    chosen_seed = spec.seed if seed is None else seed
    ranges = [Range(p.range.low, p.range.central, p.range.high) for p in model.params]
    sampled = model.evaluate(model.values(draw(ranges, count, chosen_seed, spec.distribution)))
    spread_measures = appraise(sampled.amounts, sampled.kinds, factors)
    spread_agencies = by_agency(sampled.amounts, sampled.kinds, sampled.agencies, factors)
    partner_net = _partner_net(spread_agencies, partners, spec.gain_share_on)
    cost_kinds = [spread_measures.kinds.index(k) for k in COST_KINDS]
    fiscal_kinds = [
        spread_measures.kinds.index(k) for k in ("fiscal_cashable", "fiscal_non_cashable")
    ]
    yearly = spread_measures.discounted[:, fiscal_kinds].sum(axis=1) - spread_measures.discounted[
        :, cost_kinds
    ].sum(axis=1)

    def nppv_of(rows: np.ndarray) -> np.ndarray:
        found = model.evaluate(model.values(rows))
        return appraise(found.amounts, found.kinds, factors).nppv

    return ScenarioResult(
        model=model,
        streams=streams,
        measures=measures,
        agencies=agencies,
        matrix=matrix,
        payers=payers,
        beneficiaries=beneficiaries,
        gain=gain,
        draws=count,
        seed=chosen_seed,
        spread={
            name: summarise(getattr(spread_measures, name))
            for name in ("npbi", "nppv", "pv_fiscal", "pv_costs", "pv_cashable")
        },
        partner_spread=summarise(partner_net),
        ahead=probability_ahead(partner_net),
        fan=summarise(np.cumsum(yearly, axis=1)),
        bars=tornado(nppv_of, ranges, [p.label for p in model.params]) if model.params else [],
    )


def run_scenario(
    workspace: Workspace, name: str, draws: int | None = None, seed: int | None = None
) -> ScenarioResult:
    """Return scenario ``name`` (of ``scenarios/``, or a path) appraised; see :func:`run_model`.

    Raises ScenarioFileError (each fault with its line; nothing computed) or the stage
    contract's errors if the count or opportunities must be run first.
    """
    from totalplace.scenario.consequences import economy_effects

    spec = read_scenario(scenario_path(workspace, name))
    model = build_model(workspace, spec)
    return replace(run_model(model, draws, seed), economy=economy_effects(workspace, model))
