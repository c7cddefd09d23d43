"""Periods of outcome indicators: ISO 8601 intervals (ONS) and financial years (Oflog), as dates.

ONS Explore Local Statistics writes each observation's period as an ISO 8601 time
interval: ``2022-01-01/P3Y`` (start and duration: 2022, 2023 and 2024), and the standard
also allows ``start/end`` and ``duration/end``. An interval is half-open: it ends the
moment the next one starts, so its last day is the day before ``start + duration``.
Oflog writes financial years (``2022-23``: 1 April 2022 to 31 March 2023).

An observation is set beside the spend of the financial year (April to March) its
period ends in: the outcome of calendar 2024 beside 2024-25's spend, a three-year
average 2020-2022 beside 2022-23 (see ``docs/decisions/0024-outcomes-against-spend.md``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from totalplace.years import YearError, parse_year

__all__ = ["Period", "PeriodError", "financial_year_period", "parse_interval"]

_DATE = r"(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+Z?)?"
_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


class PeriodError(ValueError):
    """A period is not an ISO 8601 interval or a financial year; the message says why."""


@dataclass(frozen=True)
class Period:
    """An observation's period: first and last day (inclusive), the ISO text, and its length."""

    start: dt.date
    last_day: dt.date
    duration: str  # the ISO 8601 duration ("P3Y"), or "" for start/end intervals

    @property
    def fy_start_year(self) -> int:
        """The start year of the April-to-March financial year the period ends in."""
        return self.last_day.year if self.last_day.month >= 4 else self.last_day.year - 1


def _date(text: str, whole: str) -> dt.date:
    found = re.fullmatch(_DATE, text)
    if not found:
        raise PeriodError(f"{whole!r}: {text!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError as exc:
        raise PeriodError(f"{whole!r}: {text!r} is not a real date ({exc})") from None


def _parts(text: str, whole: str) -> tuple[int, int, int, int]:
    found = _DURATION.fullmatch(text)
    if not found or text == "P" or not any(found.groups()):
        raise PeriodError(
            f"{whole!r}: {text!r} is not an ISO 8601 duration of years, months, weeks or days "
            "(e.g. P1Y, P3Y, P6M)"
        )
    years, months, weeks, days = (int(g or 0) for g in found.groups())
    return years, months, weeks, days


def _shift(day: dt.date, years: int, months: int, weeks: int, days: int, sign: int) -> dt.date:
    """Return ``day`` moved by the duration (calendar months; the day clipped to the month's end)."""
    total = day.year * 12 + (day.month - 1) + sign * (years * 12 + months)
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise PeriodError(f"a period reaching the year {year} is out of range")
    moved = dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
    return moved + sign * dt.timedelta(weeks=weeks, days=days)


def parse_interval(text: str) -> Period:
    """Return the :class:`Period` of an ISO 8601 interval (start/duration, start/end or duration/end).

    Raises PeriodError naming what is wrong. The last day is the day before the
    interval's end (intervals are half-open).
    """
    whole = text.strip()
    first, slash, second = whole.partition("/")
    if not slash:
        raise PeriodError(
            f"{whole!r} is not an ISO 8601 interval: write start/duration (2022-01-01/P3Y), "
            "start/end or duration/end"
        )
    try:
        if first.startswith("P"):
            end = _date(second, whole)
            start = _shift(end, *_parts(first, whole), sign=-1)
            duration = first
        elif second.startswith("P"):
            start = _date(first, whole)
            end = _shift(start, *_parts(second, whole), sign=1)
            duration = second
        else:
            start, end, duration = _date(first, whole), _date(second, whole), ""
    except OverflowError:
        raise PeriodError(f"{whole!r} reaches beyond the calendar") from None
    if end <= start:
        raise PeriodError(f"{whole!r} ends before it starts")
    return Period(start, end - dt.timedelta(days=1), duration)


def financial_year_period(text: str) -> Period:
    """Return the :class:`Period` of a financial year such as 2022-23 (1 April to 31 March).

    Raises PeriodError if it is not a financial year.
    """
    try:
        start = parse_year(text.strip())
    except YearError:
        start = None
    if start is None:
        raise PeriodError(f"{text!r} is not a financial year written like 2022-23")
    return Period(dt.date(start, 4, 1), dt.date(start + 1, 3, 31), "P1Y")
