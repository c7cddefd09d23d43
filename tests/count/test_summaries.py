"""Rows from summary files (one row per supplier for a month) are flagged in the count."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from totalplace.classify import classify
from totalplace.count import count
from totalplace.ingest import import_files
from totalplace.workspace import Workspace


def test_summary_rows_are_counted_in_their_month_and_flagged(
    workspace: Workspace, tmp_path: Path
) -> None:
    summary = tmp_path / "supplier_summary_2024-09.csv"
    summary.write_text(
        "Supplier Name,Sum of Invoice Nett Amount\n"
        "Acme Cleaning Ltd,100.50\n"
        "Beta Print Ltd,200.25\n"
        "Gamma Fuel Ltd,-0.75\n",
        encoding="utf-8",
    )
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "Payment Date,Supplier Name,Amount,Transaction ID\n01/10/2024,Acme Cleaning Ltd,50.00,T1\n",
        encoding="utf-8",
    )
    import_files(workspace, "Hyndburn Borough Council", [summary, ledger])
    classify(workspace)
    result = count(workspace)
    [flagged] = result.summaries
    assert (flagged["rows"], flagged["files"], flagged["amount"]) == (3, 1, Decimal("300.00"))
    note = next(n for n in result.notes if "summary file" in n)
    assert "3 rows, £300.00" in note and "not single payments" in note
    assert result.as_json()["summaries"][0]["amount"] == "300.00"


def test_a_ledger_without_summaries_has_no_summary_note(
    workspace: Workspace, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "Payment Date,Supplier Name,Amount,Transaction ID\n01/10/2024,Acme Ltd,50.00,T1\n",
        encoding="utf-8",
    )
    import_files(workspace, "Hyndburn Borough Council", [ledger])
    classify(workspace)
    result = count(workspace)
    assert result.summaries == [] and not any("summary file" in n for n in result.notes)
