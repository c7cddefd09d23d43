"""What a detector returns (:class:`Found`), the columns of the integrity tables, and their wording helpers.

Every detector is ``detect(payments, params) -> Found``: two Ibis tables, the findings
(one row per group of payments that looks wrong) and their members (one row per
payment behind a finding). The run writes the union of every detector's as
``integrity_findings`` and ``integrity_members``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir

__all__ = [
    "DECIMAL",
    "FINDING_COLUMNS",
    "GRADES",
    "MEMBER_COLUMNS",
    "PROBABLE",
    "SIGNAL",
    "INFORMATION",
    "Found",
    "empty_found",
    "family",
    "finding_id",
    "findings",
    "members",
    "money_text",
    "named",
    "number_text",
    "partners_list",
    "percent_text",
    "positive_payments",
    "purchases",
    "settled",
    "union_found",
]

DECIMAL = "decimal(18,2)"
PROBABLE = "probable error"
SIGNAL = "signal to check"
INFORMATION = "information"
#: The grades, most serious first.
GRADES: tuple[str, ...] = (PROBABLE, SIGNAL, INFORMATION)

#: integrity_findings: column -> type.
FINDING_COLUMNS: dict[str, str] = {
    "finding_id": "string",
    "detector": "string",
    "grade": "string",
    "confidence": "float64",
    "partners": "string",
    "supplier": "string",
    "money_at_stake": DECIMAL,
    "rows": "int64",
    "statistic": "string",
    "detail": "string",
    "rule": "string",
}
#: integrity_members: column -> type.
MEMBER_COLUMNS: dict[str, str] = {
    "finding_id": "string",
    "partner": "string",
    "txn_key": "string",
    "amount": DECIMAL,
}


@dataclass(frozen=True)
class Found:
    """A detector's result: ``findings`` and ``members`` (Ibis tables of the columns above)."""

    findings: ir.Table
    members: ir.Table


def finding_id(detector: str, first_txn: ir.StringValue) -> ir.StringValue:
    """Return a deterministic finding id: the detector and the group's first transaction key.

    A payment belongs to at most one finding of a detector, so the id is unique; the
    same payments give the same id on every run and engine, and it names a source row.
    """
    return ibis.literal(f"{detector}:") + first_txn


def partners_list(values: ir.StringColumn) -> ir.StringValue:
    """Return an aggregate: the distinct partner slugs, sorted, joined with ', '."""
    return values.collect(distinct=True).sort().join(", ")


def _typed(table: ir.Table, columns: dict[str, str]) -> ir.Table:
    return table.select(**{name: table[name].cast(kind) for name, kind in columns.items()})


def empty_found() -> Found:
    """Return a Found with no findings and no members (the right columns)."""
    f = ibis.memtable({k: [] for k in FINDING_COLUMNS}, schema=FINDING_COLUMNS)
    m = ibis.memtable({k: [] for k in MEMBER_COLUMNS}, schema=MEMBER_COLUMNS)
    return Found(f, m)


def settled(found: Found) -> Found:
    """Return ``found`` computed once: its two tables cached now, typed alike.

    The detectors' plans are deep (windows over runs, tiers that read the tier before);
    unioned unsettled, Spark plans and runs them all as one query, whose many concurrent
    aggregations exhaust a small driver's memory. One detector at a time bounds it. Every
    engine's cache is made at once (a temporary table; on Spark a local checkpoint).
    """
    findings = _typed(found.findings, FINDING_COLUMNS).cache()
    return Found(findings, _typed(found.members, MEMBER_COLUMNS).cache())


def union_found(found: list[Found]) -> Found:
    """Return every detector's findings and members as one Found, columns typed alike."""
    if not found:
        return empty_found()
    findings = ibis.union(*[_typed(f.findings, FINDING_COLUMNS) for f in found])
    members = ibis.union(*[_typed(f.members, MEMBER_COLUMNS) for f in found])
    return Found(findings, members)


def findings(
    t: ir.Table,
    *,
    finding_id: ir.StringValue,
    detector: str,
    grade: str | ir.StringValue,
    confidence: ir.NumericValue,
    partners: ir.StringValue,
    supplier: ir.StringValue,
    money_at_stake: ir.NumericValue,
    rows: ir.IntegerValue,
    statistic: ir.StringValue,
    detail: str | ir.StringValue,
    rule: str,
) -> ir.Table:
    """Return ``t`` as findings: :data:`FINDING_COLUMNS`, in order, with their types."""
    return t.select(
        finding_id=finding_id.cast("string"),
        detector=ibis.literal(detector),
        grade=ibis.literal(grade) if isinstance(grade, str) else grade.cast("string"),
        confidence=confidence.cast("float64"),
        partners=partners.cast("string"),
        supplier=supplier.cast("string"),
        money_at_stake=money_at_stake.cast(DECIMAL),
        rows=rows.cast("int64"),
        statistic=statistic.cast("string"),
        detail=ibis.literal(detail) if isinstance(detail, str) else detail.cast("string"),
        rule=ibis.literal(rule),
    )


def members(t: ir.Table, finding_id: ir.StringValue) -> ir.Table:
    """Return the payments of ``t`` as members (:data:`MEMBER_COLUMNS`) of the finding ``finding_id``."""
    return t.select(
        finding_id=finding_id.cast("string"),
        partner=t.partner,
        txn_key=t.txn_key,
        amount=t.amount.cast(DECIMAL),
    )


def named(payments: ir.Table) -> ir.Table:
    """Return the payments to a named supplier: a redacted or withheld payee is never a supplier group."""
    return payments.filter(payments.supplier_key.notnull())


def purchases(payments: ir.Table) -> ir.Table:
    """Return the payments that buy something: the count's transfers left out.

    A precept, a levy or a grant to a partner (``transfer_kind``) is money passed on, not
    bought: it is paid in round sums, at fixed times, often once -- the very patterns the
    detectors look for in purchases. A table without the column is all purchases.
    """
    if "transfer_kind" not in payments.columns:
        return payments
    return payments.filter(payments.transfer_kind.isnull())


def positive_payments(payments: ir.Table, minimum: Decimal) -> ir.Table:
    """Return the payments of ``minimum`` or more (credits and refunds are no payment to test)."""
    return payments.filter(payments.amount >= ibis.literal(minimum).cast(DECIMAL))


def money_text(value: ir.NumericValue) -> ir.StringValue:
    """Return ``value`` as '£1234.50' (to the penny)."""
    return ibis.literal("£") + value.cast(DECIMAL).cast("string")


def number_text(value: ir.NumericValue, places: int = 2) -> ir.StringValue:
    """Return ``value`` rounded to ``places`` decimal places, as text ('75.0', never '75').

    Through a decimal: a float's text differs between engines (PostgreSQL writes 75.0 as
    '75', DuckDB as '75.0').
    """
    return value.cast("float64").round(places).cast(f"decimal(20,{places})").cast("string")


def percent_text(share: ir.NumericValue) -> ir.StringValue:
    """Return a share (0-1) as '12.3%'."""
    return number_text(share.cast("float64") * 100, 1) + ibis.literal("%")


def family(detector: str) -> str:
    """Return the ``--detector`` name of a finding's detector label: 'duplicate (exact)' -> 'duplicates'."""
    head = detector.split(" (")[0]
    # The signals' labels are their --detector names already (round_numbers, year_end,
    # one_off, benford, concentration, dependency).
    families = {
        "duplicate": "duplicates",
        "repeated lines in one file": "duplicates",
        "split order": "splits",
    }
    return families.get(head, head)
