"""The cost-shunting monitor: years where one body's real-terms spend on a theme falls as another's rises.

Per theme, for every two bodies serving the place and every pair of consecutive whole
years both have, a finding is a fall in one body's spend of at least ``min_fall``
pounds and ``min_fall_share`` of its previous year, while the other's rises by between
``ratio_low`` and ``ratio_high`` times that fall. Amounts are in the place: counted
spend is already the place's share; a body-wide outturn is taken at the place's
population share of the body's area (ONS mid-year estimates), and an outturn body whose
area does not cover the place is left out (a comparator, not a partner). Real terms
are the trend's base-year prices. Co-movement is a signal to discuss, not proof that
one body's cut moved cost onto another.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import permutations
from typing import Any

from totalplace.errors import UsageError
from totalplace.money import round_half_up
from totalplace.reference.appraisal import Deflator, gdp_deflator
from totalplace.report.documents import jsonable
from totalplace.trend.prices import real_terms
from totalplace.trend.series import Point
from totalplace.years import year_label

__all__ = ["CAVEAT", "Thresholds", "find_shunting"]

CAVEAT = (
    "Co-movement is a signal to discuss, not proof: one body's spending falling while "
    "another's rises may be cost-shunting, or coincidence, a change of accounting or "
    "recharging, a transfer of responsibility, a grant, or a one-off. Ask both bodies."
)


@dataclass(frozen=True)
class Thresholds:
    """When a fall and a rise count as comparable (defaults stated in the CLI help and the decision record)."""

    min_fall: Decimal = Decimal("50000")  # pounds in the place, base-year prices
    min_fall_share: Decimal = Decimal("0.05")  # of the falling body's previous year
    ratio_low: Decimal = Decimal("0.5")  # rise / fall at least
    ratio_high: Decimal = Decimal("2")  # rise / fall at most

    def check(self) -> Thresholds:
        """Return self; UsageError if a threshold is out of range or not a number."""
        values = (self.min_fall, self.min_fall_share, self.ratio_low, self.ratio_high)
        if not all(v.is_finite() for v in values):
            raise UsageError(
                "the cost-shunting thresholds must be numbers: --min-fall in pounds "
                "(e.g. 50000), --min-fall-share and the ratios as plain decimals (e.g. 0.05, 0.5, 2)"
            )
        if self.min_fall < 0 or not 0 <= self.min_fall_share < 1:
            raise UsageError("--min-fall must be 0 or more and --min-fall-share from 0 to below 1")
        if not 0 < self.ratio_low <= self.ratio_high:
            raise UsageError("the ratio band needs 0 < --ratio-low <= --ratio-high")
        return self

    def as_json(self) -> dict[str, Any]:
        """Return the thresholds as JSON-ready values."""
        return jsonable(
            {
                "min_fall": self.min_fall,
                "min_fall_share": self.min_fall_share,
                "ratio_low": self.ratio_low,
                "ratio_high": self.ratio_high,
            }
        )


def _in_place(
    points: list[Point], base: int, deflator: Deflator
) -> dict[tuple[str, str, str], dict[int, tuple[Decimal, Point]]]:
    """Return per (theme, source, body) the whole years' real spend in the place, by year."""
    out: dict[tuple[str, str, str], dict[int, tuple[Decimal, Point]]] = {}
    for p in points:
        if p.level != "theme" or p.theme is None or p.place_share is None or p.months_loaded < 12:
            continue
        real = real_terms(p.cash, p.fy_start_year, base, deflator)
        local = round_half_up(Fraction(real) * p.place_share)
        out.setdefault((p.theme, p.source, p.body), {})[p.fy_start_year] = (local, p)
    return out


def _same_body(a: Point, b: Point, areas_of: dict[str, tuple[str, ...]]) -> bool:
    """Return whether two series are the same body (a partner's ledger and its own outturn)."""
    if a.body_name == b.body_name:
        return True
    for x, y in ((a, b), (b, a)):
        if x.source == "ledger" and y.source == "outturn" and areas_of.get(x.body) == (y.body,):
            return True
    return False


def find_shunting(
    points: list[Point],
    base: int,
    thresholds: Thresholds | None = None,
    deflator: Deflator | None = None,
    partner_areas: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """Return the findings (one per theme, year and pair of bodies) with their evidence, and the caveat.

    ``partner_areas`` (partner slug -> its ONS areas) tells a partner's ledger from its
    own outturn, which are never paired.
    """
    t = (thresholds or Thresholds()).check()
    deflator = deflator or gdp_deflator()
    series = _in_place(points, base, deflator)
    findings: list[dict[str, Any]] = []
    themes = sorted({key[0] for key in series})
    for theme in themes:
        keys = [k for k in series if k[0] == theme]
        for fall_key, rise_key in permutations(keys, 2):
            falling, rising = series[fall_key], series[rise_key]
            one_a = next(iter(falling.values()))[1]
            one_b = next(iter(rising.values()))[1]
            if _same_body(one_a, one_b, partner_areas or {}):
                continue
            for year in sorted(set(falling) & set(rising)):
                if year - 1 not in falling or year - 1 not in rising:
                    continue
                fall = falling[year - 1][0] - falling[year][0]
                rise = rising[year][0] - rising[year - 1][0]
                before = falling[year - 1][0]
                if fall < t.min_fall or before <= 0 or fall < before * t.min_fall_share:
                    continue
                if rise <= 0 or not t.ratio_low <= rise / fall <= t.ratio_high:
                    continue
                findings.append(
                    {
                        "theme": theme,
                        "financial_year": year_label(year),
                        "previous_year": year_label(year - 1),
                        "falling": one_a.body_name,
                        "falling_source": one_a.source,
                        "fall": fall,
                        "fall_share": round_half_up(Fraction(fall) / Fraction(before), 4),
                        "rising": one_b.body_name,
                        "rising_source": one_b.source,
                        "rise": rise,
                        "ratio": round_half_up(Fraction(rise) / Fraction(fall), 2),
                        "series": {
                            one_a.body_name: {
                                year_label(y): v[0] for y, v in sorted(falling.items())
                            },
                            one_b.body_name: {
                                year_label(y): v[0] for y, v in sorted(rising.items())
                            },
                        },
                        "place_share": {
                            one_a.body_name: _share(falling[year][1]),
                            one_b.body_name: _share(rising[year][1]),
                        },
                        "evidence": [
                            *falling[year - 1][1].evidence,
                            *falling[year][1].evidence,
                            *rising[year - 1][1].evidence,
                            *rising[year][1].evidence,
                        ],
                    }
                )
    left_out = sorted(
        {p.body_name for p in points if p.source == "outturn" and p.place_share is None}
    )
    return jsonable(
        {
            "prices": f"{year_label(base)} prices, amounts in the place",
            "thresholds": t.as_json(),
            "findings": findings,
            "bodies_left_out": left_out,
            "caveat": CAVEAT,
        }
    )


def _share(p: Point) -> str:
    if p.source == "ledger":
        return "counted: already the place's share"
    share = p.place_share or Fraction(0)
    return f"{float(share):.4f} of the body's area by population ({p.population:,} people)"
