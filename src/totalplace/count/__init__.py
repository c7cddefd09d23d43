"""Count: all spending in the place by partner × theme × financial year, totals and per head.

Reads ``transactions`` (and ``classifications`` when the classify stage has run) and
writes two tables, every transformation in Ibis so the same code runs on any backend:

* ``count_lines`` — one row per transaction: its financial year, theme, whether it is
  a transfer to another partner, and the share of it counted in the place;
* ``count_by_partner_theme_year`` — the place count, each figure with its method,
  driver and confidence and the months of the year behind it, reconciling to the
  imported totals to the penny;
* ``count_months`` — per partner and year, the months loaded (``totalplace.count.months``):
  a part year's figures, per head included, are for those months only.

Rows without a date are in no financial year; the notes and the JSON give them per
partner, with their rows and amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa

from totalplace.count.apportion import Share, partner_share, place_population
from totalplace.count.months import (
    month_label,
    months_by_partner_year,
    summaries_by_partner,
    undated_by_partner,
    write_months,
)
from totalplace.count.transfers import transfer_to
from totalplace.report.documents import jsonable
from totalplace.warehouse import IntegrityError, connect, has_table, replace_table
from totalplace.workspace import Workspace
from totalplace.years import DATE_MISSING, label_of, start_year_of

__all__ = ["CountResult", "count"]

UNCLASSIFIED = "Unclassified"


class CountError(Exception):
    """The count cannot be made yet; the message says what to run first."""


class LedgerDoesNotReconcile(IntegrityError):
    """The counted lines do not add up to what the sources record: no figure is given."""


@dataclass
class CountResult:
    """The place count as plain rows (decimals exact), with totals and reconciliation."""

    place: dict[str, Any]
    rows: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    reconciliation: list[dict[str, Any]]
    notes: list[str]
    months: list[dict[str, Any]] = field(default_factory=list)
    undated: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready document (decimals as strings)."""
        return jsonable(
            {
                "place": self.place,
                "count": self.rows,
                "totals_by_year": self.by_year,
                "reconciliation": self.reconciliation,
                "months_loaded": self.months,
                "undated": self.undated,
                "summaries": self.summaries,
                "notes": self.notes,
            }
        )


def _shares_table(workspace: Workspace, years: list[int]) -> tuple[pa.Table, list[Share]]:
    shares = [partner_share(workspace.place, p, y) for p in workspace.partners for y in years]
    table = pa.table(
        {
            "partner": [s.partner for s in shares],
            "fy_start_year": pa.array([s.fy_start_year for s in shares], pa.int64()),
            "share": pa.array([s.share for s in shares], pa.decimal128(18, 15)),
            "method": [s.method for s in shares],
            "driver": [s.driver for s in shares],
            "confidence": [s.confidence for s in shares],
            "population": pa.array(
                [place_population(workspace.place, s.fy_start_year)[0] for s in shares], pa.int64()
            ),
            "population_year": pa.array([s.population_year for s in shares], pa.int64()),
        }
    )
    return table, shares


def build_lines(con: Any, workspace: Workspace) -> Any:
    """Return an Ibis table of every transaction with partner, financial year, theme and transfer flag."""
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


def count(workspace: Workspace) -> CountResult:
    """Compute the place count, write its tables, and return it with totals and reconciliation."""
    con = connect(workspace)
    try:
        return _count(con, workspace)
    finally:
        con.disconnect()


def _count(con: Any, workspace: Workspace) -> CountResult:
    lines = build_lines(con, workspace)
    years_seen = lines.select("fy_start_year").distinct().to_pyarrow().column(0).to_pylist()
    years = sorted(int(y) for y in years_seen if y is not None)
    fallback_year = workspace.place.population_year
    shares_arrow, _ = _shares_table(workspace, sorted(set(years) | {fallback_year}))
    shares = ibis.memtable(shares_arrow)
    lines = lines.mutate(share_year=lines.fy_start_year.fill_null(fallback_year))
    joined = lines.left_join(
        shares, [lines.partner == shares.partner, lines.share_year == shares.fy_start_year]
    ).drop("partner_right", "fy_start_year_right")
    counted_amount = ibis.cases(
        (joined.transfer_kind.notnull(), ibis.literal(Decimal("0.00"), type="decimal(18,2)")),
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
        base_amount=counted_amount,
    )
    replace_table(con, "count_lines", count_lines)
    months_arrow = months_by_partner_year(con, workspace)
    write_months(con, months_arrow)
    cl = con.table("count_lines")
    grouped = cl.group_by(["partner", "fy_start_year", "theme"]).aggregate(
        lines=cl.count(),
        gross_amount=cl.amount.sum().cast("decimal(18,2)"),
        transfers_excluded=(cl.amount - cl.base_amount).sum().cast("decimal(18,2)"),
        to_partners=cl.amount.sum(where=cl.transfer_to.notnull())
        .fill_null(0)
        .cast("decimal(18,2)"),
        base_amount=cl.base_amount.sum().cast("decimal(18,2)"),
    )
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
    counted = (cells.base_amount.cast("decimal(38,2)") * cells.share.cast("decimal(38,15)")).round(
        2
    )
    counted = counted.cast("decimal(18,2)")
    per_head = (counted / cells.population).round(2)
    table = cells.mutate(
        financial_year=label_of(cells.fy_start_year),
        counted_amount=counted,
        per_head=per_head.cast("decimal(18,2)"),
    ).order_by(["fy_start_year", "partner", "theme"])
    replace_table(con, "count_by_partner_theme_year", table)
    rows = con.table("count_by_partner_theme_year").to_pyarrow().to_pylist()
    names = {p.slug: p.name for p in workspace.partners}
    for row in rows:
        row["partner_name"] = names.get(row["partner"], row["partner"])
    reconciliation = _reconcile(con, rows)
    bad = [r for r in reconciliation if not r["reconciles"]]
    if bad:
        raise LedgerDoesNotReconcile(
            "the count does not reconcile to the imported sources for "
            + ", ".join(
                f"{r['partner']} (sources record £{r['recorded']:,.2f}, ledger holds "
                f"£{r['imported']:,.2f}, count has £{r['gross_in_count']:,.2f})"
                for r in bad
            )
            + ", so no figure is given. What to do: run 'totalplace check' and follow its advice."
        )
    months_rows = months_arrow.to_pylist()
    undated = undated_by_partner(con)
    summaries = summaries_by_partner(con)
    return CountResult(
        months=[{**m, "partner_name": names.get(m["partner"], m["partner"])} for m in months_rows],
        undated=[{**u, "partner_name": names.get(u["partner"], u["partner"])} for u in undated],
        summaries=[{**u, "partner_name": names.get(u["partner"], u["partner"])} for u in summaries],
        place={
            "code": workspace.place.code,
            "name": workspace.place.name,
            "partners": [p.name for p in workspace.partners],
        },
        rows=rows,
        by_year=_totals_by_year(rows),
        reconciliation=reconciliation,
        notes=_coverage_notes(workspace, months_rows, undated, summaries),
    )


def _totals_by_year(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
                "counted_amount": Decimal("0.00"),
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
                "counted": Decimal("0.00"),
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
            Decimal("0.00"),
        ).quantize(Decimal("0.01"))
        item["annualised_amount"] = annualised
        item["annualised_per_head"] = (annualised / item["population"]).quantize(Decimal("0.01"))
        item["annualised_how"] = "estimate, not the count: " + "; ".join(
            f"{m['name']} × 12 / {m['months']} months" for m in part.values()
        )
    return list(totals.values())


def _reconcile(con: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
                "gross_in_count": Decimal("0.00"),
                "transfers_excluded": Decimal("0.00"),
                "base_amount": Decimal("0.00"),
                "counted_amount": Decimal("0.00"),
            },
        )
        for key in ("gross_amount", "transfers_excluded", "base_amount", "counted_amount"):
            item["gross_in_count" if key == "gross_amount" else key] += row[key]
    for item in out.values():
        item["reconciles"] = item["recorded"] == item["imported"] == item["gross_in_count"] and (
            item["gross_in_count"] - item["transfers_excluded"] == item["base_amount"]
        )
    return list(out.values())


def _coverage_notes(
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
