"""Financial years: every row belongs to one year, a year can be chosen, and bad years are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from totalplace.classify import classify
from totalplace.count import count
from totalplace.ingest import import_files
from totalplace.opportunities import OpportunitiesError, opportunities
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace
from totalplace.years import YearError

from .conftest import sql

OXFORD = [
    "oxford_city_council/expenditure-over-500-oct-dec-2014.csv",
    "oxford_city_council/expenditure-over-500-apr-jun-2017.csv",
]


@pytest.fixture(scope="module")
def oxford(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return Oxford City Council with a quarter of FY 2014-15 and one of FY 2017-18, counted."""
    root = tmp_path_factory.mktemp("years") / "oxford"
    init_workspace(root, "E07000178")
    ws = open_workspace(root)
    add_partner(
        ws, Partner(name="Oxford City Council", sector="district_council", areas=("E07000178",))
    )
    import_files(ws, "Oxford City Council", [realdata / f for f in OXFORD])
    classify(ws)
    count(ws)
    return ws


@pytest.mark.parametrize("given", ["2024-26", "24-25", "next year", "2024-2026"])
def test_a_malformed_financial_year_is_refused(oxford, given):
    # Every spelling of a year is read by totalplace.years (tests/test_years.py).
    with pytest.raises(YearError, match="is not a financial year"):
        opportunities(oxford, year=given)


@pytest.mark.parametrize("given", [2017, "2017/18"])
def test_a_year_can_be_given_in_the_usual_ways(oxford, given):
    assert opportunities(oxford, year=given).financial_years == ["2017-18"]


def test_each_year_has_its_own_rows_reconciling_to_that_years_count(oxford):
    result = opportunities(oxford)
    assert result.financial_years == ["2014-15", "2017-18"]
    counted = dict(
        sql(
            oxford,
            """SELECT financial_year, sum(counted_amount) FROM count_by_partner_theme_year
            GROUP BY 1""",
        )
    )
    for year in result.financial_years:
        rows = [r for r in result.fragmentation if r["financial_year"] == year]
        assert rows and sum(r["place_amount"] for r in rows) == counted[year]
    summaries = {s["financial_year"]: s for s in result.summary()}
    assert (
        summaries["2014-15"]["back_office"]["amount"]
        != summaries["2017-18"]["back_office"]["amount"]
    )
    assert {r["fy_start_year"] for r in result.back_office} == {2014, 2017}


def test_choosing_a_year_keeps_only_its_lines(oxford):
    result = opportunities(oxford, year="2017-18")
    assert result.financial_years == ["2017-18"]
    assert {r["financial_year"] for r in result.fragmentation} == {"2017-18"}
    assert sql(oxford, "SELECT DISTINCT fy_start_year FROM opp_lines") == [(2017,)]


def test_a_year_without_spending_is_refused_naming_the_years_there_are(oxford):
    with pytest.raises(OpportunitiesError, match="years in the count: 2014-15, 2017-18"):
        opportunities(oxford, year="2020-21")
