"""Coverage of the Hyndburn example: who is loaded, who is estimated, and the layers."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import typer
from typer.testing import CliRunner

from totalplace.cli.coverage import coverage_command
from totalplace.count import count
from totalplace.coverage import STATUSES, coverage, layers


def test_lancashire_county_council_the_nhs_and_dwp_are_not_loaded_but_estimated(hyndburn):
    _, result = hyndburn
    county = result.row("county_council")
    assert county is not None and county["who"] == "Lancashire County Council"
    for kind in ("county_council", "nhs", "dwp"):
        row = result.row(kind)
        assert row is not None
        assert row["status"] == "estimated top-down" and not row["partners"]
        assert row["amount"] > 0 and row["share"] > 0
        assert row["method"] == "top-down" and row["confidence"] == "low"
        assert row["financial_year"] == "2017-18"


def test_the_loaded_partners_are_loaded_or_apportioned(hyndburn):
    _, result = hyndburn
    assert result.financial_year == "2024-25"
    statuses = {r["kind"]: r["status"] for r in result.rows if not r["part_year"]}
    assert statuses["district_council"] == "loaded"
    assert statuses["police"] == "apportioned" and statuses["fire"] == "apportioned"
    assert statuses["housing_association"] == "missing"
    assert set(statuses.values()) <= set(STATUSES)


def test_shares_sum_to_one_and_follow_the_amounts(hyndburn):
    _, result = hyndburn
    assert sum(r["share"] for r in result.rows) == 1
    for row in result.rows:
        assert abs(row["share"] - row["amount"] / result.total) < Decimal("1e-9")


def test_layers_add_up_to_the_penny_and_the_loaded_layers_are_the_count(hyndburn):
    ws, result = hyndburn
    view = result.layers
    assert view.total == view.actual + view.apportioned + view.top_down == result.total
    counted = next(t for t in count(ws).by_year if t["financial_year"] == "2024-25")
    assert view.actual + view.apportioned == counted["counted_amount"]
    estimated = [r for r in result.rows if r["status"] == "estimated top-down"]
    assert view.top_down == sum(r["topdown_estimate"] - r["already_counted"] for r in estimated)
    assert view.top_down_gross - view.already_counted == view.top_down
    assert "2024-25" in view.total_note() and "2017-18" in view.total_note()
    assert layers(ws, "2024-25").total == view.total


def test_payments_to_the_county_council_in_loaded_ledgers_are_counted_once(hyndburn):
    ws, result = hyndburn
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        rows = con.execute(
            """SELECT cl.partner, any_value(cl.share), sum(cl.base_amount)
               FROM count_lines cl JOIN transactions t USING (txn_key)
               WHERE cl.fy_start_year = 2024 AND cl.transfer_to IS NULL
                 AND regexp_replace(upper(t.supplier_name), '[^A-Z0-9]+', '', 'g')
                     LIKE 'LANCASHIRECOUNTYCOUNCIL%'
               GROUP BY cl.partner"""
        ).fetchall()
    finally:
        con.close()
    expected = sum(
        ((base * share).quantize(Decimal("0.01")) for _, share, base in rows), Decimal(0)
    )
    county = result.row("county_council")
    assert county is not None
    assert expected > Decimal("40000000")  # Hyndburn's precept payments, about £46m
    assert county["already_counted"] == expected
    assert county["amount"] == county["topdown_estimate"] - expected
    assert any("Lancashire County Council" in n and "taken off" in n for n in result.notes)


def test_the_coverage_says_what_it_leaves_out_and_which_years_it_adds(hyndburn):
    _, result = hyndburn
    assert any("Housing associations" in item for item in result.does_not_include)
    assert any("payroll" in item for item in result.does_not_include)
    assert any("not uprated" in n and "2017-18" in n for n in result.notes)


def test_an_empty_workspace_is_all_top_down(workspace):
    result = coverage(workspace)
    assert result.layers.actual == 0 and result.layers.apportioned == 0
    assert result.layers.top_down == result.total > 0
    assert {r["status"] for r in result.rows} == {"estimated top-down", "missing"}
    assert result.row("district_council")["amount"] == Decimal("9868000.00")  # RS 2017-18 S292


def test_coverage_command_prints_the_table_and_json(hyndburn):
    ws, _ = hyndburn
    app = typer.Typer()
    app.command()(coverage_command)
    app.command("other")(lambda: None)  # two commands, so 'coverage' is named
    runner = CliRunner()
    result = runner.invoke(app, ["coverage-command", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "Lancashire County Council" in result.stdout and "estimated" in result.stdout
    assert "does not include" in result.stdout
    result = runner.invoke(app, ["coverage-command", "--workspace", str(ws.root), "--json"])
    document = json.loads(result.stdout)
    assert document["financial_year"] == "2024-25"
    assert Decimal(document["layers"]["total"]) == Decimal(document["total"])
    assert {r["kind"] for r in document["coverage"]} >= {"county_council", "nhs", "dwp"}


def test_the_police_ten_months_are_loaded_and_february_and_march_estimated_top_down(hyndburn):
    """The demo's police ledger runs April to January: the other two months are top-down."""
    _, result = hyndburn
    police = [r for r in result.rows if r["kind"] == "police"]
    assert [
        (r["status"], r["months"], r["months_loaded"], r["months_estimated"]) for r in police
    ] == [
        ("apportioned", "Apr–Jan", 10, 0),
        ("estimated top-down", "Feb–Mar", 10, 2),
    ]
    whole_year = police[1]["topdown_year_estimate"]
    assert police[1]["amount"] == (whole_year * 2 / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert any(
        n.startswith(
            "Lancashire Police and Crime Commissioner: 10 months loaded (Apr–Jan); "
            "Feb–Mar estimated top-down, £"
        )
        for n in result.notes
    )
