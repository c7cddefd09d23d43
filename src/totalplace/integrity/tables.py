"""What a detector returns (:class:`Found`) and the columns of the integrity tables.

Every detector is ``detect(payments, params) -> Found``: two Ibis tables, the findings
(one row per group of payments that looks wrong) and their members (one row per
payment behind a finding). The run writes the union of every detector's as
``integrity_findings`` and ``integrity_members``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    "finding_id",
    "partners_list",
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


def union_found(found: list[Found]) -> Found:
    """Return every detector's findings and members as one Found, columns typed alike."""
    if not found:
        return empty_found()
    findings = ibis.union(*[_typed(f.findings, FINDING_COLUMNS) for f in found])
    members = ibis.union(*[_typed(f.members, MEMBER_COLUMNS) for f in found])
    return Found(findings, members)
