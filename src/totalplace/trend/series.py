"""The yearly series trend reads: counted spend per partner x theme, and outturn per body x line and theme.

Nothing is recomputed: ledger figures are the count stage's ``count_by_partner_theme_year``
(the place's share of each partner, every financial year the ledgers hold, with the
months of each year loaded); outturn figures are the published values of
:func:`totalplace.trend.outturn.outturn_series`. Each point is one (body, series,
year) figure with what it rests on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from totalplace.count.cells import COUNT_TABLE
from totalplace.money import ZERO
from totalplace.reference import areas
from totalplace.workspace import Workspace

__all__ = ["ALL_THEMES", "Point", "ledger_points", "outturn_points"]

ALL_THEMES = "All themes"


@dataclass
class Point:
    """One figure of a series: a body's cash spend on a theme or line in one financial year."""

    source: str  # 'ledger' (counted transactions) or 'outturn' (published Revenue Outturn)
    body: str  # partner slug or ONS code
    body_name: str
    level: str  # 'all' (every theme), 'theme', or 'line' (one published outturn line)
    series: str  # the theme, or the outturn line
    theme: str | None
    fy_start_year: int
    cash: Decimal
    population: int | None  # of the area the figure is for (the place, or the body's area)
    months_loaded: int = 12
    months: str = ""
    place_share: Fraction | None = None  # the place's share of a body-wide outturn figure
    evidence: list[str] = field(default_factory=list)


def ledger_points(con: Any, workspace: Workspace) -> list[Point]:
    """Return the count's figures per partner x theme x dated year, and per partner over every theme."""
    t = con.table(COUNT_TABLE)
    t = t.filter(t.fy_start_year.notnull())
    rows = (
        t.select(
            "partner",
            "fy_start_year",
            "theme",
            "counted_amount",
            "population",
            "months_loaded",
            "months_in_year",
            "lines",
        )
        .to_pyarrow()
        .to_pylist()
    )
    names = {p.slug: p.name for p in workspace.partners}
    points: list[Point] = []
    totals: dict[tuple[str, int], Point] = {}
    for row in rows:  # one row per partner x theme x year: a few dozen
        common = {
            "source": "ledger",
            "body": row["partner"],
            "body_name": names.get(row["partner"], row["partner"]),
            "fy_start_year": int(row["fy_start_year"]),
            "population": row["population"],
            "months_loaded": int(row["months_loaded"] or 0),
            "months": row["months_in_year"] or "",
            "place_share": Fraction(1),
        }
        cash = Decimal(row["counted_amount"] or ZERO)
        where = f"{COUNT_TABLE}: partner {row['partner']}, {row['theme']}, {row['lines']} lines"
        points.append(
            Point(
                level="theme",
                series=row["theme"],
                theme=row["theme"],
                cash=cash,
                evidence=[where],
                **common,
            )
        )
        key = (row["partner"], int(row["fy_start_year"]))
        total = totals.setdefault(
            key, Point(level="all", series=ALL_THEMES, theme=None, cash=ZERO, **common)
        )
        total.cash += cash
    for (partner, year), total in totals.items():
        total.evidence = [f"{COUNT_TABLE}: partner {partner}, every theme of {year}"]
    return points + list(totals.values())


def _population(code: str, year: int) -> int | None:
    """Return the mid-year population of a district or the districts of a wider area (None if unknown)."""
    try:
        return sum(areas.population(d, year)[0] for d in areas.expand_area(code))
    except (KeyError, ValueError):
        return None


def _place_share(code: str, place: str, year: int) -> Fraction | None:
    """Return the place's population share of a body's area (None if the body does not cover the place)."""
    try:
        districts = areas.expand_area(code)
        place_districts = areas.expand_area(place)
    except (KeyError, ValueError):
        return None
    if not set(place_districts) <= set(districts):
        return None
    whole, part = _population(code, year), _population(place, year)
    return Fraction(part, whole) if whole and part else None


def outturn_points(table: pa.Table, place_code: str | None) -> list[Point]:
    """Return the outturn's service-level lines per body x line x year, and per body x theme x year.

    ``place_code`` (the workspace's place) gives each body's place share: the place's
    population over the population of the body's area, for bodies whose area covers it.
    """
    lines = table.filter(pc.is_valid(table["theme"])).to_pylist()
    points: list[Point] = []
    themes: dict[tuple[str, str, int], Point] = {}
    people: dict[tuple[str, int], int | None] = {}
    shares: dict[tuple[str, int], Fraction | None] = {}
    for row in lines:  # service-level lines only: about eight per body and year
        code, year = row["body_code"], int(row["fy_start_year"])
        if (code, year) not in people:
            people[code, year] = _population(code, year)
            shares[code, year] = _place_share(code, place_code, year) if place_code else None
        cite = f"{row['source_file']} {row['source_key']}"
        common = {
            "source": "outturn",
            "body": code,
            "body_name": row["body_name"],
            "fy_start_year": year,
            "population": people[code, year],
            "place_share": shares[code, year],
        }
        points.append(
            Point(
                level="line",
                series=row["service"],
                theme=row["theme"],
                cash=Decimal(row["amount"]),
                evidence=[cite],
                **common,
            )
        )
        key = (code, row["theme"], year)
        item = themes.setdefault(
            key, Point(level="theme", series=row["theme"], theme=row["theme"], cash=ZERO, **common)
        )
        item.cash += Decimal(row["amount"])
        item.evidence.append(cite)
    return points + list(themes.values())


def grouped(points: list[Point]) -> dict[tuple[str, str, str, str], list[Point]]:
    """Return the points by (source, body, level, series), each list in year order."""
    out: dict[tuple[str, str, str, str], list[Point]] = defaultdict(list)
    for p in sorted(points, key=lambda p: p.fy_start_year):
        out[p.source, p.body, p.level, p.series].append(p)
    return dict(out)
