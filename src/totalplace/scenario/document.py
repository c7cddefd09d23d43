"""A scenario run as one document: inputs echoed, streams per year, the measures, each partner's
position, the gain-share proposals and the Monte Carlo percentiles.

The same document is printed by ``--json``, written to the workbook's sheets and read by
the charts: amounts are pounds rounded to the penny (Decimal; JSON prints them as
strings), rates and ratios are floats.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from totalplace.scenario.appraise import to_money

if TYPE_CHECKING:
    from totalplace.scenario.run import ScenarioResult

__all__ = ["document", "settings", "summary_rows"]


def _ratio(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def settings(result: ScenarioResult) -> dict[str, Any]:
    """Return the scenario's settings as run (the file's, with defaults filled in)."""
    spec, frame = result.model.spec, result.model.frame
    from totalplace.years import year_label

    return {
        "name": spec.name,
        "file": str(spec.path),
        "description": spec.description,
        "baseline_year": year_label(frame.baseline_year),
        "start_year": year_label(frame.start_year),
        "horizon": frame.horizon,
        "price_base": year_label(frame.price_base),
        "discount": spec.discount,
        "distribution": spec.distribution,
        "draws": result.draws,
        "seed": result.seed,
        "gain_share_on": spec.gain_share_on,
    }


def _measures(result: ScenarioResult) -> dict[str, Any]:
    m = result.measures
    payback = int(m.payback[0])
    return {
        "pv_costs": to_money(m.pv_costs[0]),
        "pv_capital_costs": to_money(m.pv_capital[0]),
        "pv_revenue_costs": to_money(m.pv_revenue[0]),
        "pv_fiscal_cashable": to_money(m.pv_cashable[0]),
        "pv_fiscal_non_cashable": to_money(m.pv_non_cashable[0]),
        "pv_fiscal": to_money(m.pv_fiscal[0]),
        "pv_economic": to_money(m.pv_economic[0]),
        "pv_social": to_money(m.pv_social[0]),
        "net_present_budget_impact": to_money(m.npbi[0]),
        "net_present_public_value": to_money(m.nppv[0]),
        "financial_roi": _ratio(m.financial_roi[0]),
        "bcr_fiscal": _ratio(m.bcr_fiscal[0]),
        "bcr_public_value": _ratio(m.bcr_public_value[0]),
        "payback_year": result.years[payback] if payback >= 0 else None,
    }


def _by_year(result: ScenarioResult) -> list[dict[str, Any]]:
    m = result.measures
    kinds = list(m.kinds)
    rows = []
    cumulative = 0.0
    for t, year in enumerate(result.years):
        row: dict[str, Any] = {
            "year": year,
            "t": t,
            "discount_factor": round(float(m.factors[t]), 6),
        }
        for k, kind in enumerate(kinds):
            row[kind] = to_money(m.undiscounted[0, k, t])
        costs = sum(m.discounted[0, kinds.index(k), t] for k in ("capital_cost", "revenue_cost"))
        fiscal = sum(
            m.discounted[0, kinds.index(k), t] for k in ("fiscal_cashable", "fiscal_non_cashable")
        )
        cumulative += fiscal - costs
        row["discounted_net_fiscal"] = to_money(fiscal - costs)
        row["cumulative_discounted_net_fiscal"] = to_money(cumulative)
        rows.append(row)
    return rows


def _streams(result: ScenarioResult) -> list[dict[str, Any]]:
    s, factors = result.streams, result.measures.factors
    return [
        {
            "lever": s.levers[i],
            "item": s.items[i],
            "kind": s.kinds[i],
            "agency": s.agencies[i],
            "source": s.sources[i],
            "by_year": [to_money(v) for v in s.amounts[0, i]],
            "present_value": to_money(float((s.amounts[0, i] * factors).sum())),
        }
        for i in range(len(s.kinds))
    ]


def _agencies(result: ScenarioResult) -> list[dict[str, Any]]:
    a, partners = result.agencies, result.model.frame.partners
    return [
        {
            "agency": name,
            "partner": name in partners,
            "pv_costs": to_money(a.pv_costs[0, i]),
            "pv_fiscal_cashable": to_money(a.pv_cashable[0, i]),
            "pv_fiscal_non_cashable": to_money(a.pv_non_cashable[0, i]),
            "pv_economic": to_money(a.pv_economic[0, i]),
            "pv_social": to_money(a.pv_social[0, i]),
            "net_fiscal": to_money(a.pv_fiscal[0, i] - a.pv_costs[0, i]),
        }
        for i, name in enumerate(a.agencies)
    ]


def _spread(result: ScenarioResult) -> dict[str, Any]:
    partners = result.model.frame.partners
    out: dict[str, Any] = {
        "draws": result.draws,
        "seed": result.seed,
        "distribution": result.model.spec.distribution,
    }
    for name, summary in result.spread.items():
        out[name] = {q: to_money(float(getattr(summary, q))) for q in ("p10", "p50", "p90", "mean")}
    p = result.partner_spread
    out["partners"] = [
        {
            "partner": name,
            "net_p10": to_money(p.p10[i]),
            "net_p50": to_money(p.p50[i]),
            "net_p90": to_money(p.p90[i]),
            "probability_ahead": round(float(result.ahead[i]), 4),
        }
        for i, name in enumerate(partners)
    ]
    f = result.fan
    out["fan"] = [
        {
            "year": year,
            "p10": to_money(f.p10[t]),
            "p50": to_money(f.p50[t]),
            "p90": to_money(f.p90[t]),
        }
        for t, year in enumerate(result.years)
    ]
    return out


def summary_rows(result: ScenarioResult) -> list[dict[str, Any]]:
    """Return each partner's position: pays, benefits, net, P10-P90 and each gain-share."""
    gain = result.gain
    rows = []
    for i, partner in enumerate(gain.partners):
        row: dict[str, Any] = {
            "partner": partner,
            "pays": gain.pv_costs[i],
            "benefits": gain.pv_benefits[i],
            "net": gain.net[i],
            "net_p10": to_money(result.partner_spread.p10[i]),
            "net_p90": to_money(result.partner_spread.p90[i]),
            "probability_ahead": round(float(result.ahead[i]), 4),
        }
        for proposal in gain.proposals:
            row[f"{proposal.rule}_share"] = proposal.allocation[i]
            row[f"{proposal.rule}_transfer"] = proposal.transfers[i]
        rows.append(row)
    return rows


def document(result: ScenarioResult) -> dict[str, Any]:
    """Return the whole run as one JSON-ready document."""
    matrix = result.matrix
    return {
        "scenario": settings(result),
        "inputs": {
            "parameters": [p.to_dict() for p in result.model.params],
            "levers": [lever.describe() for lever in result.model.levers],
            "baseline": dict(result.model.baseline.sources),
        },
        "years": result.years,
        "measures": _measures(result),
        "by_year": _by_year(result),
        "streams": _streams(result),
        "agencies": _agencies(result),
        "partners": summary_rows(result),
        "payer_beneficiary": {
            "payers": list(result.payers),
            "beneficiaries": list(result.beneficiaries),
            "present_values": [[to_money(v) or Decimal(0) for v in row] for row in matrix],
        },
        "gain_share": result.gain.to_dict(),
        "monte_carlo": _spread(result),
        "local_economy": result.economy,
        "tornado": [
            {
                "input": bar.name,
                "low": bar.low,
                "high": bar.high,
                "nppv_at_low": to_money(bar.at_low),
                "nppv_at_high": to_money(bar.at_high),
                "swing": to_money(bar.swing),
            }
            for bar in result.bars
        ],
    }
