"""The place over time for the pages: ``totalplace trend`` and its cost-shunting monitor, under the access rules.

Nothing is recomputed: the rows, summaries and findings are :func:`totalplace.trend.trend`'s
and :func:`totalplace.trend.find_shunting`'s. What this adds is who sees what:

* signed-in roles see each partner's counted spend per theme and year (an aggregate), the
  councils' published outturn by theme, and the cost-shunting findings; another partner's
  cell built from fewer than ``SMALL_CELL`` payments is withheld (and a second cell of the
  same partner and year, so it cannot be worked out from the partner's total), with the
  year-on-year changes and findings that would give it away;
* residents (no sign-in) see a public summary: each partner's counted spend over every
  theme and the councils' published outturn by theme -- figures the overview and MHCLG
  already publish -- and no findings (co-movement between two named bodies is a question
  for the partners to discuss first, not a public claim).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from totalplace.count.cells import COUNT_TABLE
from totalplace.trend import Thresholds, find_shunting, trend
from totalplace.trend.charts import trend_charts
from totalplace.trend.prices import base_label
from totalplace.web.access import SMALL_CELL, Viewer, own_partner, protect
from totalplace.web.views.common import place_of, reading
from totalplace.web.views.overview import SUPPRESSION_NOTE
from totalplace.workspace import Workspace
from totalplace.years import parse_year, year_label

__all__ = ["PUBLIC_SUMMARY", "trends"]

#: What a resident is shown, and why (the page says it).
PUBLIC_SUMMARY = (
    "This public summary shows each partner's counted spending over every theme, and the "
    "councils' published outturn by theme. Partners signed in also see each partner's "
    "spending per theme and the cost-shunting monitor."
)
#: The figures of a trend row a withheld cell loses.
_FIGURES = ("cash", "real", "per_head_cash", "per_head_real", "annualised_real")
_CHANGES = ("change_real", "change_real_pct")


def _lines(con: Any) -> dict[tuple[str, str, int], int]:
    """Return the payments behind each counted partner x theme x year (for small-cell suppression)."""
    t = con.table(COUNT_TABLE)
    t = t.filter(t.fy_start_year.notnull())
    found = t.group_by(["partner", "theme", "fy_start_year"]).aggregate(lines=t.lines.sum())
    return {
        (r["partner"], r["theme"], int(r["fy_start_year"])): int(r["lines"] or 0)
        for r in found.to_pyarrow().to_pylist()
    }


def _withheld(
    rows: list[dict[str, Any]], lines: dict[tuple[str, str, int], int], viewer: Viewer
) -> set[int]:
    """Return the indexes of the counted rows withheld from ``viewer`` (primary and secondary)."""
    cells: dict[str, dict[str, Any]] = {}
    groups: dict[tuple[str, int], tuple[str | None, list[str]]] = {}
    for i, r in enumerate(rows):  # the counted rows: a few dozen
        if r["source"] != "ledger":
            continue
        key = (r["body"], r["fy_start_year"])
        total, members = groups.get(key, (None, []))
        if r["level"] == "all":
            count = sum(n for (p, _, y), n in lines.items() if (p, y) == key)
            total = str(i)
        else:
            count = lines.get((r["body"], r["theme"], r["fy_start_year"]), 0)
            members.append(str(i))
        cells[str(i)] = {"partner": r["body"], "lines": count, "amount": r["cash"]}
        groups[key] = (total, members)
    done = protect(cells, list(groups.values()), viewer, threshold=SMALL_CELL)
    return {int(k) for k, v in done.items() if v["suppressed"]}


def _hide(rows: list[dict[str, Any]], hidden: set[int]) -> None:
    """Withhold the hidden rows' figures, and the change of the year after each (it would give it away)."""
    previous: dict[tuple[str, str, str, str], int] = {}
    for i, r in enumerate(rows):
        r["suppressed"], r["reason"] = False, None
        series = (r["source"], r["body"], r["level"], r["series"])
        before = previous.get(series)
        if i in hidden:
            for key in _FIGURES + _CHANGES:
                r[key] = None
            r["suppressed"] = True
            r["reason"] = (
                f"Withheld: built from fewer than {SMALL_CELL} payments of another partner, "
                "or it would let such a figure be worked out from the partner's total."
            )
        elif before is not None and before in hidden:
            for key in _CHANGES:
                r[key] = None
            r["change_note"] = "withheld: the year before is withheld"
        previous[series] = i


def _hide_summaries(summaries: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """Withhold the over-the-period figures of a series with a withheld year."""
    touched = {
        (r["source"], r["body_name"], r["level"], r["series"]) for r in rows if r["suppressed"]
    }
    for s in summaries:
        s["suppressed"] = (s["source"], s["body_name"], s["level"], s["series"]) in touched
        if s["suppressed"]:
            for key in ("real_from", "real_to", "change_real", "change_real_pct"):
                s[key] = None


def _hide_findings(findings: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """Withhold a finding's figures where it rests on a withheld counted year; blank withheld years of its series."""
    hidden = {
        (r["body_name"], r["theme"], r["financial_year"])
        for r in rows
        if r["suppressed"] and r["source"] == "ledger"
    }
    for f in findings:
        f["suppressed"] = any(
            (body, f["theme"], year) in hidden
            for body in (f["falling"], f["rising"])
            for year in (f["previous_year"], f["financial_year"])
        )
        for body, years in f["series"].items():
            for year in years:
                if (body, f["theme"], year) in hidden:
                    years[year] = None
        if f["suppressed"]:
            for key in ("fall", "fall_share", "rise", "ratio"):
                f[key] = None


def _panels(rows: list[dict[str, Any]], prices: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (title, Vega-Lite spec) of the small multiples: counted spend per partner x theme, outturn by theme."""
    shown = [r for r in rows if r["real"] is not None]
    counted = [
        {**r, "level": "all"} for r in shown if r["source"] == "ledger" and r["level"] == "theme"
    ]
    if not counted:  # the public summary: each partner over every theme
        counted = [r for r in shown if r["source"] == "ledger" and r["level"] == "all"]
    outturn = [r for r in shown if r["source"] == "outturn" and r["level"] == "theme"]
    specs = trend_charts({"prices": prices, "rows": counted + outturn})
    titles = {
        "trend_counted": "Counted spending in the place, real terms, by year",
        "trend_outturn": "Councils' published outturn by theme, real terms, by year",
    }
    return [(titles[name], spec) for name, spec in specs.items()]


def trends(
    ws: Workspace,
    viewer: Viewer,
    base_year: str | None = None,
    annualise: bool = False,
    thresholds: Thresholds | None = None,
) -> dict[str, Any]:
    """Return the place's spending over time for ``viewer``: rows (cash, real, per head, change, part
    years flagged), summaries over the period, chart specs, notes, and (signed in) the cost-shunting
    findings with their evidence and caveat. Amounts Decimal; withheld figures None.

    StageNotRun / StageStale: "run `totalplace count`"; PriceYearError for a base year outside
    the deflator; UsageError for thresholds out of range; OutturnFileError for a bad outturn file.
    """
    public = viewer.role == "public"
    with reading(ws, "count") as con:
        result = trend(ws, base_year=parse_year(base_year), annualise=annualise, con=con)
        lines = _lines(con)
    rows = [dict(r) for r in result.rows if r["level"] != "line"]
    if public:
        rows = [r for r in rows if r["source"] == "outturn" or r["level"] == "all"]
    hidden = _withheld(rows, lines, viewer)
    _hide(rows, hidden)
    summaries = [
        dict(s)
        for s in result.summaries
        if s["level"] != "line" and (not public or s["source"] == "outturn" or s["level"] == "all")
    ]
    _hide_summaries(summaries, rows)
    doc: dict[str, Any] = {
        "prices": base_label(result.base_year),
        "place": place_of(ws),
        "base_year": year_label(result.base_year),
        "deflator": result.deflator_source,
        "public_summary": PUBLIC_SUMMARY if public else None,
        "own_partner": own_partner(viewer),
        "annualise": annualise,
        "rows": rows,
        "summaries": summaries,
        "notes": list(result.notes),
        "suppression_note": SUPPRESSION_NOTE.format(threshold=SMALL_CELL),
        "shunting": None,
    }
    if not public:
        shunting = find_shunting(
            result.points,
            result.base_year,
            thresholds,
            partner_areas={p.slug: tuple(p.areas) for p in ws.partners},
        )
        findings = shunting["findings"]
        for f in findings:  # jsonable made the amounts strings: the page formats Decimals
            for key in ("fall", "rise", "fall_share", "ratio"):
                f[key] = Decimal(f[key])
            for years in f["series"].values():
                for year, value in years.items():
                    years[year] = Decimal(value)
        _hide_findings(findings, rows)
        doc["shunting"] = shunting
    doc["charts"] = _panels(rows, doc["prices"])
    return _relative(doc, f"{ws.root}/")


def _relative(value: Any, root: str) -> Any:
    """Return ``value`` with the workspace folder taken off the file names it cites (no server paths shown)."""
    if isinstance(value, str):
        return value.replace(root, "")
    if isinstance(value, dict):
        return {k: _relative(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_relative(v, root) for v in value]
    return value
