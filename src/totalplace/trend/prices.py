"""Real terms: cash of one financial year in the prices of a base year, by HM Treasury's GDP deflator.

The shipped deflator (``data/appraisal/gdp_deflator.csv``, HM Treasury GDP deflators at
market prices, December 2025 Quarterly National Accounts, calendar years, 2024 = 100)
is by calendar year. A financial year April Y to March Y+1 takes the index of calendar
year Y, in which nine of its twelve months fall -- the rule of
:func:`totalplace.reference.appraisal.price_year`, used for every price year in
totalplace. Real = cash x index(base) / index(year), rounded half away from zero to the penny.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from totalplace.money import round_half_up
from totalplace.reference.appraisal import Deflator, gdp_deflator
from totalplace.years import year_label

__all__ = ["DEFLATOR_RULE", "base_year_for", "real_terms"]

DEFLATOR_RULE = (
    "financial year April Y to March Y+1 takes the calendar-year GDP deflator of year Y "
    "(nine of its twelve months; totalplace.reference.appraisal.price_year)"
)


def _index(deflator: Deflator, fy_start: int) -> Fraction:
    # the published index as written (e.g. 85.2137), exactly, not its binary float
    return Fraction(Decimal(repr(deflator.index(fy_start))))


def real_terms(
    amount: Decimal, fy_start: int, base: int, deflator: Deflator | None = None
) -> Decimal:
    """Return ``amount`` (cash of the financial year starting ``fy_start``) in ``base`` prices, to the penny."""
    found = deflator or gdp_deflator()
    return round_half_up(Fraction(amount) * _index(found, base) / _index(found, fy_start))


def base_year_for(years: list[int], asked: int | None, deflator: Deflator | None = None) -> int:
    """Return the price base year: the one asked, else the latest year shown the deflator covers.

    Raises PriceYearError (from the deflator) if the asked year is outside the series.
    """
    found = deflator or gdp_deflator()
    if asked is not None:
        found.index(asked)  # refuses a year outside the series, saying which years it covers
        return asked
    covered = [y for y in years if found.years[0] <= y <= found.years[-1]]
    return max(covered) if covered else found.years[-1]


def base_label(base: int) -> str:
    """Return '2024-25 prices' for a base year."""
    return f"{year_label(base)} prices"
