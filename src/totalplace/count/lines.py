"""The count's lines: every transaction with its partner, financial year, theme and transfer flag.

One Ibis expression over ``transactions`` (and ``classifications`` when classify has
run), plus the small table of each partner's share of its spending counted in the place.
"""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from totalplace import stages
from totalplace.count.apportion import Share, partner_share, place_population
from totalplace.count.result import UNCLASSIFIED, CountError
from totalplace.count.transfers import transfer_to
from totalplace.warehouse import has_table
from totalplace.workspace import Workspace
from totalplace.years import start_year_of

__all__ = ["build_lines", "shares_table"]


def shares_table(workspace: Workspace, years: list[int]) -> tuple[pa.Table, list[Share]]:
    """Return per partner and year its share counted in the place, method, driver and population."""
    shares = [partner_share(workspace.place, p, y) for p in workspace.partners for y in years]
    table = pa.table(
        {
            "partner": pa.array([s.partner for s in shares], pa.string()),
            "fy_start_year": pa.array([s.fy_start_year for s in shares], pa.int64()),
            "share": pa.array([s.share for s in shares], pa.decimal128(18, 15)),
            "method": pa.array([s.method for s in shares], pa.string()),
            "driver": pa.array([s.driver for s in shares], pa.string()),
            "confidence": pa.array([s.confidence for s in shares], pa.string()),
            "population": pa.array(
                [place_population(workspace.place, s.fy_start_year)[0] for s in shares], pa.int64()
            ),
            "population_year": pa.array([s.population_year for s in shares], pa.int64()),
        }
    )
    return table, shares


def build_lines(con: Any, workspace: Workspace) -> Any:
    """Return an Ibis table of every transaction with partner, financial year, theme and transfer flag.

    Uses the classify stage's ``classifications`` when it has run (raising StageStale if
    it ran on other inputs); without it every line is 'Unclassified'.
    """
    known = [p.slug for p in workspace.partners]
    if not known or not has_table(con, "transactions"):
        raise CountError("nothing imported yet: add partners and run 'totalplace import' first")
    t = con.table("transactions")
    t = t.filter(t.partner.isin(known))
    if t.count().execute() == 0:
        raise CountError(
            "no transactions of this workspace's partners are imported yet: run 'totalplace import' first"
        )
    fy_start = ibis.cases(
        *[(t.partner == p.slug, p.fy_start_month) for p in workspace.partners],
        else_=workspace.place.financial_year_start,
    )
    start_year = start_year_of(t.txn_date, fy_start)
    if has_table(con, "classifications"):
        if stages.last_run(con, "classify") is not None:
            stages.require(con, workspace, "classify")
        c = con.table("classifications").select(
            "txn_key", "theme", "subjective", "front_back", "transfer", "transfer_rule"
        )
        t = t.left_join(c, "txn_key").drop("txn_key_right")
        theme = t.theme.fill_null(UNCLASSIFIED)
        passed_on, passed_on_rule = t.transfer, t.transfer_rule
    else:
        theme = ibis.literal(UNCLASSIFIED)
        passed_on = passed_on_rule = ibis.null().cast("string")
    to_partner = transfer_to(t, workspace.partners)
    return t.mutate(
        fy_start_year=start_year,
        theme=theme,
        transfer_to=to_partner,
        # Why a line is not counted here: paid to another partner (counted where that
        # partner spends it) or passed on to a body outside the count (precepts etc.).
        transfer_kind=ibis.cases(
            (to_partner.notnull(), ibis.literal("paid to a partner")),
            else_=passed_on,
        ),
        transfer_rule=ibis.cases(
            (to_partner.notnull(), ibis.literal("count.transfer.partner_payee")),
            else_=passed_on_rule,
        ),
    )
