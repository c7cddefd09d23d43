"""Payments from one partner to another partner in scope: transfers, counted once.

A transfer (police paying Hyndburn Borough Council) is spent again by the body that
receives it, which reports it in its own ledger; domain spec §3.2 rule 4 counts it
once, at the body that finally spends it, so the payer's line is excluded.
Payees are matched on names normalised to upper-case letters and digits, by prefix
("HYNDBURN BOROUGH COUNCIL (200398)" is a payment to Hyndburn Borough Council).
"""

from __future__ import annotations

import re
from typing import Any

import ibis

from totalplace.workspace import Partner


def normalise_name(name: str) -> str:
    """Return a payee name as upper-case letters and digits only ('Hyndburn B.C.' -> 'HYNDBURNBC')."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def transfer_to(lines: Any, partners: list[Partner]) -> Any:
    """Return an Ibis expression: the slug of the partner a line pays, or NULL if none."""
    payee = lines.supplier_name.upper().re_replace("[^A-Z0-9]+", "")
    cases = []
    for partner in partners:
        for name in partner.payee_names():
            key = normalise_name(name)
            if len(key) < 6:  # too short to be a safe prefix
                continue
            cases.append(((payee.startswith(key)) & (lines.partner != partner.slug), partner.slug))
    if not cases:
        return ibis.null().cast("string")
    return ibis.cases(*cases, else_=ibis.null().cast("string"))
