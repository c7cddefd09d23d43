"""Split orders: several payments to one supplier group, each just under a procurement threshold, together over it.

Each payment is set against the lowest threshold above it (the partner's own from
``split_thresholds_by_partner``, else ``split_thresholds``) and counts as just under
it from ``split_near_fraction`` of it upwards. Payments to one supplier group under the
same threshold, each within ``split_window_days`` of the one before, form a run; a run
of at least ``split_min_payments`` whose total passes the threshold is a finding --
across partners first (two or more partners paid: a contract split between bodies
stays under every one's threshold), then within a partner. Regular series (standing
orders, instalments), payments to public bodies (the register's kind) and transfers
(the count's: precepts, levies, payments to partners) are not procurement and are left out. A signal to check, never an accusation:
the money at stake is the run's total, the value that escaped the threshold's rule.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from totalplace.integrity.clusters import in_runs, with_day
from totalplace.integrity.params import Params
from totalplace.integrity.standing import repeat_members
from totalplace.integrity.tables import (
    DECIMAL,
    SIGNAL,
    Found,
    finding_id,
    partners_list,
    purchases,
    union_found,
)

__all__ = ["ACROSS", "WITHIN", "detect"]

WITHIN = "split order"
ACROSS = "split order (across partners)"
_DEFAULT = "*"


def _thresholds(params: Params) -> ir.Table:
    """Return (th_partner, threshold): '*' for the defaults, a slug for a partner's own."""
    rows = [(_DEFAULT, t) for t in params.split_thresholds] + [
        (slug, t) for slug, ts in params.split_thresholds_by_partner.items() for t in ts
    ]
    return ibis.memtable(
        {"th_partner": [r[0] for r in rows], "threshold": [r[1] for r in rows]},
        schema={"th_partner": "string", "threshold": DECIMAL},
    )


def _near(payments: ir.Table, params: Params) -> ir.Table:
    """Return the payments just under a threshold, each with the lowest threshold above it."""
    own = list(params.split_thresholds_by_partner)
    # A payment just under its lowest threshold above is within [fraction x T, T) of some
    # threshold T: a filter of literals keeps those few before the join and group-by below.
    every = {t for t in params.split_thresholds} | {
        t for ts in params.split_thresholds_by_partner.values() for t in ts
    }
    amount = payments.amount.cast("float64")
    payments = payments.filter(
        ibis.or_(
            *[
                (amount < float(t)) & (amount >= float(t) * params.split_near_fraction)
                for t in sorted(every)
            ]
        )
    )
    p = payments.mutate(
        th_partner=ibis.ifelse(payments.partner.isin(own), payments.partner, _DEFAULT)
        if own
        else ibis.literal(_DEFAULT)
    )
    th = _thresholds(params)
    j = p.join(th, "th_partner")
    j = j.filter(j.amount < j.threshold)
    lowest = j.group_by("txn_key").aggregate(threshold=j.threshold.min())
    near = p.join(lowest, "txn_key")
    near = near.filter(
        near.amount.cast("float64") >= near.threshold.cast("float64") * params.split_near_fraction
    )
    return with_day(near)


def _findings(
    detector: str, runs: ir.Table, params: Params, across: bool
) -> tuple[Found, ir.Table]:
    g = runs.group_by(["group", "threshold"]).aggregate(
        n=runs.count(),
        total=runs.amount.sum(),
        low=runs.amount.min(),
        high=runs.amount.max(),
        span=runs.day.max() - runs.day.min(),
        n_partners=runs.partner.nunique(),
        first_txn=runs.txn_key.min(),
        partners=partners_list(runs.partner),
        supplier=runs.supplier_name.min(),
    )
    keep = (g.n >= params.split_min_payments) & (g.total > g.threshold)
    keep = keep & ((g.n_partners >= 2) if across else ibis.literal(True))
    g = g.filter(keep)
    confidence = ibis.least(
        params.split_confidence_base
        + params.split_confidence_per_payment * (g.n - 2).cast("float64"),
        params.split_confidence_max,
    )
    statistic = (
        g.n.cast("string")
        + " payments of £"
        + g.low.cast("string")
        + ibis.ifelse(g.low == g.high, "", " to £" + g.high.cast("string"))
        + " in "
        + (g.span + 1).cast("string")
        + " days, together £"
        + g.total.cast(DECIMAL).cast("string")
        + ", each under the £"
        + g.threshold.cast("int64").cast("string")
        + " threshold"
    )
    fid = finding_id(detector, g.first_txn)
    findings = g.select(
        finding_id=fid,
        detector=ibis.literal(detector),
        grade=ibis.literal(SIGNAL),
        confidence=confidence.cast("float64"),
        partners=g.partners,
        supplier=g.supplier.fill_null(""),
        money_at_stake=g.total.cast(DECIMAL),
        rows=g.n.cast("int64"),
        statistic=statistic,
        detail="paid by " + g.partners + " to " + g.supplier.fill_null("(no name)"),
        rule=ibis.literal(_rule(params, across)),
    )
    members = runs.join(g.select("group", finding_id=fid), "group")
    return Found(
        findings, members.select("finding_id", "partner", "txn_key", "amount")
    ), members.select("txn_key")


def _rule(params: Params, across: bool) -> str:
    ts = ", ".join(f"£{t:,.0f}" for t in params.split_thresholds)
    who = "two or more partners" if across else "one partner"
    own = " (or the partner's own)" if params.split_thresholds_by_partner else ""
    return (
        f"{params.split_min_payments} or more payments by {who} to one supplier group, each "
        f"within {params.split_window_days} days of the one before, each from "
        f"{params.split_near_fraction:.0%} of a threshold up to it ({ts}{own}), together over it"
    )


def detect(payments: ir.Table, params: Params) -> Found:
    """Return split-order findings (across partners, then within one) and the payments behind each."""
    standing = repeat_members(payments, params).select("txn_key")
    payments = purchases(payments)
    p = payments.filter(
        payments.supplier_key.notnull()
        & payments.txn_date.notnull()
        & (payments.amount > 0)
        & (payments.payee_kind != "public body").fill_null(True)
    )
    # the few payments near a threshold, then the standing orders set apart; computed once
    # (both tiers read them)
    near = _near(p, params)
    # NOT IN, not anti_join: Ibis writes two anti joins in a row as "LEFT ANTI JOIN",
    # which PostgreSQL rejects (txn_key is never null, so NOT IN keeps every other row)
    near = near.filter(~near.txn_key.isin(standing.txn_key)).cache()
    across_runs = in_runs(near, ["supplier_key", "threshold"], params.split_window_days, "group")
    across, taken = _findings(ACROSS, across_runs, params, across=True)
    rest = near.filter(~near.txn_key.isin(taken.txn_key))
    within_runs = in_runs(
        rest, ["partner", "supplier_key", "threshold"], params.split_window_days, "group"
    )
    within, _ = _findings(WITHIN, within_runs, params, across=False)
    return union_found([across, within])
