"""Coverage: for each kind of body serving the place, is its spending loaded, apportioned, estimated or missing?

The loaded figures come from the place count (``totalplace.count``) for one financial
year; bodies with no loaded data get their top-down estimate
(``totalplace.coverage.topdown``). A payment in a loaded ledger to a body that is
estimated top-down (Hyndburn Borough Council paying Lancashire County Council the
county's council tax precept) is money that body spends: as with transfers between
partners (domain spec §3.2 rule 4), it is counted once, at the body that finally
spends it, so it is taken off that body's top-down estimate and shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from totalplace import stages
from totalplace.count import counted
from totalplace.count.months import runs
from totalplace.coverage.bodies import Body, bodies_serving
from totalplace.coverage.layers import Layers, build_layers
from totalplace.coverage.paid import already_counted
from totalplace.coverage.partyear import fy_start_month, missing_months_row, months_of, months_text
from totalplace.coverage.topdown import RS_KINDS, estimate
from totalplace.coverage.wording import does_not_include, driver_summary, kind_notes
from totalplace.money import ZERO
from totalplace.report.documents import jsonable
from totalplace.warehouse import has_table
from totalplace.workspace import Workspace
from totalplace.years import default_year, parse_year, year_label

__all__ = ["STATUSES", "Coverage", "coverage", "layers"]

#: The statuses a kind of body can have, in the order they are explained.
STATUSES = ("loaded", "apportioned", "estimated top-down", "missing")
SHARE_UNIT = Decimal("1e-9")


@dataclass
class Coverage:
    """Who serves the place and how each is counted, with the layers and what is left out."""

    place: dict[str, Any]
    financial_year: str
    estimate_year: str
    rows: list[dict[str, Any]]
    layers: Layers
    does_not_include: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """Return the estimated total: every row's amount (= the layers' total)."""
        return sum((r["amount"] for r in self.rows), ZERO)

    def row(self, kind: str) -> dict[str, Any] | None:
        """Return the row of a kind of body ('county_council'), or None."""
        return next((r for r in self.rows if r["kind"] == kind), None)

    def as_json(self) -> dict[str, Any]:
        """Return the coverage as a JSON-ready document (decimals as strings)."""
        return jsonable(
            {
                "place": self.place,
                "financial_year": self.financial_year,
                "estimate_year": self.estimate_year,
                "coverage": self.rows,
                "total": self.total,
                "layers": self.layers.as_json(),
                "does_not_include": self.does_not_include,
                "notes": self.notes,
            }
        )


def _count_rows(
    con: Any, workspace: Workspace
) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]]]:
    """Return the count's rows, notes and months loaded per partner and year (all empty if none).

    Reads the count stage's tables (StageNotRun / StageStale if they are missing or out
    of date while spending is imported); with nothing imported there is nothing to count.
    """
    if not _anything_imported(con, workspace):
        return (
            [],
            ["No loaded spending counted (nothing imported yet: run 'totalplace import' first)."],
            [],
        )
    result = counted(workspace, con=con)
    return result.rows, result.notes, result.months


def _anything_imported(con: Any, workspace: Workspace) -> bool:
    """Return whether any transaction of the workspace's partners is imported."""
    known = [p.slug for p in workspace.partners]
    if not known or not has_table(con, "transactions"):
        return False
    t = con.table("transactions")
    return bool(t.filter(t.partner.isin(known)).count().execute() > 0)


def _shares(amounts: list[Decimal]) -> list[Decimal]:
    """Return each amount's share of their total to 1e-9, largest remainders adjusted to sum to 1."""
    total = sum(amounts, ZERO)
    if total <= 0:
        return [Decimal(0) for _ in amounts]
    raw = [a / total for a in amounts]
    floored = [r.quantize(SHARE_UNIT, ROUND_DOWN) for r in raw]
    short = int((Decimal(1) - sum(floored, Decimal(0))) / SHARE_UNIT)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floored[i], reverse=True)
    for i in order[:short]:
        floored[i] += SHARE_UNIT
    return floored


def coverage(
    workspace: Workspace, year: str | int | None = None, con: Any | None = None
) -> Coverage:
    """Return the coverage of the place count for one financial year (default: the count's latest full year).

    One row per kind of body serving the place: who, status (loaded, apportioned,
    estimated top-down, missing), amount, share of the estimated total, method,
    driver, source and confidence; plus the layers and what the count does not include.
    Reads the count stage's tables (StageNotRun: "run `totalplace count` first" if
    spending is imported but not counted), writes ``topdown_estimates`` and records the
    coverage run. ``con``: the warehouse connection to run on (default: the workspace's).
    """
    with stages.using(workspace, con) as c:
        return _coverage(c, workspace, year)


def _coverage(con: Any, workspace: Workspace, year: str | int | None) -> Coverage:
    count_rows, count_notes, count_months = _count_rows(con, workspace)
    start = parse_year(year)
    if start is None:
        start = default_year(count_rows)
    fy = year_label(start) if start is not None else "no loaded data"
    rows_in_year = [r for r in count_rows if r["fy_start_year"] == start]
    bodies = bodies_serving(workspace)
    notes: list[str] = []
    loaded: dict[str, list[dict[str, Any]]] = {}
    for body in bodies:
        slugs = {p.slug for p in body.partners}
        mine = [r for r in rows_in_year if r["partner"] in slugs]
        if mine:
            loaded[body.key] = mine
        elif body.partners:
            names = ", ".join(p.name for p in body.partners)
            notes.append(
                f"{names}: loaded, but with no spending counted for {fy}; estimated instead."
            )
    estimates = estimate(workspace, start, set(loaded), con=con)
    gross = estimates.by_body()
    source_text = estimates.sources_by_kind(by="body_key")
    drivers = driver_summary(estimates, workspace.place.name)
    paid = (
        already_counted(
            workspace,
            start,
            [b for b in bodies if b.kind in RS_KINDS and b.key not in loaded],
            con,
        )
        if start is not None
        else {}
    )
    est_year = year_label(estimates.cra_year)
    est_years: dict[str, set[str]] = {}
    for r in estimates.rows:
        est_years.setdefault(r["body_key"], set()).add(r["financial_year"])
    rows: list[dict[str, Any]] = []
    for body in bodies:
        row = _row(
            body, loaded.get(body.key), gross.get(body.key), source_text.get(body.key, ("", ""))
        )
        row["financial_year"] = (
            fy
            if row["method"] in ("actual", "apportioned")
            else "/".join(sorted(est_years.get(body.key, set())))
        )
        row["months_loaded"], row["months_estimated"], row["months"] = 0, 12, ""
        if row["method"] in ("actual", "apportioned"):
            months = months_of(body, count_months, start)
            fy_start = fy_start_month(body, workspace.place.financial_year_start)
            row["months_loaded"], row["months_estimated"] = len(months), 0
            row["months"] = runs(months, fy_start)
            extra = missing_months_row(
                row,
                months,
                fy_start,
                "/".join(sorted(est_years.get(body.key, set()))),
                drivers.get(body.key, ""),
            )
            rows.append(row)
            if extra is not None:
                rows.append(extra)
                notes.append(
                    f"{row['who']}: {months_text(len(months))} loaded ({row['months']}); "
                    f"{extra['months']} estimated top-down, £{extra['amount']:,.2f} "
                    f"({extra['months_estimated']}/12 of its top-down estimate for the year, "
                    f"£{extra['topdown_year_estimate']:,.2f}); the loaded months are not counted "
                    "again top-down."
                )
            elif len(months) < 12:
                notes.append(
                    f"{row['who']}: {months_text(len(months))} loaded ({row['months']}); no top-down "
                    "source for the other months, which are not counted."
                )
            continue
        if row["method"] == "top-down":
            row["driver"] = drivers.get(body.key, "")
            already, n, payers = paid.get(body.key, (ZERO, 0, []))
            if already:
                taken = min(already, row["topdown_estimate"])
                row["already_counted"] = taken
                row["amount"] = row["topdown_estimate"] - taken
                notes.append(
                    f"{body.who}: £{already:,.2f} counted in {n} payments to it in the {fy} "
                    f"ledgers of {', '.join(payers)} is money it spends, so it is taken off "
                    "its top-down estimate (counted once, at the body that spends it)"
                    + (
                        " — the payments exceed the estimate, which is set to zero."
                        if already > taken
                        else "."
                    )
                )
        rows.append(row)
    for row, share in zip(rows, _shares([r["amount"] for r in rows]), strict=True):
        row["share"] = share
    place = {"code": workspace.place.code, "name": workspace.place.name}
    notes = estimates.notes + kind_notes(rows) + notes
    if count_rows:
        notes.append(
            f"Loaded figures are for {fy}, top-down ones for {est_year}: the total adds "
            "different years, so read it as an order of magnitude."
        )
    layer_view = build_layers(place, fy, rows, notes)
    stages.record(con, workspace, "coverage")
    return Coverage(
        place,
        fy,
        est_year,
        rows,
        layer_view,
        does_not_include(rows, bool(count_rows)),
        notes + [n for n in count_notes if fy in n or not re.search(r"\d{4}-\d{2}", n)],
    )


def layers(workspace: Workspace, year: str | int | None = None, con: Any | None = None) -> Layers:
    """Return the count for a year as separate layers (loaded actual, apportioned, top-down) and their total."""
    return coverage(workspace, year, con).layers


def _row(
    body: Body,
    count_rows: list[dict[str, Any]] | None,
    estimate_gross: Decimal | None,
    source: tuple[str, str],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": body.kind,
        "body_key": body.key,
        "area_code": body.area_code,
        "kind_label": body.label,
        "who": body.who,
        "partners": [p.name for p in body.partners],
        "topdown_estimate": estimate_gross,
        "topdown_source": source[1],
        "topdown_source_brief": source[0],
        "topdown_year_estimate": estimate_gross,
        "already_counted": ZERO,
        "part_year": False,
    }
    if count_rows:
        apportioned = any(r["method"] == "apportioned" for r in count_rows)
        drivers = sorted({r["driver"] for r in count_rows})
        confidence = sorted({r["confidence"] for r in count_rows})
        lines = sum(int(r["lines"]) for r in count_rows)
        row.update(
            who=", ".join(p.name for p in body.partners),
            status="apportioned" if apportioned else "loaded",
            method="apportioned" if apportioned else "actual",
            amount=sum((r["counted_amount"] for r in count_rows), ZERO),
            driver="; ".join(drivers),
            source=f"{lines:,} transactions loaded",
            source_detail=(
                f"{lines:,} transactions of {', '.join(p.name for p in body.partners)} in the "
                "count (table count_by_partner_theme_year)"
            ),
            confidence="/".join(confidence),
        )
    elif estimate_gross is not None:
        row.update(
            status="estimated top-down",
            method="top-down",
            amount=estimate_gross,
            driver="",
            source=source[0],
            source_detail=source[1],
            confidence="low",
        )
    else:
        row.update(
            status="missing",
            method="",
            amount=ZERO,
            driver="",
            source="none",
            source_detail="no loaded data and no top-down source shipped",
            confidence="",
        )
    return row
