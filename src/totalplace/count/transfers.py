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
from collections.abc import Iterable
from typing import Any

import ibis
import pyarrow as pa

from totalplace.workspace import Partner

#: A normalised name shorter than this is too short to be a safe prefix.
MIN_KEY = 6


def normalise_name(name: str) -> str:
    """Return a payee name as upper-case letters and digits only ('Hyndburn B.C.' -> 'HYNDBURNBC')."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def payee_key(name: Any) -> Any:
    """Return an Ibis expression: the names as :func:`normalise_name` writes them, in the engine."""
    return name.upper().re_replace("[^A-Z0-9]+", "")


def name_keys(owners: Iterable[tuple[str, Iterable[str]]]) -> pa.Table:
    """Return ``key``, ``owner`` and ``rank`` for each owner's names long enough to be a safe prefix.

    ``rank`` follows the order given: where a payee starts with several keys, the
    first wins.
    """
    rows = [
        (key, owner)
        for owner, names in owners
        for name in names
        if len(key := normalise_name(name)) >= MIN_KEY
    ]
    return pa.table(
        {
            "key": pa.array([k for k, _ in rows], pa.string()),
            "owner": pa.array([o for _, o in rows], pa.string()),
            "rank": pa.array(range(len(rows)), pa.int64()),
        }
    )


def prefix_hits(lines: Any, keys: Any) -> Any:
    """Return ``supplier_name``, ``owner`` and ``rank`` for each distinct payee name starting with a key.

    Matched once per distinct name, never per line. The prefix is written as an
    equality of the payee's first len(key) characters: every engine joins it the same
    way (a small nested loop of names x keys).
    """
    names = lines.select("supplier_name").distinct()
    names = names.mutate(payee=payee_key(names.supplier_name))
    matched = names.join(keys, names.payee.substr(0, keys.key.length()) == keys.key)
    return matched.select("supplier_name", "owner", "rank")


def transfers_table(lines: Any, partners: list[Partner]) -> Any:
    """Return an Ibis table of ``supplier_name``, ``partner`` (the payer) and ``transfer_to``.

    One row per payee name and payer whose name starts with another partner's name
    key; the first partner in place.toml order wins when several keys match. None when
    no partner has a usable name.
    """
    keys_arrow = name_keys((p.slug, p.payee_names()) for p in partners)
    if keys_arrow.num_rows == 0:
        return None
    keys = ibis.memtable(keys_arrow)
    payers = lines.select("supplier_name", "partner").distinct()
    candidates = payers.join(prefix_hits(lines, keys), "supplier_name")
    candidates = candidates.filter(candidates.partner != candidates.owner)
    first = candidates.group_by(["supplier_name", "partner"]).aggregate(rank=candidates.rank.min())
    return first.join(keys, "rank").select("supplier_name", "partner", transfer_to=keys.owner)
