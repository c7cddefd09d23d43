"""Savings arithmetic: place amounts, the base a saving is taken from, and savings at three rates.

Every figure is rounded to the penny as the count rounds, so place amounts add up to
``count_by_partner_theme_year``; a saving is a rate (a fraction at most 1) of a base
of spend, never of a net refund.
"""

from __future__ import annotations

from decimal import Decimal

import ibis
import ibis.expr.types as ir

from totalplace.opportunities.scope import DECIMAL

#: The rate columns of an opportunity row: low, central and high.
RATES = ("rate_low", "rate_central", "rate_high")
#: The saving columns of an opportunity row, ledger and place, in the order tables show them.
SAVINGS = (
    "saving_base",
    "place_saving_base",
    "saving_low",
    "saving_central",
    "saving_high",
    "place_saving_low",
    "place_saving_central",
    "place_saving_high",
)


def _zero() -> ir.DecimalValue:
    return ibis.literal(Decimal("0.00"), type="decimal(38,2)")


def place_amount(amount: ir.DecimalValue, share: ir.DecimalValue) -> ir.DecimalValue:
    """Return amount x place share rounded to the penny (the count's own arithmetic)."""
    exact = amount.cast("decimal(38,2)") * share.cast("decimal(38,15)")
    return exact.round(2).cast(DECIMAL)


def saving(amount: ir.DecimalValue, rate: ir.DecimalValue) -> ir.DecimalValue:
    """Return max(amount, 0) x rate rounded to the penny: a net refund saves nothing."""
    base = ibis.greatest(amount.cast("decimal(38,2)"), _zero())
    return (base * rate.cast("decimal(38,6)")).round(2).cast(DECIMAL)


def rate(value: Decimal) -> ir.DecimalValue:
    """Return a saving rate as a decimal(38,6) literal."""
    return ibis.literal(value, type="decimal(38,6)")


def saving_base(amount: ir.DecimalValue, rate_high: ir.DecimalValue) -> ir.DecimalValue:
    """Return the spend a saving is taken from: max(amount, 0) where any rate applies, else 0.

    Every saving is a rate (a fraction ≤ 1) of this base, so it can never exceed it;
    tables show it beside the saving so both are on the same spend.
    """
    base = ibis.greatest(amount.cast("decimal(38,2)"), _zero())
    return ibis.ifelse(rate_high > 0, base, _zero()).cast(DECIMAL)


def with_savings(rows: ir.Table, low: ir.Value, central: ir.Value, high: ir.Value) -> ir.Table:
    """Return ``rows`` (with amount and place_amount) with the :data:`RATES` and :data:`SAVINGS` columns added."""
    rows = rows.mutate(rate_low=low, rate_central=central, rate_high=high)
    return rows.mutate(
        saving_base=saving_base(rows.amount, rows.rate_high),
        place_saving_base=saving_base(rows.place_amount, rows.rate_high),
        saving_low=saving(rows.amount, rows.rate_low),
        saving_central=saving(rows.amount, rows.rate_central),
        saving_high=saving(rows.amount, rows.rate_high),
        place_saving_low=saving(rows.place_amount, rows.rate_low),
        place_saving_central=saving(rows.place_amount, rows.rate_central),
        place_saving_high=saving(rows.place_amount, rows.rate_high),
    )
