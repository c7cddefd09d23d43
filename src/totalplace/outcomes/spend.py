"""Spend per head on a theme over time: the place's count, and councils' published outturn.

* **count** -- the place's partners' counted spend (actual + apportioned) on the theme
  in each financial year (``count_by_partner_theme_year``), divided by the place's
  population that year; a partner with fewer than 12 months loaded in a year is named
  (a partial year is never shown as if complete).
* **outturn** -- a council's Revenue Outturn on the theme (the ``[[outturns]]`` series,
  service-level lines only, so each pound once), divided by the ONS mid-year population
  of its area (a county: the sum of its districts). Where the theme mapping themes none
  of a council's lines for a year on a theme but leaves a whole line unthemed as serving
  it in part (RS 360 adult social care: partly Older people, Health and wellbeing), that
  whole line is shown on the theme, its ``basis`` saying so: it is more than the theme's
  share of the line, never split by guesswork.

Per head is exact to the penny (:func:`totalplace.money.per_head`).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace import reference
from totalplace.coverage.themes import UNTHEMED, theme_map_for
from totalplace.money import ZERO, per_head
from totalplace.reference import UnknownAreaError
from totalplace.trend import outturn_series
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["area_population", "outturn_spend", "place_spend"]


def area_population(code: str, year: int) -> tuple[int, int] | None:
    """Return (ONS mid-year population, year used) of a district or of the districts of a county; None if unknown."""
    try:
        districts = reference.expand_area(code)
        figures = [reference.population(d, year) for d in districts]
    except (UnknownAreaError, KeyError, ValueError):
        return None
    return sum(p for p, _ in figures), max(y for _, y in figures)


def place_spend(con: Any, workspace: Workspace) -> list[dict[str, Any]]:
    """Return the place's counted spend per head by theme and year, with any partial years named.

    Each row: fy_start_year, financial_year, theme, amount, population, population_year,
    per_head, partners (names with spend), partial (e.g. 'Lancashire Police and Crime
    Commissioner: 10 of 12 months (Apr–Jan)', or None).
    """
    names = {p.slug: p.name for p in workspace.partners}
    t = con.table("count_by_partner_theme_year")
    t = t.filter(t.partner.isin(list(names)) & t.fy_start_year.notnull())
    by_theme = (
        t.group_by(["fy_start_year", "theme"])
        .aggregate(
            amount=t.counted_amount.sum(),
            population=t.population.max(),
            population_year=t.population_year.max(),
        )
        .order_by(["fy_start_year", "theme"])
        .to_pyarrow()
        .to_pylist()
    )
    months = (
        t.select(
            "partner", "fy_start_year", "theme", "months_loaded", "months_in_year", "counted_amount"
        )
        .to_pyarrow()
        .to_pylist()
    )  # one row per partner x theme x year: tens of rows
    out = []
    for row in by_theme:
        here = [
            m
            for m in months
            if m["fy_start_year"] == row["fy_start_year"] and m["theme"] == row["theme"]
        ]
        partial = sorted(
            {
                f"{names[m['partner']]}: {m['months_loaded']} of 12 months ({m['months_in_year']})"
                for m in here
                if (m["months_loaded"] or 0) < 12 and m["counted_amount"]
            }
        )
        amount = Decimal(row["amount"] or ZERO)
        out.append(
            {
                "fy_start_year": int(row["fy_start_year"]),
                "financial_year": year_label(int(row["fy_start_year"])),
                "theme": row["theme"],
                "amount": amount,
                "population": int(row["population"]),
                "population_year": int(row["population_year"]),
                "per_head": per_head(amount, int(row["population"])),
                "partners": sorted({names[m["partner"]] for m in here if m["counted_amount"]}),
                "partial": "; ".join(partial) or None,
            }
        )
    return out


def _shown(path: str, workspace: Workspace) -> str:
    """Return a source file relative to the workspace where it lies inside it."""
    file = Path(path)
    return (
        file.relative_to(workspace.root).as_posix() if file.is_relative_to(workspace.root) else path
    )


def outturn_spend(workspace: Workspace) -> list[dict[str, Any]]:
    """Return each declared council's outturn per head by theme and year ([] without [[outturns]]).

    Each row: body_code, body_name, fy_start_year, financial_year, theme, amount,
    population, population_year, per_head, source_file (files, "; "-joined), basis (the
    lines summed, or the whole unthemed line shown on a theme it serves in part).
    """
    series = outturn_series(workspace)
    if series.num_rows == 0:
        return []
    themed = series.filter(pa.compute.is_valid(series.column("theme")))
    grouped = themed.group_by(["body_code", "body_name", "fy_start_year", "theme"]).aggregate(
        [("amount", "sum"), ("service", "distinct"), ("source_file", "distinct")]
    )
    rows = grouped.to_pylist()
    for row in rows:
        row["basis"] = f"lines themed {row['theme']}: {', '.join(sorted(row['service_distinct']))}"
    out = []
    for row in rows + _partly(series, rows, workspace):  # councils x years x themes: a few hundred
        people = area_population(row["body_code"], int(row["fy_start_year"]))
        amount = Decimal(row["amount_sum"])
        out.append(
            {
                "body_code": row["body_code"],
                "body_name": row["body_name"],
                "fy_start_year": int(row["fy_start_year"]),
                "financial_year": year_label(int(row["fy_start_year"])),
                "theme": row["theme"],
                "amount": amount,
                "population": people[0] if people else None,
                "population_year": people[1] if people else None,
                "per_head": per_head(amount, people[0]) if people else None,
                "source_file": "; ".join(
                    sorted(_shown(f, workspace) for f in row["source_file_distinct"])
                ),
                "basis": row["basis"],
            }
        )
    return sorted(out, key=lambda r: (r["body_code"], r["theme"], r["fy_start_year"]))


def _partly(
    series: pa.Table, rows: list[dict[str, Any]], workspace: Workspace
) -> list[dict[str, Any]]:
    """Return, per council x year x theme with no line themed on it, the whole unthemed lines
    the mapping says serve the theme in part (the rows' ``basis`` names the line and rule)."""
    mapping = theme_map_for(workspace)
    have = {
        (r["body_code"], r["fy_start_year"], r["theme"]) for r in rows if r["theme"] != UNTHEMED
    }
    unthemed = series.filter(
        pa.compute.and_(
            pa.compute.equal(series.column("theme"), UNTHEMED),
            pa.compute.is_valid(series.column("theme_rule")),
        )
    )
    by_rule = unthemed.group_by(
        ["body_code", "body_name", "fy_start_year", "theme_rule"]
    ).aggregate([("amount", "sum"), ("service", "distinct"), ("source_file", "distinct")])
    out: list[dict[str, Any]] = []
    for row in by_rule.to_pylist():  # councils x years x unthemed lines: tens
        rule = mapping.rule(row["theme_rule"])
        for theme in rule.partly:
            if (row["body_code"], row["fy_start_year"], theme) in have:
                continue
            out.append(
                {
                    **row,
                    "theme": theme,
                    "basis": (
                        f"whole line {', '.join(sorted(row['service_distinct']))}: the theme "
                        f"mapping (rule {rule.id}) leaves it unthemed, serving "
                        f"{', '.join(rule.partly)} in part, so this is more than the spend on "
                        "the theme alone"
                    ),
                }
            )
    return out
