"""Write the count's tables: ``count_lines``, ``count_months`` and ``count_by_partner_theme_year``.

Every step is an Ibis expression computed in the engine; only the small table of
partner shares and the months loaded (a few rows per partner and year) come from Python.
"""

from __future__ import annotations

from typing import Any

import ibis

from totalplace.count.lines import build_lines, line_years, partner_transactions, shares_table
from totalplace.count.months import months_by_partner_year, write_months
from totalplace.money import ZERO, divide_to_penny, times_share
from totalplace.warehouse import replace_table
from totalplace.workspace import Workspace
from totalplace.years import label_of

__all__ = ["COUNT_TABLE", "LINES_TABLE", "sum_lines", "write_count"]

COUNT_TABLE = "count_by_partner_theme_year"
LINES_TABLE = "count_lines"


def write_count(con: Any, workspace: Workspace) -> None:
    """Compute the count in the engine and write its three tables (replacing them)."""
    partner_lines = partner_transactions(con, workspace)
    lines = build_lines(con, workspace, partner_lines)
    years = line_years(partner_lines)
    fallback_year = workspace.place.population_year
    shares_arrow, _ = shares_table(workspace, sorted(set(years) | {fallback_year}))
    shares = ibis.memtable(shares_arrow)
    lines = lines.mutate(share_year=lines.fy_start_year.fill_null(fallback_year))
    joined = lines.left_join(
        shares, [lines.partner == shares.partner, lines.share_year == shares.fy_start_year]
    ).drop("partner_right", "fy_start_year_right")
    counted_amount = ibis.cases(
        (joined.transfer_kind.notnull(), ibis.literal(ZERO, type="decimal(18,2)")),
        else_=joined.amount,
    )
    count_lines = joined.select(
        "txn_key",
        "partner",
        "fy_start_year",
        "theme",
        "amount",
        "transfer_to",
        "transfer_kind",
        "transfer_rule",
        "share",
        "method",
        base_amount=counted_amount.cast("decimal(18,2)"),
    )
    replace_table(con, LINES_TABLE, count_lines)
    months_arrow = months_by_partner_year(con, workspace)
    write_months(con, months_arrow)
    grouped = sum_lines(con)
    grouped = grouped.mutate(share_year=grouped.fy_start_year.fill_null(fallback_year))
    cells = grouped.left_join(
        shares, [grouped.partner == shares.partner, grouped.share_year == shares.fy_start_year]
    ).drop("partner_right", "fy_start_year_right", "share_year")
    # Each figure carries the months of its year that are loaded: a part year's
    # counted amount and per head are for those months only, not a whole year.
    months = ibis.memtable(
        months_arrow.select(["partner", "fy_start_year", "months_loaded", "months"])
    )
    cells = (
        cells.left_join(
            months, [cells.partner == months.partner, cells.fy_start_year == months.fy_start_year]
        )
        .drop("partner_right", "fy_start_year_right")
        .rename(months_in_year="months")
    )
    cells = cells.mutate(months_loaded=cells.months_loaded.fill_null(0))
    counted = times_share(cells.base_amount, cells.share)
    table = cells.mutate(
        financial_year=label_of(cells.fy_start_year),
        counted_amount=counted,
        per_head=divide_to_penny(counted, cells.population),
    )
    replace_table(con, COUNT_TABLE, table)


def sum_lines(con: Any) -> Any:
    """Return the count's lines summed by partner x year x theme: lines, gross, transfers, base."""
    cl = con.table(LINES_TABLE)
    return cl.group_by(["partner", "fy_start_year", "theme"]).aggregate(
        lines=cl.count().cast("int64"),
        gross_amount=cl.amount.sum().cast("decimal(18,2)"),
        transfers_excluded=(cl.amount - cl.base_amount).sum().cast("decimal(18,2)"),
        to_partners=cl.amount.sum(where=cl.transfer_to.notnull())
        .fill_null(0)
        .cast("decimal(18,2)"),
        base_amount=cl.base_amount.sum().cast("decimal(18,2)"),
    )
