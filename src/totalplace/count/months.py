"""Months loaded: per partner and financial year, which months of the year have transactions.

A year with fewer than 12 months loaded is a part year: its figures are for those
months only, and anything said "a year" must say so. Undated rows (no transaction
date, so in no financial year) are kept per partner with their rows and amount.
The months are found in the engine (one row per partner, year and month); only
those few aggregate rows are labelled in Python.
"""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from totalplace.money import ZERO
from totalplace.warehouse import replace_table
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = [
    "MONTHS_TABLE",
    "month_label",
    "months_by_partner_year",
    "runs",
    "summaries_by_partner",
    "undated_by_partner",
    "write_months",
]

MONTHS_TABLE = "count_months"
_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip

SCHEMA = pa.schema(
    [
        ("partner", pa.string()),
        ("fy_start_year", pa.int64()),
        ("financial_year", pa.string()),
        ("fy_start_month", pa.int64()),
        ("months_loaded", pa.int64()),
        ("months", pa.string()),
        ("months_missing", pa.string()),
        ("month_numbers", pa.string()),
        ("lines", pa.int64()),
        ("gross_amount", pa.decimal128(18, 2)),
    ]
)


def runs(numbers: list[int], fy_start_month: int) -> str:
    """Return months (1-12) as runs in financial-year order: 'Apr–Jan', 'Apr–Jun, Sep' ('' if none)."""
    order = sorted(set(numbers), key=lambda m: (m - fy_start_month) % 12)
    groups: list[list[int]] = []
    for month in order:
        if groups and (month - groups[-1][-1]) % 12 == 1:
            groups[-1].append(month)
        else:
            groups.append([month])
    parts = []
    for group in groups:
        first, last = _ABBREVIATIONS[group[0] - 1], _ABBREVIATIONS[group[-1] - 1]
        parts.append(first if len(group) == 1 else f"{first}–{last}")
    return ", ".join(parts)


def month_label(months_loaded: int, months: str) -> str:
    """Return '12 months' or '10 of 12 months (Apr–Jan)': the months behind a year's figures."""
    if months_loaded >= 12:
        return "12 months"
    return f"{months_loaded} of 12 months ({months})"


def months_by_partner_year(con: Any, workspace: Workspace) -> pa.Table:
    """Return per partner and dated financial year: the months loaded, their runs, lines and amount.

    Reads ``count_lines`` and ``transactions``; a month is loaded when the partner has
    at least one counted line dated in it.
    """
    cl = con.table("count_lines").filter(lambda t: t.fy_start_year.notnull())
    t = con.table("transactions").select("txn_key", "txn_date")
    joined = cl.join(t, "txn_key")
    dated = joined.mutate(month=joined.txn_date.month().cast("int64"))
    per_month = (
        dated.group_by(["partner", "fy_start_year", "month"])
        .aggregate(lines=dated.count(), gross=dated.amount.sum())
        .to_pyarrow()
        .to_pylist()
    )
    starts = {p.slug: p.fy_start_month for p in workspace.partners}
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for row in per_month:
        key = (row["partner"], int(row["fy_start_year"]))
        item = found.setdefault(key, {"months": [], "lines": 0, "gross": ZERO})
        item["months"].append(int(row["month"]))
        item["lines"] += int(row["lines"])
        item["gross"] += row["gross"]
    rows = []
    for (partner, year), item in sorted(found.items()):
        start = starts.get(partner, workspace.place.financial_year_start)
        months = sorted(set(item["months"]), key=lambda m: (m - start) % 12)
        missing = [m for m in range(1, 13) if m not in months]
        rows.append(
            {
                "partner": partner,
                "fy_start_year": year,
                "financial_year": year_label(year),
                "fy_start_month": start,
                "months_loaded": len(months),
                "months": runs(months, start),
                "months_missing": runs(missing, start),
                "month_numbers": ",".join(str(m) for m in months),
                "lines": item["lines"],
                "gross_amount": item["gross"],
            }
        )
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def undated_by_partner(con: Any) -> list[dict[str, Any]]:
    """Return per partner its rows without a date (in no financial year): rows and amount, exact."""
    cl = con.table("count_lines")
    undated = cl.filter(cl.fy_start_year.isnull())
    rows: list[dict[str, Any]] = (
        undated.group_by("partner")
        .aggregate(rows=undated.count(), amount=undated.amount.sum().cast("decimal(18,2)"))
        .order_by("partner")
        .to_pyarrow()
        .to_pylist()
    )
    return rows


def summaries_by_partner(con: Any) -> list[dict[str, Any]]:
    """Return per partner its rows from summary files (dated to a period, not a payment).

    Summary files give one row per supplier for a month (``date_precision = 'period'``):
    counted in their month, but not single payments, so the count says so.
    """
    t = con.table("transactions")
    summary = t.filter(t.date_precision == "period")
    rows: list[dict[str, Any]] = (
        summary.group_by("partner")
        .aggregate(
            rows=summary.count(),
            files=summary.source_file.nunique(),
            amount=summary.amount.sum().cast("decimal(18,2)"),
        )
        .order_by("partner")
        .to_pyarrow()
        .to_pylist()
    )
    return rows


def write_months(con: Any, table: pa.Table) -> None:
    """Write the months table (``count_months``)."""
    replace_table(con, MONTHS_TABLE, ibis.memtable(table))
