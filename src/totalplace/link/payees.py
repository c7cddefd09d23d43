"""Payees: what the linker starts from, one row per partner and published payee name.

The warehouse aggregates the transactions (an Ibis group-by, computed in the engine)
to one row per partner, payee name, status and published identifiers; the linker
never loops over transaction rows. :func:`members_sql` then makes one *member* per
(partner, payee name) -- the unit the register assigns to a supplier.
"""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from totalplace.link.identifiers import charity_number_sql, company_number_sql, vat_sql
from totalplace.link.kinds import ONE_OFF_ID_PATTERN

#: Columns of the payee table the linker takes as input.
PAYEE_SCHEMA = pa.schema(
    [
        ("partner", pa.string()),
        ("raw_name", pa.string()),
        ("payee_status", pa.string()),
        ("supplier_id", pa.string()),
        ("vat_number", pa.string()),
        ("company_number", pa.string()),
        ("charity_number", pa.string()),
        ("supplier_postcode", pa.string()),
        ("payments", pa.int64()),
        ("amount", pa.decimal128(18, 2)),
    ]
)


def payees_expr(transactions: Any) -> Any:
    """Return an Ibis expression: transactions aggregated to payee rows (PAYEE_SCHEMA)."""
    t = transactions
    return (
        t.group_by(
            [
                t.partner,
                t.supplier_name.name("raw_name"),
                t.payee_status,
                t.supplier_id,
                t.vat_number,
                t.company_number,
                t.charity_number,
                t.supplier_postcode,
            ]
        )
        .aggregate(payments=t.count(), amount=t.amount.sum())
        .mutate(amount=ibis._.amount.cast("decimal(18, 2)"))
    )


def load_payees(con: Any) -> pa.Table:
    """Return the payee rows of the warehouse behind Ibis backend ``con`` as Arrow."""
    table = payees_expr(con.table("transactions")).to_pyarrow()
    return table.select(PAYEE_SCHEMA.names).cast(PAYEE_SCHEMA)


def members_sql(payee_table: str) -> str:
    """Return SQL: one member per (partner, raw_name) with payments, amount and flags.

    ``member_id`` numbers members in (partner, raw_name) order; ``one_off_ids`` is
    true when every supplier id the member was paid under is a one-off account.
    """
    return f"""
SELECT row_number() OVER (ORDER BY partner, raw_name NULLS FIRST) AS member_id, *
FROM (
    SELECT partner, raw_name,
        CASE WHEN bool_or(payee_status = 'named') THEN 'named'
             ELSE min(payee_status) END AS payee_status,
        sum(payments)::BIGINT AS payments,
        sum(amount)::DECIMAL(18, 2) AS amount,
        count(supplier_id) > 0
            AND bool_and(supplier_id IS NULL OR regexp_matches(supplier_id, '{ONE_OFF_ID_PATTERN}'))
            AS one_off_ids,
        coalesce(mode(nullif(upper(trim(regexp_replace(supplier_postcode, '\\s+', ' ', 'g'))), '')
                      ORDER BY supplier_postcode), '')
            AS postcode
    FROM {payee_table}
    GROUP BY partner, raw_name
)
"""


def member_identifiers_sql(payee_table: str, members_table: str) -> str:
    """Return SQL: the distinct normalised identifiers of each member.

    Columns ``member_id``, ``id_type`` ('vat', 'company_number', 'charity_number',
    'supplier_id') and ``id_value`` (supplier ids prefixed by the partner, since they
    only mean something inside one ledger).
    """
    return f"""
WITH p AS (
    SELECT m.member_id, p.*
    FROM {payee_table} p JOIN {members_table} m
      ON m.partner = p.partner AND m.raw_name = p.raw_name  -- (blank names have no numbers)
    WHERE m.payee_status = 'named'
)
SELECT DISTINCT member_id, id_type, id_value FROM (
    SELECT member_id, 'vat' AS id_type, {vat_sql("vat_number")} AS id_value FROM p
    UNION ALL
    SELECT member_id, 'company_number', {company_number_sql("company_number")} FROM p
    UNION ALL
    SELECT member_id, 'charity_number', {charity_number_sql("charity_number")} FROM p
    UNION ALL
    SELECT member_id, 'supplier_id', partner || '|' || trim(supplier_id) FROM p
    WHERE nullif(trim(supplier_id), '') IS NOT NULL
      AND NOT regexp_matches(trim(supplier_id), '{ONE_OFF_ID_PATTERN}')
)
WHERE id_value IS NOT NULL
"""
