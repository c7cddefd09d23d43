"""The count's lines: every transaction with its partner, financial year, theme and transfer flag.

One Ibis expression over ``transactions`` (and ``classifications`` when classify has
run), plus the small table of each partner's share of its spending counted in the place.
"""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from totalplace import stages
from totalplace.count.apportion import Share, partner_shares
from totalplace.count.result import UNCLASSIFIED, CountError
from totalplace.count.transfers import transfers_table
from totalplace.joins import lookup_table
from totalplace.warehouse import has_table
from totalplace.workspace import Workspace
from totalplace.years import start_year_of

__all__ = ["build_lines", "line_years", "partner_transactions", "shares_table"]


def shares_table(workspace: Workspace, years: list[int]) -> tuple[pa.Table, list[Share]]:
    """Return per partner and year its share counted in the place, method, driver and population."""
    shares = partner_shares(workspace.place, workspace.partners, years)
    table = pa.table(
        {
            "partner": pa.array([s.partner for s in shares], pa.string()),
            "fy_start_year": pa.array([s.fy_start_year for s in shares], pa.int64()),
            "share": pa.array([s.share for s in shares], pa.decimal128(18, 15)),
            "method": pa.array([s.method for s in shares], pa.string()),
            "driver": pa.array([s.driver for s in shares], pa.string()),
            "confidence": pa.array([s.confidence for s in shares], pa.string()),
            "population": pa.array([s.place_population for s in shares], pa.int64()),
            "population_year": pa.array([s.population_year for s in shares], pa.int64()),
        }
    )
    return table, shares


def build_lines(con: Any, workspace: Workspace, t: Any) -> Any:
    """Return an Ibis table of every transaction with partner, financial year, theme and transfer flag.

    ``t`` is :func:`partner_transactions`. Uses the classify stage's ``classifications``
    when it has run (raising StageStale if it ran on other inputs); without it every
    line is 'Unclassified'.
    """
    transfers = transfers_table(t, workspace.partners)
    if has_table(con, "classifications"):
        if stages.last_run(con, "classify") is not None:
            stages.require(con, workspace, "classify")
        c = con.table("classifications").select(
            "txn_key", "theme", "subjective", "front_back", "transfer", "transfer_rule"
        )
        t = t.left_join(c, "txn_key").drop("txn_key_right")
        t = t.mutate(theme=t.theme.fill_null(UNCLASSIFIED))
    else:
        null = ibis.null().cast("string")
        t = t.mutate(theme=ibis.literal(UNCLASSIFIED), transfer=null, transfer_rule=null)
    if transfers is None:
        t = t.mutate(transfer_to=ibis.null().cast("string"))
    else:
        t = t.left_join(transfers, ["supplier_name", "partner"]).drop(
            "supplier_name_right", "partner_right"
        )
    to_partner = t.transfer_to
    return t.mutate(
        # Why a line is not counted here: paid to another partner (counted where that
        # partner spends it) or passed on to a body outside the count (precepts etc.).
        transfer_kind=ibis.cases(
            (to_partner.notnull(), ibis.literal("paid to a partner")),
            else_=t.transfer,
        ),
        transfer_rule=ibis.cases(
            (to_partner.notnull(), ibis.literal("count.transfer.partner_payee")),
            else_=t.transfer_rule,
        ),
    )


def line_years(t: Any) -> list[int]:
    """Return the financial years (start years) of :func:`partner_transactions`, dated lines only."""
    found = t.select("fy_start_year").distinct().to_pyarrow().column(0).to_pylist()
    return sorted(int(y) for y in found if y is not None)


def partner_transactions(con: Any, workspace: Workspace) -> Any:
    """Return the workspace's partners' transactions with each line's ``fy_start_year``.

    Raises CountError when none are imported yet.
    """
    known = [p.slug for p in workspace.partners]
    if not known or not has_table(con, "transactions"):
        raise CountError("nothing imported yet: add partners and run 'totalplace import' first")
    t = con.table("transactions")
    # Only the columns the count uses: every further column is payload each join carries.
    t = t.filter(t.partner.isin(known)).select(
        "txn_key", "partner", "txn_date", "amount", "supplier_name"
    )
    if t.count().execute() == 0:
        raise CountError(
            "no transactions of this workspace's partners are imported yet: run 'totalplace import' first"
        )
    t = _with_fy_start(t, workspace)
    return t.mutate(fy_start_year=start_year_of(t.txn_date, t.fy_start_month)).drop(
        "fy_start_month"
    )


def _with_fy_start(t: Any, workspace: Workspace) -> Any:
    """Return ``t`` with each line's partner's ``fy_start_month`` (joined, not one branch per partner)."""
    default = workspace.place.financial_year_start
    if all(p.fy_start_month == default for p in workspace.partners):
        return t.mutate(fy_start_month=ibis.literal(default, type="int64"))
    starts = {p.slug: p.fy_start_month for p in workspace.partners}
    months = lookup_table("partner", "fy_start_month", starts, pa.int64())
    joined = t.left_join(months, "partner").drop("partner_right")
    return joined.mutate(fy_start_month=joined.fy_start_month.fill_null(default))
