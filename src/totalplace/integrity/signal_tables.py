"""The shape of the pattern and concentration signals: findings and members columns, and wording.

Every detector builds its findings through :func:`findings` and its members through
:func:`members`, so the columns, their order and types are the stage's fixed interface
(finding_id, detector, grade, confidence, partners, supplier, money_at_stake, rows,
statistic, detail, rule; members: finding_id, partner, txn_key, amount).
"""

from __future__ import annotations

from decimal import Decimal

import ibis
import ibis.expr.types as ir

__all__ = [
    "DECIMAL",
    "FINDING_COLUMNS",
    "GRADE_INFORMATION",
    "GRADE_SIGNAL",
    "MEMBER_COLUMNS",
    "findings",
    "members",
    "money_text",
    "number_text",
    "percent_text",
    "positive_payments",
]

DECIMAL = "decimal(18,2)"
GRADE_SIGNAL = "signal to check"
GRADE_INFORMATION = "information"
FINDING_COLUMNS = (
    "finding_id",
    "detector",
    "grade",
    "confidence",
    "partners",
    "supplier",
    "money_at_stake",
    "rows",
    "statistic",
    "detail",
    "rule",
)
MEMBER_COLUMNS = ("finding_id", "partner", "txn_key", "amount")


def findings(
    t: ir.Table,
    *,
    finding_id: ir.StringValue,
    detector: str,
    grade: str,
    confidence: ir.NumericValue,
    partners: ir.StringValue,
    supplier: ir.StringValue,
    money_at_stake: ir.NumericValue,
    rows: ir.IntegerValue,
    statistic: ir.StringValue,
    detail: str,
    rule: str,
) -> ir.Table:
    """Return ``t`` as findings: the interface's columns, in order, with their types."""
    return t.select(
        finding_id=finding_id.cast("string"),
        detector=ibis.literal(detector),
        grade=ibis.literal(grade),
        confidence=confidence.cast("float64"),
        partners=partners.cast("string"),
        supplier=supplier.cast("string"),
        money_at_stake=money_at_stake.cast(DECIMAL),
        rows=rows.cast("int64"),
        statistic=statistic.cast("string"),
        detail=ibis.literal(detail),
        rule=ibis.literal(rule),
    )


def members(t: ir.Table, finding_id: ir.StringValue) -> ir.Table:
    """Return the payments of ``t`` as members of the finding ``finding_id``."""
    return t.select(
        finding_id=finding_id.cast("string"),
        partner=t.partner,
        txn_key=t.txn_key,
        amount=t.amount.cast(DECIMAL),
    )


def positive_payments(payments: ir.Table, minimum: Decimal) -> ir.Table:
    """Return the payments of ``minimum`` or more (credits and refunds are no payment to test)."""
    return payments.filter(payments.amount >= ibis.literal(minimum).cast(DECIMAL))


def money_text(value: ir.NumericValue) -> ir.StringValue:
    """Return ``value`` as '£1234.50' (to the penny)."""
    return ibis.literal("£") + value.cast(DECIMAL).cast("string")


def number_text(value: ir.NumericValue, places: int = 2) -> ir.StringValue:
    """Return ``value`` rounded to ``places`` decimal places, as text."""
    return value.cast("float64").round(places).cast("string")


def percent_text(share: ir.NumericValue) -> ir.StringValue:
    """Return a share (0-1) as '12.3%'."""
    return (share.cast("float64") * 100).round(1).cast("string") + ibis.literal("%")
