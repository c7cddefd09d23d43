"""ISO 8601 intervals and financial years as the periods of outcomes (hypothesis over intervals)."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from totalplace.outcomes.periods import PeriodError, financial_year_period, parse_interval


def test_three_year_period_worked_by_hand() -> None:
    period = parse_interval("2022-01-01/P3Y")
    # 2022, 2023 and 2024: half-open, so the last day is 31 December 2024, in FY 2024-25.
    assert (period.start, period.last_day, period.fy_start_year) == (
        dt.date(2022, 1, 1),
        dt.date(2024, 12, 31),
        2024,
    )


def test_start_end_and_duration_end_forms() -> None:
    assert parse_interval("2023-04-01/2024-04-01").last_day == dt.date(2024, 3, 31)
    assert parse_interval("P1Y/2024-04-01").start == dt.date(2023, 4, 1)


@pytest.mark.parametrize(
    "text", ["2022-01-01", "2022-01-01/P", "2022-02-30/P1Y", "x/P1Y", "2022-01-01/P-1Y", ""]
)
def test_not_an_interval_is_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_interval(text)


@given(
    start=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
    years=st.integers(0, 5),
    months=st.integers(0, 23),
    days=st.integers(0, 400),
)
def test_any_start_duration_interval_ends_a_day_before_start_plus_duration(
    start: dt.date, years: int, months: int, days: int
) -> None:
    if years == months == days == 0:
        return
    text = f"{start.isoformat()}/P" + "".join(
        f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (days, "D")) if n
    )
    period = parse_interval(text)
    end = start + relativedelta(years=years, months=months) + dt.timedelta(days=days)
    assert period.start == start
    assert period.last_day == end - dt.timedelta(days=1)
    expected_fy = period.last_day.year - (1 if period.last_day.month < 4 else 0)
    assert period.fy_start_year == expected_fy


@given(st.integers(1990, 2040))
def test_financial_year_runs_april_to_march(year: int) -> None:
    period = financial_year_period(f"{year}-{(year + 1) % 100:02d}")
    assert (period.start, period.last_day) == (dt.date(year, 4, 1), dt.date(year + 1, 3, 31))
    assert period.fy_start_year == year
