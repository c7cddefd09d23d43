"""The local share of the Hyndburn example's spend, with a supplier-location file written here."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import duckdb
import pytest
from typer.testing import CliRunner

from tests.workspaces import imported_example
from totalplace import stages
from totalplace.classify import classify
from totalplace.cli import app
from totalplace.count import count
from totalplace.economy import Cut, economy
from totalplace.errors import EXIT_BAD_INPUT, EXIT_WORKSPACE
from totalplace.warehouse import connect

HBC = "hyndburn-borough-council"
runner = CliRunner()


@pytest.fixture(scope="module")
def hyndburn(tmp_path_factory):
    ws = imported_example(tmp_path_factory.mktemp("economy") / "hyndburn")
    classify(ws)
    count(ws)
    return ws


def _sql(ws, query, params=()):
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()


# Spend with suppliers as the brief defines it, written again in plain SQL: counted lines
# (no transfer), subjective not transfer payments / income / capital financing.
SPEND = """
    SELECT sum(cl.amount) FROM count_lines cl
    JOIN transactions t USING (txn_key) JOIN classifications c USING (txn_key)
    WHERE cl.partner = ? AND cl.transfer_kind IS NULL
      AND coalesce(c.subjective, '') NOT IN ('Transfer payments', 'Income', 'Capital financing')
"""


def _write_locations(ws, rows):
    with open(ws.root / "supplier_locations.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["supplier", "postcode", "district", "local"])
        writer.writerows(rows)


def test_without_locations_all_is_unknown_and_sums_to_the_spend(hyndburn):
    result = economy(hyndburn, 2024)
    hbc = {r["status"]: r for r in result.local_share if r["partner"] == HBC}
    assert set(hbc) == {"unknown"}
    assert hbc["unknown"]["amount"] == _sql(hyndburn, SPEND, [HBC])[0][0]
    con = connect(hyndburn)
    try:
        assert stages.last_run(con, "economy") is not None
    finally:
        con.disconnect()


def test_suppliers_stated_local_by_postcode_or_yes_are_local(hyndburn):
    # The two largest payees of the council by name, spelled differently from the ledger.
    top = _sql(
        hyndburn,
        SPEND.replace("sum(cl.amount)", "t.supplier_name, sum(cl.amount) AS s")
        + " AND t.payee_status = 'named' GROUP BY 1 ORDER BY s DESC LIMIT 3",
        [HBC],
    )
    (first, a1), (second, a2), (third, a3) = top
    _write_locations(
        hyndburn,
        [
            [first.lower() + " ", "", "", "yes"],  # case and spaces do not matter
            [second, "bb51rt", "", ""],  # a Hyndburn GP practice's postcode, no space
            [third, "", "E08000003", ""],  # Manchester: not local
        ],
    )
    try:
        result = economy(hyndburn, "2024-25")
    finally:
        (hyndburn.root / "supplier_locations.csv").unlink()
    hbc = {r["status"]: r["amount"] for r in result.local_share if r["partner"] == HBC}
    total = _sql(hyndburn, SPEND, [HBC])[0][0]
    # Only the council's lines with these three payees are located (the same payees' lines
    # of the other partners count under those partners).
    assert hbc["local"] == a1 + a2
    assert hbc["not local"] == a3
    assert hbc["unknown"] == total - a1 - a2 - a3
    methods = {m["method"]: m for m in result.methods}
    assert "postcode in the supplier-location file; GP practice postcode" in methods
    assert methods["local stated in the supplier-location file"]["confidence"] == "as stated"


def test_cut_jobs_are_spread_over_sectors_and_sum_to_the_cut(hyndburn):
    result = economy(hyndburn, 2024, Cut("Hyndburn Borough Council", Decimal("1000000")))
    jobs = result.jobs
    assert jobs is not None
    assert sum(r["amount"] for r in jobs.by_sector) == pytest.approx(Decimal("1000000"), abs=1)
    # no supplier is located here: no local jobs, all the cut is with unknown suppliers
    assert jobs.total_jobs == 0 and jobs.unknown_amount == Decimal("1000000.00")
    # whole-economy jobs at Hyndburn's multipliers lie between the smallest and largest
    # sector rates (Electricity & Gas 0.5 x 2.86 = 1.43 to Accommodation 16.1 x 1.02 = 16.42)
    assert 1.43 <= jobs.jobs_per_million_all <= 16.42


def test_cli_json_and_bad_file_message(hyndburn):
    done = runner.invoke(app, ["economy", "-w", str(hyndburn.root), "--json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    assert document["lm3"]["2024-25"]["inputs"]["respend_local_suppliers"] == "0.76"
    _write_locations(hyndburn, [["ACME", "not a postcode", "", ""]])
    try:
        bad = runner.invoke(app, ["economy", "-w", str(hyndburn.root)])
    finally:
        (hyndburn.root / "supplier_locations.csv").unlink()
    assert bad.exit_code == EXIT_BAD_INPUT
    assert "supplier_locations.csv, line 2" in bad.output and "Traceback" not in bad.output


def test_cli_template_and_a_missing_partner(hyndburn, tmp_path):
    target = tmp_path / "fill.csv"
    done = runner.invoke(app, ["economy", "-w", str(hyndburn.root), "--template", str(target)])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert (
        rows and rows[0]["postcode"] == "" and float(rows[0]["spend"]) >= float(rows[-1]["spend"])
    )
    bad = runner.invoke(
        app, ["economy", "-w", str(hyndburn.root), "--cut", "1000", "--partner", "Nobody"]
    )
    assert bad.exit_code == EXIT_WORKSPACE and "no partner 'Nobody'" in bad.output


def test_missing_local_economy_folder_is_a_clear_message(tmp_path, hyndburn):
    import shutil

    moved = tmp_path / "kept"
    shutil.move(str(hyndburn.root / "local_economy"), moved)
    try:
        bad = runner.invoke(
            app,
            ["economy", "-w", str(hyndburn.root), "--cut", "1000", "--partner", "Hyndburn BC"],
        )
    finally:
        shutil.move(str(moved), str(hyndburn.root / "local_economy"))
    assert bad.exit_code != 0 and "no local-economy figures for Hyndburn" in bad.output
