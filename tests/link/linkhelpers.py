"""Helpers for the link tests: payee tables from real published names, register lookups.

Payee names, VAT and company numbers in the tests are copied from the real files in
../shared/realdata (Trafford 2024-25, Calderdale 2019-09, Oxford 2014, Lancashire);
where a test needs a messy format, the real number is written as publishers do
('gb 386 1159 78', '8528940').
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import pyarrow as pa

from totalplace.link import Register
from totalplace.link.payees import PAYEE_SCHEMA

#: Splink switched off: only deterministic evidence can join payees.
NO_SPLINK = 1e9


def payee_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Return a payee table (PAYEE_SCHEMA) from dicts; missing fields are NULL, payments 1."""
    filled = []
    for row in rows:
        item: dict[str, Any] = {name: row.get(name) for name in PAYEE_SCHEMA.names}
        item["payee_status"] = row.get("payee_status", "named")
        item["payments"] = row.get("payments", 1)
        item["amount"] = Decimal(str(row.get("amount", "100.00")))
        filled.append(item)
    return pa.Table.from_pylist(filled, schema=PAYEE_SCHEMA)


def supplier_of(register: Register, partner: str, raw_name: str | None) -> str:
    """Return the supplier id the register gives one partner's payee."""
    members = register.members.to_pylist()
    found = [
        m["supplier_id"] for m in members if m["partner"] == partner and m["raw_name"] == raw_name
    ]
    assert len(found) == 1, (partner, raw_name, found)
    return str(found[0])


def kind_of(register: Register, supplier_id: str) -> str:
    """Return the kind of a supplier."""
    return next(
        s["kind"] for s in register.suppliers.to_pylist() if s["supplier_id"] == supplier_id
    )
