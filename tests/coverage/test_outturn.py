"""Reconciling loaded transactions with the Revenue Outturn, by service."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from totalplace.coverage.outturn import OutturnError, reconcile
from totalplace.workspace import Partner, add_partner


def test_hyndburn_borough_council_is_reconciled_and_labelled_with_the_years_compared(hyndburn):
    ws, _ = hyndburn
    result = reconcile(ws, "Hyndburn Borough Council")
    assert result.transactions_year == "2024-25" and result.outturn_year == "2017-18"
    assert "2024-25" in result.label and "2017-18" in result.label
    assert "nearest year shipped, 7 years earlier" in result.label
    assert all(
        r["transactions_year"] == "2024-25" and r["outturn_year"] == "2017-18" for r in result.rows
    )
    assert result.totals["outturn_total_service_expenditure"] == Decimal("9868000.00")  # S292


def test_the_outturn_column_is_the_workbook_cell(hyndburn, sheets):
    ws, _ = hyndburn
    result = reconcile(ws, "Hyndburn Borough Council")
    environmental = next(r for r in result.rows if r["rs_line"] == "590")
    assert environmental["outturn_cell"] == "M292"
    cell = sheets["rs17"][291][12]
    assert environmental["outturn"] == (Decimal(repr(cell)) * 1000).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def test_every_transaction_of_the_year_is_mapped_outside_or_unmapped(hyndburn):
    ws, _ = hyndburn
    result = reconcile(ws, "Hyndburn Borough Council")
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        (imported,) = con.execute(
            "SELECT sum(amount) FROM transactions WHERE partner = 'hyndburn-borough-council' "
            "AND txn_date BETWEEN DATE '2024-04-01' AND DATE '2025-03-31'"
        ).fetchone()
        stored = con.execute(
            "SELECT count(*) FROM outturn_reconciliation WHERE partner = 'hyndburn-borough-council'"
        ).fetchone()[0]
    finally:
        con.close()
    totals = result.totals
    assert totals["transactions_total"] == imported
    assert (
        totals["transactions_mapped_to_services"]
        + totals["transactions_outside_services"]
        + totals["transactions_unmapped"]
        == imported
    )
    assert stored == len(result.rows)


def test_council_tax_precepts_paid_to_the_county_are_not_service_spending(hyndburn):
    ws, _ = hyndburn
    result = reconcile(ws, "Hyndburn Borough Council")
    outside = next(r for r in result.rows if r["rs_line"] == "outside")
    assert outside["transactions"] > Decimal("45000000")  # precepts to Lancashire CC, about £46m
    services = sum(r["transactions"] for r in result.rows if r["rs_line"].isdigit())
    assert result.totals["covered_share"] == (
        services / result.totals["outturn_total_service_expenditure"]
    ).quantize(Decimal("0.0001"))


def test_a_single_service_police_force_is_compared_on_its_police_line(hyndburn):
    ws, _ = hyndburn
    result = reconcile(ws, "Lancashire Police and Crime Commissioner")
    police = next(r for r in result.rows if r["rs_line"] == "601")
    assert police["outturn"] == Decimal("266218900.00")  # O139
    assert police["transactions"] > 0 and "single-service" in police["rules"]
    assert Decimal("0") < result.totals["covered_share"] < Decimal("1")
    assert any("10 of 12 months" in n for n in result.notes)


def test_a_partner_without_an_outturn_row_is_refused(hyndburn):
    ws, _ = hyndburn
    add_partner(ws, Partner(name="Hyndburn Leisure Trust", sector="voluntary"))
    with pytest.raises(OutturnError, match="no Revenue Outturn row"):
        reconcile(ws, "Hyndburn Leisure Trust")
