"""Years told honestly: the months behind each year's figures, and rows without a date.

A generated ledger for Hyndburn Borough Council: 40 payments in May 2019, eight of
them with the date cell left empty. The count must say the year 2019-20 has one
month loaded, and carry the undated rows, their number and amount to the penny, in
its notes and JSON.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.cli.support import out
from totalplace.count import CountResult, count
from totalplace.count.months import month_label, runs
from totalplace.ingest import import_files
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

COUNCIL = "Hyndburn Borough Council"


def ledger(n: int = 40) -> tuple[str, Decimal, int, Decimal]:
    """Return a May 2019 ledger as CSV text, with every fifth date left empty, and the undated rows' total."""
    lines = ["Date,Transaction Number,Supplier Name,Amount,Description"]
    undated, undated_rows, total = Decimal("0.00"), 0, Decimal("0.00")
    for i in range(n):
        amount = Decimal(f"{100 + i}.{(7 * i) % 100:02d}")
        total += amount
        date = "" if i % 5 == 0 else f"{1 + i % 28:02d}/05/2019"
        if not date:
            undated += amount
            undated_rows += 1
        lines.append(f"{date},T{i:04d},Acme Supplies Ltd,{amount},Stationery")
    return "\n".join(lines) + "\n", undated, undated_rows, total


@pytest.fixture(scope="module")
def one_month(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Workspace, CountResult, Decimal, int]:
    """Return the workspace, its count, and the undated rows' amount and number."""
    root = tmp_path_factory.mktemp("months") / "hyndburn"
    init_workspace(root, "E07000120")
    ws = open_workspace(root)
    add_partner(ws, Partner(name=COUNCIL, sector="district_council", areas=("E07000120",)))
    ws = open_workspace(root)
    text, undated, undated_rows, _ = ledger()
    path = root / "may-2019.csv"
    path.write_text(text)
    import_files(ws, COUNCIL, [path])
    return ws, count(ws), undated, undated_rows


@pytest.mark.parametrize(
    ("months", "start", "expected"),
    [
        ([4, 5, 6, 7, 8, 9, 10, 11, 12, 1], 4, "Apr–Jan"),
        ([2, 3], 4, "Feb–Mar"),
        ([4, 5, 6, 9], 4, "Apr–Jun, Sep"),
        ([5], 4, "May"),
        ([12, 1, 2], 4, "Dec–Feb"),
        (list(range(1, 13)), 4, "Apr–Mar"),
        ([1, 2, 12], 1, "Jan–Feb, Dec"),
    ],
)
def test_months_are_named_as_runs_in_financial_year_order(months, start, expected):
    assert runs(months, start) == expected


def test_a_part_year_is_labelled_with_its_months():
    assert month_label(10, "Apr–Jan") == "10 of 12 months (Apr–Jan)"
    assert month_label(12, "Apr–Mar") == "12 months"


def test_the_count_records_one_month_loaded_for_the_year(one_month):
    _, result, _, _ = one_month
    [year] = [m for m in result.months if m["financial_year"] == "2019-20"]
    assert (year["months_loaded"], year["months"], year["months_missing"]) == (
        1,
        "May",
        "Apr, Jun–Mar",
    )
    dated = [r for r in result.rows if r["financial_year"] == "2019-20"]
    assert dated and all(r["months_loaded"] == 1 for r in dated)
    total = next(t for t in result.by_year if t["financial_year"] == "2019-20")
    assert total["months_note"] == f"part year: {COUNCIL} 1 of 12 months (May)"
    # The annualised figure is an estimate, labelled with how it was made.
    assert total["annualised_amount"] == (total["counted_amount"] * 12).quantize(Decimal("0.01"))
    assert total["annualised_how"] == f"estimate, not the count: {COUNCIL} × 12 / 1 months"
    assert any(
        n.startswith(f"{COUNCIL}: 2019-20 has 1 of 12 months (May) loaded") for n in result.notes
    )


def test_undated_rows_are_in_the_notes_with_their_rows_and_amount(one_month):
    _, result, undated, undated_rows = one_month
    assert result.undated == [
        {
            "partner": "hyndburn-borough-council",
            "partner_name": COUNCIL,
            "rows": undated_rows,
            "amount": undated,
        }
    ]
    assert (
        f"{COUNCIL}: {undated_rows:,} rows without a date, £{undated:,.2f} — not in any year; "
        "fix or pin the date column"
    ) in " ".join(result.notes)


def test_undated_rows_are_in_the_json_to_the_penny(one_month):
    ws, _, undated, undated_rows = one_month
    run = CliRunner().invoke(app, ["count", "--workspace", str(ws.root), "--json", "--no-layers"])
    assert run.exit_code == 0, run.output
    document = json.loads(run.output)
    assert document["undated"] == [
        {
            "partner": "hyndburn-borough-council",
            "partner_name": COUNCIL,
            "rows": undated_rows,
            "amount": str(undated),
        }
    ]
    assert document["months_loaded"][0]["months_loaded"] == 1
    assert any("rows without a date" in n for n in document["notes"])


def test_the_count_table_shows_the_months_behind_each_partner(one_month, monkeypatch):
    ws, _, _, _ = one_month
    monkeypatch.setattr(out, "width", 300)
    run = CliRunner().invoke(
        app,
        ["count", "--workspace", str(ws.root), "--no-layers", "--annualise", "--year", "2019-20"],
    )
    assert run.exit_code == 0, run.output
    assert "1 of 12 months (May)" in run.output
    assert "(× 12 / 1)" in run.output
    assert "Part year:" in run.output
