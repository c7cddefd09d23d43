"""Top-down estimates for Hyndburn, recomputed from the published workbooks and File 6."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import pytest

from totalplace.coverage.estimates import TopdownEstimates
from totalplace.coverage.topdown import estimate
from totalplace.workspace import Workspace


def pounds(cell: Any) -> Decimal:
    """Return a £-thousands cell in exact pounds, as the published figure reads."""
    return (Decimal(repr(cell)) * 1000).quantize(Decimal("0.01"), ROUND_HALF_UP)


def apportion(amount: Decimal, place: int, area: int) -> Decimal:
    """Return amount × place / area to the penny (share stored to 15 places, as in the count)."""
    share = (Decimal(place) / Decimal(area)).quantize(Decimal("1e-15"), ROUND_HALF_UP)
    return (amount * share).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.fixture(scope="module")
def estimated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, TopdownEstimates]:
    from totalplace.workspace import init_workspace, open_workspace

    root = tmp_path_factory.mktemp("topdown") / "ws"
    init_workspace(root, "E07000120")
    ws = open_workspace(root)
    return ws, estimate(ws, 2024)


def test_the_nhs_estimate_is_north_west_health_spending_times_hyndburns_population_share(
    estimated, sheets, population_2015, north_west
):
    _, result = estimated
    place = population_2015["E07000120"]["all"]
    region = sum(population_2015[c]["all"] for c in north_west)
    expected = sum(
        (
            apportion(pounds(r[18]), place, region)  # column S: 2017-18
            for r in sheets["cra"][1:]
            if r[0] == "Department of Health and Social Care"
            and r[12] == "ENGLAND_North West"
            and r[10] != "LG"
        ),
        Decimal(0),
    )
    assert result.by_kind()["nhs"] == expected
    assert expected > Decimal("150000000")  # about £183m: £16.4bn × 1.12%


def test_old_age_benefits_follow_the_60_plus_population(
    estimated, sheets, population_2015, north_west
):
    _, result = estimated
    row = next(
        r
        for r in result.rows
        if r["kind"] == "dwp" and r["line"].startswith("10.2") and r["cap_cur"] == "CUR"
    )
    cells = sheets["cra"][row["sheet_row"] - 1]
    assert row["cell"] == f"S{row['sheet_row']}"
    assert cells[0] == "Department for Work and Pensions" and cells[6] == "10.2 Old age"
    place = population_2015["E07000120"]["60_plus"]
    region = sum(population_2015[c]["60_plus"] for c in north_west)
    assert row["source_amount"] == pounds(cells[18])
    assert row["estimate"] == apportion(pounds(cells[18]), place, region)
    assert "aged 60 and over" in row["driver"]


def test_lancashire_county_councils_education_is_apportioned_by_children_0_15(
    estimated, sheets, population_2015
):
    _, result = estimated
    row = next(r for r in result.rows if r["cell"] == "F56")
    assert row["kind"] == "county_council" and row["body"] == "Lancashire County Council"
    lancashire = [
        "E07000117", "E07000118", "E07000119", "E07000120", "E07000121", "E07000122",
        "E07000123", "E07000124", "E07000125", "E07000126", "E07000127", "E07000128",
    ]  # fmt: skip
    place = population_2015["E07000120"]["0_15"]
    county = sum(population_2015[c]["0_15"] for c in lancashire)
    cell = sheets["rs17"][55][5]  # F56: Lancashire, education services, £ thousand
    assert row["estimate"] == apportion(pounds(cell), place, county)
    assert row["financial_year"] == "2017-18" and row["sheet"] == "RS LA Data 2017-18"


def test_housing_benefit_paid_by_hyndburn_is_counted_in_full_under_dwp(estimated, sheets):
    _, result = estimated
    rows = [r for r in result.rows if r["cell"].endswith("292") and r["line"].startswith("711")]
    assert len(rows) == 1 and rows[0]["kind"] == "dwp" and rows[0]["share"] == 1
    assert rows[0]["estimate"] == pounds(sheets["rs17"][291][19])  # T292


def test_every_estimate_carries_method_driver_source_year_and_confidence(estimated):
    ws, result = estimated
    assert result.rows
    for row in result.rows:
        assert row["method"] == "top-down" and row["confidence"] == "low"
        assert row["driver"] and row["source_file"] and row["sheet"] and row["cell"]
        assert row["financial_year"] == "2017-18"
        assert "not uprated" in row["price_basis"]
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        n, total = con.execute("SELECT count(*), sum(estimate) FROM topdown_estimates").fetchone()
    finally:
        con.close()
    assert n == len(result.rows)
    assert total == sum((r["estimate"] for r in result.rows), Decimal(0))


def test_local_government_rows_of_the_cra_are_not_used(estimated):
    _, result = estimated
    cra = [r for r in result.rows if r["source"].startswith("HM Treasury")]
    assert cra and not any(r["detail"].startswith("Local Government") for r in cra)
