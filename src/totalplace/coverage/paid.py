"""Payments in loaded ledgers to bodies estimated top-down: money counted once, where the ledger pays it.

A payment to a body estimated top-down (Hyndburn paying Lancashire County Council the
county precept) is that body's spending: it is taken off the body's top-down estimate
so it is not counted twice (domain spec §3.2 rule 4).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import ibis

from totalplace import stages
from totalplace.count.transfers import name_keys, prefix_hits
from totalplace.coverage.bodies import Body
from totalplace.money import ZERO, times_share
from totalplace.warehouse import has_table
from totalplace.workspace import Workspace


def _paid_lines(
    workspace: Workspace, year: int, bodies: list[Body], con: Any | None = None
) -> list[dict[str, Any]]:
    """Return counted payments to the bodies in loaded ledgers, by body paid (key), theme, partner and share."""
    wanted = {b.key: b for b in bodies if b.aliases}
    if not wanted:
        return []
    with stages.using(workspace, con) as con:
        if not has_table(con, "count_lines"):
            return []
        cl = con.table("count_lines")
        t = con.table("transactions").select("txn_key", "supplier_name")
        lines = cl.filter((cl.fy_start_year == year) & cl.transfer_to.isnull()).join(t, "txn_key")
        # The first body (in coverage's order) whose name the payee starts with.
        keys_arrow = name_keys((kind, body.aliases) for kind, body in wanted.items())
        if keys_arrow.num_rows == 0:
            return []
        keys = ibis.memtable(keys_arrow)
        hits = prefix_hits(lines, keys)
        first = hits.group_by("supplier_name").aggregate(rank=hits.rank.min())
        paid = first.join(keys, "rank").select("supplier_name", paid_kind=keys.owner)
        lines = lines.join(paid, "supplier_name")
        grouped = lines.group_by(["paid_kind", "theme", "partner", "share"]).aggregate(
            base=lines.base_amount.sum(), n=lines.count()
        )
        grouped = grouped.mutate(
            base=grouped.base.cast("decimal(18,2)"),
            counted=times_share(grouped.base, grouped.share),
        )
        order = [grouped.paid_kind, grouped.theme, grouped.partner, grouped.share]
        rows: list[dict[str, Any]] = grouped.order_by(order).to_pyarrow().to_pylist()
    return rows


def already_counted(
    workspace: Workspace, year: int, bodies: list[Body], con: Any | None = None
) -> dict[str, tuple[Decimal, int, list[str]]]:
    """Return per body (``Body.key``): counted payments to it in loaded ledgers, their number, and payers."""
    # The payments of every theme together, per payer and share, rounded as one product.
    bases: dict[tuple[str, str, Any], tuple[Decimal, int]] = {}
    for r in _paid_lines(workspace, year, bodies, con):
        key = (r["paid_kind"], r["partner"], r["share"])
        base, n = bases.get(key, (Decimal(0), 0))
        bases[key] = (base + Decimal(r["base"]), n + int(r["n"]))
    rows: list[dict[str, Any]] = [
        {
            "paid_kind": kind,
            "partner": partner,
            "counted": (base * Decimal(share or 0)).quantize(Decimal("0.01"), ROUND_HALF_UP),
            "n": n,
        }
        for (kind, partner, share), (base, n) in bases.items()
    ]
    names = {p.slug: p.name for p in workspace.partners}
    out: dict[str, tuple[Decimal, int, list[str]]] = {}
    for r in sorted(rows, key=lambda r: (r["paid_kind"], -r["counted"])):
        amount, n, payers = out.get(r["paid_kind"], (ZERO, 0, []))
        payer = names.get(r["partner"], r["partner"])
        out[r["paid_kind"]] = (
            amount + Decimal(r["counted"]),
            n + int(r["n"]),
            payers if payer in payers else [*payers, payer],
        )
    return out


def already_counted_by_theme(
    workspace: Workspace, year: int, bodies: list[Body], con: Any | None = None
) -> dict[tuple[str, str], Decimal]:
    """Return per (body key, theme): payments to that body counted in loaded ledgers in ``year``.

    The payments are matched as for the coverage (payee name prefix against the body's
    usual names) and kept under the theme the count gave them, so a theme's top-down
    estimate for the body can be netted of them. Needs the count's ``count_lines``.
    """
    out: dict[tuple[str, str], Decimal] = {}
    for r in _paid_lines(workspace, year, bodies, con):
        key = (r["paid_kind"], r["theme"])
        out[key] = out.get(key, ZERO) + Decimal(r["counted"])
    return out
