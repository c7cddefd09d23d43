"""The place count on the bundled Hyndburn example (real published files, FY 2024-25)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb
import pytest

from tests.workspaces import imported_example
from totalplace import reference
from totalplace.count import CountResult, count
from totalplace.workspace import Workspace


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, CountResult]:
    root = tmp_path_factory.mktemp("count") / "hyndburn"
    ws = imported_example(root)
    return ws, count(ws)


def _sql(ws: Workspace, query: str) -> list[tuple]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_each_partner_gross_in_the_count_equals_what_was_imported(counted):
    ws, result = counted
    imported = dict(_sql(ws, "SELECT partner, sum(amount) FROM transactions GROUP BY partner"))
    assert {r["partner"] for r in result.reconciliation} == set(imported)
    for item in result.reconciliation:
        assert item["gross_in_count"] == imported[item["partner"]]
        assert item["reconciles"]


def test_fire_and_police_are_apportioned_by_hyndburns_population_share(counted):
    ws, result = counted
    pop_place = reference.population("E07000120", 2024)[0]
    districts = reference.expand_area("E23000003")
    pop_area = sum(reference.population(code, 2024)[0] for code in districts)
    exact = Fraction(pop_place, pop_area)
    apportioned = [
        r for r in result.rows if r["method"] == "apportioned" and r["fy_start_year"] == 2024
    ]
    assert {r["partner"] for r in apportioned} == {
        "lancashire-fire-and-rescue-service",
        "lancashire-police-and-crime-commissioner",
    }
    for row in apportioned:
        assert abs(Fraction(row["share"]) - exact) < Fraction(1, 10**15)
        expected = row["base_amount"] * Decimal(exact.numerator) / Decimal(exact.denominator)
        assert abs(row["counted_amount"] - expected) <= Decimal("0.005")
        assert "population share" in row["driver"] and row["confidence"] == "medium"


def test_the_council_covers_only_the_place_and_is_counted_in_full(counted):
    _, result = counted
    council = [r for r in result.rows if r["partner"] == "hyndburn-borough-council"]
    assert council and all(r["method"] == "actual" and r["share"] == 1 for r in council)
    assert all(r["counted_amount"] == r["base_amount"] for r in council)


def test_police_payments_to_the_council_are_transfers_excluded_once(counted):
    ws, result = counted
    # TRUTH.json checks.lancashire_pcc_interbody: 11 payments, £203,904.88 in FY2024-25.
    rows = _sql(
        ws,
        "SELECT count(*), sum(amount) FROM count_lines "
        "WHERE partner = 'lancashire-police-and-crime-commissioner' "
        "AND transfer_to = 'hyndburn-borough-council' AND fy_start_year = 2024",
    )
    assert rows == [(11, Decimal("203904.88"))]
    police = [
        r
        for r in result.reconciliation
        if r["partner"] == "lancashire-police-and-crime-commissioner"
    ][0]
    assert police["gross_in_count"] - police["transfers_excluded"] == police["base_amount"]
    # The example carries the police ledgers 2018-19 to 2024-25; TRUTH.json
    # by_payee_and_financial_year gives each year's payments to the council:
    # 189,863.39 + 188,335.02 + 172,715.43 + 189,292.72 + 173,486.76 + 203,240.05
    # + 203,904.88 = 1,320,838.25, excluded once over the seven years.
    assert police["transfers_excluded"] == Decimal("1320838.25")
    # The receiving council's own spending is untouched: counted in full, once.
    council = [r for r in result.reconciliation if r["partner"] == "hyndburn-borough-council"][0]
    assert council["transfers_excluded"] == 0 and council["counted_amount"] == council["imported"]


def test_place_total_and_per_head_add_up(counted):
    _, result = counted
    year = next(t for t in result.by_year if t["financial_year"] == "2024-25")
    cells = [r for r in result.rows if r["financial_year"] == "2024-25"]
    assert year["counted_amount"] == sum(r["counted_amount"] for r in cells)
    assert year["population"] == reference.population("E07000120", 2024)[0]
    assert year["per_head"] == (year["counted_amount"] / year["population"]).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def test_the_count_says_what_it_does_not_cover(counted):
    _, result = counted
    assert any("Police" in n and "10 of 12 months" in n for n in result.notes)


def test_recounting_gives_identical_tables(counted):
    ws, result = counted
    again = count(ws)
    assert again.rows == result.rows
    assert (
        _sql(ws, "SELECT count(*) FROM count_lines")[0][0]
        == _sql(ws, "SELECT count(*) FROM transactions")[0][0]
    )
