"""Financial years: every way users write one means its start year, and every engine agrees on dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.years import (
    DATE_MISSING,
    YearError,
    default_year,
    label_of,
    normalise_year,
    parse_year,
    start_year_of,
    year_label,
)


@pytest.mark.parametrize(
    "given",
    [
        2024,
        "2024",
        " 2024 ",
        "2024-25",
        "2024/25",
        "2024 - 25",
        "2024\u201325",
        "2024-2025",
        "2024/2025",
        "FY2024",
        "fy 2024",
        "FY2024-25",
        "FY 2024/25",
    ],
)
def test_every_usual_spelling_names_the_year_starting_in_2024(given):
    assert parse_year(given) == 2024
    assert normalise_year(given) == "2024-25"


def test_a_single_year_is_the_start_year_so_fy2024_is_2024_25_not_the_year_ending_in_2024():
    assert year_label(parse_year("FY2024")) == "2024-25"
    assert year_label(parse_year(2024)) == "2024-25"


def test_no_year_means_every_year():
    assert parse_year(None) is None
    assert normalise_year(None) is None


def test_the_year_that_crosses_a_century_has_end_00():
    assert parse_year("1999-00") == 1999
    assert parse_year("1999-2000") == 1999
    assert year_label(1999) == "1999-00"
    assert year_label(2099) == "2099-00"


@pytest.mark.parametrize(
    "given",
    [
        "2024-26",
        "2024-2026",
        "2024-24",
        "2023-25",
        "24-25",
        "FY24",
        "2024-5",
        "20245",
        "twenty",
        "next year",
        "",
        "2024-25-26",
        24,
        -2024,
        True,
        2024.0,
    ],
)
def test_anything_else_is_refused_saying_how_to_write_a_year(given):
    with pytest.raises(YearError, match=r"is not a financial year: write it like 2024-25"):
        parse_year(given)


def test_a_year_error_is_a_value_error():
    assert issubclass(YearError, ValueError)


def test_date_missing_is_a_choice_of_year_but_not_a_year():
    assert normalise_year("date missing") == DATE_MISSING
    assert year_label(None) == DATE_MISSING
    with pytest.raises(YearError):
        parse_year(DATE_MISSING)


@given(st.integers(min_value=1000, max_value=9998))
def test_the_label_of_a_year_reads_back_as_that_year(start):
    label = year_label(start)
    assert parse_year(label) == start
    assert label[:4] == str(start) and len(label) == 7


def test_the_default_is_the_latest_year_every_partner_with_data_covers():
    rows = [
        {"partner": "a", "fy_start_year": 2023},
        {"partner": "a", "fy_start_year": 2024},
        {"partner": "b", "fy_start_year": 2023},
        {"partner": "b", "fy_start_year": None},
    ]
    assert default_year(rows) == 2023


def test_without_a_year_every_partner_covers_the_default_is_the_latest():
    rows = [{"partner": "a", "fy_start_year": 2024}, {"partner": "b", "fy_start_year": 2022}]
    assert default_year(rows) == 2024


def test_a_partner_with_only_undated_lines_does_not_hold_the_default_back():
    rows = [
        {"partner": "a", "fy_start_year": 2024},
        {"partner": "a", "fy_start_year": 2023},
        {"partner": "b", "fy_start_year": None},
    ]
    assert default_year(rows) == 2024


def test_with_nothing_dated_there_is_no_default_year():
    assert default_year([]) is None
    assert default_year([{"partner": "a", "fy_start_year": None}]) is None


# ---------------------------------------------------------------- the Ibis expressions

#: (date, month the partner's year starts): chosen at the edges of years and months.
DATES: list[tuple[dt.date | None, int]] = [
    (dt.date(2024, 3, 31), 4),
    (dt.date(2024, 4, 1), 4),
    (dt.date(2024, 12, 31), 4),
    (dt.date(2025, 1, 1), 4),
    (dt.date(2000, 3, 15), 4),
    (dt.date(1999, 4, 15), 4),
    (dt.date(2024, 1, 1), 1),  # a calendar-year body
    (dt.date(2024, 12, 31), 1),
    (dt.date(2024, 8, 31), 9),  # an academic-year body
    (dt.date(2024, 9, 1), 9),
    (None, 4),
]


def _expected(date: dt.date | None, month: int) -> tuple[int | None, str]:
    if date is None:
        return None, "date missing"
    start = date.year if date.month >= month else date.year - 1
    return start, f"{start}-{str(start + 1)[-2:]}"


def _connect(backend: Any, request: pytest.FixtureRequest) -> Any:
    if backend.name == "duckdb":
        return ibis.duckdb.connect()
    if backend.name == "postgres":
        return ibis.connect(backend.url)
    return ibis.pyspark.connect(request.getfixturevalue("spark_engine").session)


def test_a_dates_financial_year_and_label_are_the_same_on_every_engine(backend, request):
    con = _connect(backend, request)
    data = pa.table(
        {
            "n": pa.array(range(len(DATES)), pa.int64()),
            "txn_date": pa.array([d for d, _ in DATES], pa.date32()),
            "start_month": pa.array([m for _, m in DATES], pa.int64()),
        }
    )
    name = f"years_{backend.name}"
    t = con.create_table(name, data, overwrite=True)
    april = start_year_of(t.txn_date)
    own = start_year_of(t.txn_date, t.start_month)
    per_partner = start_year_of(
        t.txn_date, ibis.cases((t.start_month == 1, 1), (t.start_month == 9, 9), else_=4)
    )
    query = t.select(
        "n",
        april=april,
        own=own,
        per_partner=per_partner,
        label=label_of(own),
        label_of_null=label_of(ibis.null().cast("int64")),
    ).order_by("n")
    try:
        rows = con.to_pyarrow(query).to_pylist()
    finally:
        con.drop_table(name, force=True)
    assert len(rows) == len(DATES)
    for row, (date, month) in zip(rows, DATES, strict=True):
        start, label = _expected(date, month)
        assert row["own"] == start, (date, month)
        assert row["per_partner"] == start, (date, month)
        assert row["label"] == label, (date, month)
        assert row["april"] == _expected(date, 4)[0], date
        assert row["label_of_null"] == DATE_MISSING
        assert row["label"] == year_label(row["own"])
