"""``trend``: each year's spend per partner x theme (and per outturn body x line), cash, real, per head, change.

Real terms by HM Treasury's GDP deflator (:mod:`totalplace.trend.prices`), per head by
the ONS mid-year population of the area the figure is for (the place for counted
spend, the body's area for a body-wide outturn). A year with k of 12 months loaded is
flagged, never shown as if complete: its changes are left blank unless ``annualise``
is asked, and then the annualised figures (x 12 / k) say how they were made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from totalplace import stages
from totalplace.money import per_head, round_half_up
from totalplace.reference.appraisal import Deflator, gdp_deflator
from totalplace.report.documents import jsonable
from totalplace.trend.outturn import outturn_series
from totalplace.trend.prices import DEFLATOR_RULE, base_label, base_year_for, real_terms
from totalplace.trend.series import Point, grouped, ledger_points, outturn_points
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["Trend", "trend", "trend_rows"]

PART_YEAR = "part year: {k} of 12 months loaded ({months}); not a whole year"
ANNUALISED = "annualised: the {k} months loaded x 12 / {k} (an estimate, not the count)"
NOT_COMPARED = "not compared: a part year is involved (use --annualise for an estimate)"
CAVEAT_OUTTURN = (
    "Outturn figures are the body's published net current expenditure for its whole area "
    "(per head of that area's population), net of fees, charges and income; counted figures "
    "are gross payments over the publication threshold, the place's share. Compare each "
    "series with itself over time, not the two kinds with each other."
)


@dataclass
class Trend:
    """The trend rows (one per body x series x year), the summaries per series, and how they were made."""

    base_year: int
    deflator_source: str
    rows: list[dict[str, Any]]
    summaries: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the trend as a JSON-ready document (amounts as decimal strings)."""
        return jsonable(
            {
                "base_year": year_label(self.base_year),
                "prices": base_label(self.base_year),
                "deflator": self.deflator_source,
                "deflator_rule": DEFLATOR_RULE,
                "rows": self.rows,
                "summaries": self.summaries,
                "notes": self.notes,
            }
        )


def _pct(change: Decimal | None, before: Decimal | None) -> Decimal | None:
    if change is None or not before:
        return None
    return round_half_up(Fraction(change) * 100 / Fraction(before), 1)


def trend_rows(
    points: list[Point], base: int, deflator: Deflator, annualise: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (rows, summaries): each point in cash and ``base`` prices, per head, and the change.

    A series is (source, body, level, series); its points must be one per year.
    """
    rows: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    for (source, body, level, series), found in grouped(points).items():
        previous: dict[str, Any] | None = None
        kept: list[dict[str, Any]] = []
        for p in found:
            k = p.months_loaded
            complete = k >= 12
            real = real_terms(p.cash, p.fy_start_year, base, deflator)
            row: dict[str, Any] = {
                "source": source,
                "body": body,
                "body_name": p.body_name,
                "level": level,
                "series": series,
                "theme": p.theme,
                "financial_year": year_label(p.fy_start_year),
                "fy_start_year": p.fy_start_year,
                "months_loaded": k,
                "complete": complete,
                "flag": None if complete else PART_YEAR.format(k=k, months=p.months or "?"),
                "cash": p.cash,
                "real": real,
                "deflator_index": deflator.index(p.fy_start_year),
                "population": p.population,
                "per_head_cash": per_head(p.cash, p.population),
                "per_head_real": per_head(real, p.population),
                "annualised_real": None,
                "annualised_how": None,
                "change_real": None,
                "change_real_pct": None,
                "change_note": None,
                "evidence": "; ".join(p.evidence),
            }
            compare = real if complete else None
            if not complete and annualise and k > 0:
                compare = round_half_up(Fraction(real) * 12 / k)
                row["annualised_real"] = compare
                row["annualised_how"] = ANNUALISED.format(k=k)
            if previous is not None:
                before = previous["_compare"]
                if compare is None or before is None:
                    row["change_note"] = NOT_COMPARED
                else:
                    row["change_real"] = compare - before
                    row["change_real_pct"] = _pct(compare - before, before)
                    if not (complete and previous["complete"]):
                        row["change_note"] = "from annualised figures (an estimate)"
            row["_compare"] = compare
            previous = row
            kept.append(row)
        comparable = [r for r in kept if r["_compare"] is not None]
        if len(comparable) >= 2:
            first, last = comparable[0], comparable[-1]
            change = last["_compare"] - first["_compare"]
            summaries.append(
                {
                    "source": source,
                    "body_name": first["body_name"],
                    "level": level,
                    "series": series,
                    "from": first["financial_year"],
                    "to": last["financial_year"],
                    "real_from": first["_compare"],
                    "real_to": last["_compare"],
                    "change_real": change,
                    "change_real_pct": _pct(change, first["_compare"]),
                    "years_left_out": [r["financial_year"] for r in kept if r["_compare"] is None],
                    "uses_annualised": any(r["annualised_real"] is not None for r in comparable),
                }
            )
        for row in kept:
            row.pop("_compare")
        rows.extend(kept)
    return rows, summaries


def trend(
    workspace: Workspace,
    base_year: int | None = None,
    annualise: bool = False,
    con: Any | None = None,
) -> Trend:
    """Return the place's spending over time: counted spend per partner x theme and declared outturn series.

    Reads the count stage's tables (StageNotRun / StageStale if the count has not run
    or is out of date: run ``totalplace count``) and the workspace's ``[[outturns]]``
    (OutturnFileError for a bad file). ``base_year`` (start year) sets the prices;
    default the latest year shown. Raises PriceYearError for a base year outside the deflator.
    """
    with stages.using(workspace, con) as c:
        stages.require(c, workspace, "count")
        points = ledger_points(c, workspace)
    points += outturn_points(outturn_series(workspace), workspace.place.code)
    deflator = gdp_deflator()
    base = base_year_for(sorted({p.fy_start_year for p in points}), base_year, deflator)
    rows, summaries = trend_rows(points, base, deflator, annualise)
    notes = [
        f"Real terms: {base_label(base)}, by the {deflator.source}; {DEFLATOR_RULE}.",
        "Counted figures are the place's share of each partner's payments (the count stage's "
        "count_by_partner_theme_year); per head is per resident of the place in that year "
        "(ONS mid-year estimate).",
    ]
    if any(not r["complete"] for r in rows):
        notes.append(
            "A part year (fewer than 12 months loaded) is flagged and never compared as if whole"
            + (
                "; annualised figures are estimates (x 12 / months loaded)."
                if annualise
                else "; run with --annualise for annualised estimates, labelled as such."
            )
        )
    if any(p.source == "outturn" for p in points):
        notes.append(CAVEAT_OUTTURN)
    return Trend(base, deflator.source, rows, summaries, notes, points)
