"""Legitimate repeats: the same amount to the same supplier at a regular interval (rent, standing orders).

A partner's payments of one amount to one supplier group form a series when there
are at least ``standing_min_payments`` of them, no two on the same date, the mean gap
between them lies between ``standing_min_gap_days`` and ``standing_max_gap_days``, and
every gap is within ``standing_tolerance`` of the mean. Such payments are set apart
(``integrity_repeats``, with the reason) and never reported as duplicates or splits.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from totalplace.integrity.clusters import with_day
from totalplace.integrity.params import Params
from totalplace.integrity.tables import number_text

__all__ = ["REPEAT_COLUMNS", "repeat_members", "repeats"]

#: integrity_repeats: one row per series.
REPEAT_COLUMNS: tuple[str, ...] = (
    "series_id",
    "partner",
    "supplier_key",
    "supplier",
    "amount",
    "payments",
    "total",
    "first_date",
    "last_date",
    "mean_gap_days",
    "interval",
    "reason",
)


def _series_keys() -> list[str]:
    return ["partner", "supplier_key", "amount"]


def repeat_members(payments: ir.Table, params: Params) -> ir.Table:
    """Return (series_id, txn_key, partner, amount) of every payment in a regular series."""
    keys = _series_keys()
    p = payments.filter(
        payments.supplier_key.notnull() & payments.txn_date.notnull() & (payments.amount > 0)
    )
    # Only a group of at least standing_min_payments can be a series: one group-by finds
    # them, so the windows below sort those few groups' payments, not every payment.
    sizes = p.group_by(keys).aggregate(_size=p.count())
    p = with_day(p.semi_join(sizes.filter(sizes._size >= params.standing_min_payments), keys))
    w = ibis.window(group_by=keys, order_by=[p.day, p.txn_key])
    p = p.mutate(_gap=p.day - p.day.lag().over(w))
    g = p.group_by(keys).aggregate(
        _n=p.count(),
        _dates=p.day.nunique(),
        _first=p.day.min(),
        _last=p.day.max(),
        _min_gap=p._gap.min(),
        _max_gap=p._gap.max(),
        series_id=ibis.literal("repeat:") + p.txn_key.min(),
    )
    mean = (g._last - g._first).cast("float64") / (g._n - 1).cast("float64")
    tol = params.standing_tolerance
    regular = g.filter(
        (g._n >= params.standing_min_payments)
        & (g._dates == g._n)
        & (mean >= params.standing_min_gap_days)
        & (mean <= params.standing_max_gap_days)
        & (g._min_gap.cast("float64") >= mean * (1 - tol))
        & (g._max_gap.cast("float64") <= mean * (1 + tol))
    ).select(*keys, "series_id")
    joined = p.join(regular, keys)
    return joined.select("series_id", "txn_key", "partner", "amount")


def _interval(mean: ir.FloatingValue) -> ir.StringValue:
    return ibis.cases(
        (mean <= 10, "weekly"),
        (mean <= 17, "fortnightly"),
        (mean <= 45, "monthly"),
        (mean <= 100, "quarterly"),
        (mean <= 200, "half-yearly"),
        else_="yearly",
    )


def repeats(payments: ir.Table, members: ir.Table, params: Params) -> ir.Table:
    """Return one row per regular series (:data:`REPEAT_COLUMNS`) from its ``members``."""
    p = with_day(payments).select("txn_key", "day", "txn_date", "supplier_key", "supplier_name")
    m = members.join(p, "txn_key")
    s = m.group_by(["series_id", "partner", "supplier_key", "amount"]).aggregate(
        supplier=m.supplier_name.min(),
        payments=m.count(),
        total=m.amount.sum().cast("decimal(18,2)"),
        first_date=m.txn_date.min(),
        last_date=m.txn_date.max(),
        _span=(m.day.max() - m.day.min()),
    )
    mean = (s._span.cast("float64") / (s.payments - 1).cast("float64")).round(1)
    interval = _interval(mean)
    reason = (
        "the same amount "
        + interval
        + " (every "
        + number_text(mean, 1)
        + " days on average, each gap within "
        + ibis.literal(f"{round(params.standing_tolerance * 100)}%")
        + " of it): a standing order, rent or contract instalment, not a duplicate"
    )
    return s.mutate(mean_gap_days=mean, interval=interval, reason=reason).select(*REPEAT_COLUMNS)
