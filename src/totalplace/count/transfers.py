"""Payments from one partner to another partner in scope: transfers, counted once.

A transfer (police paying Hyndburn Borough Council) is spent again by the body that
receives it, which reports it in its own ledger; domain spec §3.2 rule 4 counts it
once, at the body that finally spends it, so the payer's line is excluded.
Payees are matched on names normalised to upper-case letters and digits, by prefix
("HYNDBURN BOROUGH COUNCIL (200398)" is a payment to Hyndburn Borough Council).

The match runs on the distinct payee names, never per transaction, and against a
table of the partners' names rather than a branch per name: the work grows with the
payees a ledger has, not with the number of partners times its rows.
"""

from __future__ import annotations

import re
from typing import Any

import ibis
import pyarrow as pa

from totalplace.workspace import Partner

#: A normalised name shorter than this is too short to be a safe prefix.
MIN_KEY = 6


def normalise_name(name: str) -> str:
    """Return a payee name as upper-case letters and digits only ('Hyndburn B.C.' -> 'HYNDBURNBC')."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def name_keys(partners: list[Partner]) -> pa.Table:
    """Return each partner's payee names as keys: ``key``, ``to_partner`` and ``rank`` (first wins)."""
    rows = [
        (key, partner.slug)
        for partner in partners
        for name in partner.payee_names()
        if len(key := normalise_name(name)) >= MIN_KEY
    ]
    return pa.table(
        {
            "key": pa.array([k for k, _ in rows], pa.string()),
            "to_partner": pa.array([s for _, s in rows], pa.string()),
            "rank": pa.array(range(len(rows)), pa.int64()),
        }
    )


def transfers_table(lines: Any, partners: list[Partner]) -> Any:
    """Return an Ibis table of ``supplier_name``, ``partner`` (the payer) and ``transfer_to``.

    One row per payee name and payer whose name starts with another partner's name
    key; the first partner in place.toml order wins when several keys match. None when
    no partner has a usable name.
    """
    keys_arrow = name_keys(partners)
    if keys_arrow.num_rows == 0:
        return None
    keys = ibis.memtable(keys_arrow)
    names = lines.select("supplier_name").distinct()
    names = names.mutate(payee=names.supplier_name.upper().re_replace("[^A-Z0-9]+", ""))
    # A prefix match written as an equality of the payee's first len(key) characters:
    # every engine joins it the same way (a small nested loop of names x keys).
    hits = names.join(keys, names.payee.substr(0, keys.key.length()) == keys.key).select(
        "supplier_name", "to_partner", "rank"
    )
    payers = lines.select("supplier_name", "partner").distinct()
    candidates = payers.join(hits, "supplier_name")
    candidates = candidates.filter(candidates.partner != candidates.to_partner)
    first = candidates.group_by(["supplier_name", "partner"]).aggregate(rank=candidates.rank.min())
    return first.join(keys, "rank").select("supplier_name", "partner", transfer_to=keys.to_partner)
