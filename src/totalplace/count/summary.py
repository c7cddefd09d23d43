"""Read the count back from its tables: rows, totals by year, reconciliation and plain-words notes.

Nothing here recomputes the count: it reads ``count_by_partner_theme_year``,
``count_months`` and ``count_lines`` as the count stage wrote them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from totalplace.count.cells import COUNT_TABLE
from totalplace.count.months import (
    MONTHS_TABLE,
    month_label,
    summaries_by_partner,
    undated_by_partner,
)
from totalplace.count.need import need_notes
from totalplace.count.result import CountResult
from totalplace.money import ZERO
from totalplace.workspace import Workspace
from totalplace.years import DATE_MISSING

__all__ = ["count_rows", "read_count"]


def count_rows(con: Any) -> list[dict[str, Any]]:
    """Return the rows of ``count_by_partner_theme_year`` in year (undated last), partner, theme order."""
    t = con.table(COUNT_TABLE)
    ordered = t.order_by([t.fy_start_year.isnull(), t.fy_start_year, t.partner, t.theme])
    rows: list[dict[str, Any]] = ordered.to_pyarrow().to_pylist()
    return rows


def read_count(con: Any, workspace: Workspace) -> CountResult:
    """Return the place count as the count stage wrote it, with totals, reconciliation and notes."""
    rows = count_rows(con)
    names = {p.slug: p.name for p in workspace.partners}
    for row in rows:
        row["partner_name"] = names.get(row["partner"], row["partner"])
    m = con.table(MONTHS_TABLE)
    months_rows = m.order_by([m.partner, m.fy_start_year]).to_pyarrow().to_pylist()
    undated = undated_by_partner(con)
    summaries = summaries_by_partner(con)
    return CountResult(
        months=[{**r, "partner_name": names.get(r["partner"], r["partner"])} for r in months_rows],
        undated=[{**u, "partner_name": names.get(u["partner"], u["partner"])} for u in undated],
        summaries=[{**u, "partner_name": names.get(u["partner"], u["partner"])} for u in summaries],
        place={
            "code": workspace.place.code,
            "name": workspace.place.name,
            "partners": [p.name for p in workspace.partners],
        },
        rows=rows,
        by_year=totals_by_year(rows),
        reconciliation=reconcile(con, rows),
        notes=[
            *coverage_notes(workspace, months_rows, undated, summaries),
            *need_notes(workspace),
        ],
    )


def totals_by_year(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return per year the counted total and per head, with the months behind them.

    A year where a partner has fewer than 12 months loaded is labelled a part year;
    ``annualised_amount`` and ``annualised_per_head`` scale each such partner's
    figure by 12 / its months loaded, and ``annualised_how`` says so: an estimate,
    never the count.
    """
    totals: dict[str, dict[str, Any]] = {}
    partners: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        item = totals.setdefault(
            row["financial_year"],
            {
                "financial_year": row["financial_year"],
                "counted_amount": ZERO,
                "population": row["population"],
            },
        )
        item["counted_amount"] += row["counted_amount"]
        mine = partners.setdefault(row["financial_year"], {}).setdefault(
            row["partner"],
            {
                "name": row.get("partner_name", row["partner"]),
                "months": int(row["months_loaded"] or 0),
                "runs": row["months_in_year"] or "",
                "counted": ZERO,
            },
        )
        mine["counted"] += row["counted_amount"]
    for fy, item in totals.items():
        item["per_head"] = (item["counted_amount"] / item["population"]).quantize(Decimal("0.01"))
        if fy == DATE_MISSING:
            item["months_note"] = "rows without a date: in no financial year"
            continue
        part = {p: m for p, m in partners[fy].items() if m["months"] < 12}
        item["months_loaded"] = {p: m["months"] for p, m in partners[fy].items()}
        if not part:
            item["months_note"] = "12 months loaded for every partner"
            continue
        item["months_note"] = "part year: " + "; ".join(
            f"{m['name']} {month_label(m['months'], m['runs'])}" for m in part.values()
        )
        annualised = sum(
            (
                m["counted"] if m["months"] >= 12 else m["counted"] * 12 / m["months"]
                for m in partners[fy].values()
                if m["months"]
            ),
            ZERO,
        ).quantize(Decimal("0.01"))
        item["annualised_amount"] = annualised
        item["annualised_per_head"] = (annualised / item["population"]).quantize(Decimal("0.01"))
        item["annualised_how"] = "estimate, not the count: " + "; ".join(
            f"{m['name']} × 12 / {m['months']} months" for m in part.values()
        )
    return list(totals.values())


def reconcile(con: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return per partner: recorded and imported totals vs counted gross, transfers and counted."""
    t = con.table("transactions")
    imported = {
        r["partner"]: r["amount"]
        for r in t.group_by("partner").aggregate(amount=t.amount.sum()).to_pyarrow().to_pylist()
    }
    s = con.table("sources")
    recorded = {
        r["partner"]: r["amount"]
        for r in s.group_by("partner")
        .aggregate(amount=s.amount_loaded.sum())
        .to_pyarrow()
        .to_pylist()
    }
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = out.setdefault(
            row["partner"],
            {
                "partner": row["partner"],
                "recorded": recorded.get(row["partner"], Decimal(0)),
                "imported": imported.get(row["partner"], Decimal(0)),
                "gross_in_count": ZERO,
                "transfers_excluded": ZERO,
                "base_amount": ZERO,
                "counted_amount": ZERO,
            },
        )
        for key in ("gross_amount", "transfers_excluded", "base_amount", "counted_amount"):
            item["gross_in_count" if key == "gross_amount" else key] += row[key]
    for item in out.values():
        item["reconciles"] = item["recorded"] == item["imported"] == item["gross_in_count"] and (
            item["gross_in_count"] - item["transfers_excluded"] == item["base_amount"]
        )
    return list(out.values())


def coverage_notes(
    workspace: Workspace,
    months: list[dict[str, Any]],
    undated: list[dict[str, Any]],
    summaries: list[dict[str, Any]],
) -> list[str]:
    """Return plain-words notes on what the count does not cover.

    Part years, undated rows, rows from summary files, partners whose area is unset.
    """
    notes = []
    for partner in workspace.partners:
        if not partner.districts():
            notes.append(
                f"{partner.name}: its area is not set in place.toml, so all of its spending is "
                "counted as the place's; set 'areas' to apportion it."
            )
    names = {p.slug: p.name for p in workspace.partners}
    for row in months:
        if row["months_loaded"] < 12:
            notes.append(
                f"{names.get(row['partner'], row['partner'])}: {row['financial_year']} has "
                f"{month_label(row['months_loaded'], row['months'])} loaded; "
                f"{row['months_missing']} not loaded. Its figures for the year, per head "
                f"included, are for {_months_text(row['months_loaded'])} only, not a whole year."
            )
    for row in undated:
        notes.append(
            f"{names.get(row['partner'], row['partner'])}: {row['rows']:,} rows without a date, "
            f"£{row['amount']:,.2f} — not in any year; fix or pin the date column "
            '(they are shown under --year "date missing").'
        )
    for row in summaries:
        notes.append(
            f"{names.get(row['partner'], row['partner'])}: {row['rows']:,} rows, "
            f"£{row['amount']:,.2f}, come from {row['files']:,} summary file(s) (one row per "
            "supplier for a month): counted in their month, but they are totals, not single "
            "payments, so they cannot be traced to a payment date."
        )
    return notes


def _months_text(k: int) -> str:
    return "1 month" if k == 1 else f"{k} months"
