"""Columns by meaning (issue 7, item 2): header words, what the values say, totals, summaries."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pytest

from totalplace.ingest import ImportProblem, import_files, parse_file
from totalplace.ingest.header_map import map_header, recognise
from totalplace.ingest.header_words import header_words
from totalplace.ingest.meaning import find_period
from totalplace.warehouse import connect
from totalplace.workspace import Partner, Workspace

PARTNER = Partner("Unseen Council")


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "header",
    [
        "Sum of Inv Amount",
        "Invoice Nett Amount",
        "SumOfNet Amt",
        "Amount Paid",
        "Value £",
        "Net",
        "Invoiced",
        "Paid",
        "Sum of Invoice Nett Amount",
    ],
)
def test_amount_headers_are_read_by_their_words(header: str) -> None:
    hit = recognise(header)
    assert hit is not None and hit[0] == "amount"


@pytest.mark.parametrize(
    "cell", ["Total People Ltd", "Total Hygiene", "Irrecoverable VAT Amount", "VAT", "Payment Date"]
)
def test_payees_vat_and_dates_are_never_the_amount(cell: str) -> None:
    hit = recognise(cell)
    assert hit is None or hit[0] != "amount" or "vat" in header_words(cell)
    assert "amount" not in map_header(["Supplier", cell]).columns


def test_header_words_split_tool_made_and_abbreviated_headers() -> None:
    assert header_words("SumOfNet Amt") == ("sum", "of", "net", "amount")
    assert header_words("Value £") == ("value", "pound")
    assert header_words("Trans Nos") == ("transaction", "number")


def test_periods_are_found_in_file_names_and_preambles() -> None:
    assert str(find_period("gm_spend_2019-09.csv")) == "2019-09-01"
    assert str(find_period("Spend by supplier, September 2019")) == "2019-09-01"
    assert find_period("suppliers.csv") is None


# The unseen file: the header row one cell short, so "Amount" sits over the
# transaction numbers (loaded as £5.05bn without a word).
SHORT_HEADER = "Body,Date,Amount,Supplier\n" + "".join(
    f"Unseen Council,0{i}/09/2019,{5_050_000 + i},{i * 100}.25,Supplier {i} Ltd\n"
    for i in range(1, 9)
)


def test_a_header_a_cell_short_is_realigned_with_a_note(tmp_path: Path) -> None:
    parsed = parse_file(_csv(tmp_path, "short.csv", SHORT_HEADER), PARTNER)
    [sheet] = parsed.sheets
    assert pc.sum(sheet.facts.column("amount")).as_py() == Decimal("3602.00")
    assert sheet.facts.column("supplier_name").to_pylist()[0] == "Supplier 1 Ltd"
    assert any("one cell short" in n for n in sheet.notes), sheet.notes


def test_identifiers_under_the_amount_label_are_refused_not_loaded(tmp_path: Path) -> None:
    text = "Date,Amount,Supplier\n" + "".join(
        f"0{i}/09/2019,{5_050_000 + i},Supplier {i} Ltd\n" for i in range(1, 9)
    )
    with pytest.raises(ImportProblem) as caught:
        parse_file(_csv(tmp_path, "ids.csv", text), PARTNER)
    assert "'Amount'" in caught.value.problem and "identifiers" in caught.value.problem
    assert "[partners.columns] amount" in caught.value.advice


def test_payees_whose_names_start_with_total_are_loaded(tmp_path: Path) -> None:
    text = (
        "Supplier,Amount,Date\n"
        "Total People Ltd,-8347.00,\n"
        "Total Hygiene,120.00,\n"
        "Acme Ltd,1000.00,01/09/2019\n"
        "Total,-7227.00,\n"
    )
    [sheet] = parse_file(_csv(tmp_path, "payees.csv", text), PARTNER).sheets
    assert sheet.facts.column("supplier_name").to_pylist() == [
        "Total People Ltd",
        "Total Hygiene",
        "Acme Ltd",
    ]
    assert sheet.quarantine.column("reason").to_pylist() == [
        "total or subtotal row, not a transaction"
    ]
    assert any("agrees with the rows loaded" in n for n in sheet.notes)


def test_a_footer_total_that_differs_is_reported_loudly(tmp_path: Path) -> None:
    text = "Supplier,Amount,Date\nAcme Ltd,100.00,01/09/2019\nBeta Ltd,200.00,02/09/2019\nGrand Total,500.00,\n"
    [sheet] = parse_file(_csv(tmp_path, "footer.csv", text), PARTNER).sheets
    [warning] = [n for n in sheet.notes if n.startswith("WARNING")]
    assert "£500.00" in warning and "£300.00" in warning and "£-200.00" in warning


def test_a_summary_without_a_period_is_refused_clearly(tmp_path: Path) -> None:
    text = "Supplier Name,Sum of Invoice Nett Amount\nAcme Ltd,100.00\nBeta Ltd,200.00\n"
    with pytest.raises(ImportProblem) as caught:
        parse_file(_csv(tmp_path, "suppliers.csv", text), PARTNER)
    assert "summary file" in caught.value.problem
    assert 'period = "2019-09"' in caught.value.advice


def test_the_import_report_stores_the_evidence_in_sources(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        "trio.csv",
        "Payment Date,Supplier,Gross,VAT,Net\n01/09/2019,Acme Ltd,120.00,20.00,100.00\n",
    )
    [report] = import_files(workspace, "Unseen Council", [path])
    assert report.amount_loaded == Decimal("100.00")
    con = connect(workspace)
    try:
        evidence, notes = con.con.execute("SELECT evidence, notes FROM sources").fetchone()
    finally:
        con.disconnect()
    assert "amount: 'Net' (header words: net; 100% of values parse as money" in evidence
    assert "net amount 'Net' was taken" in notes


def test_an_older_warehouse_gains_the_profile_and_evidence_columns(workspace: Workspace) -> None:
    path = workspace.warehouse_path
    raw = duckdb.connect(str(path))
    raw.execute(
        "CREATE TABLE sources (source_hash VARCHAR NOT NULL, partner VARCHAR NOT NULL, "
        "source_file VARCHAR NOT NULL, sheet VARCHAR, sheet_index INTEGER NOT NULL, "
        "format VARCHAR, encoding VARCHAR, delimiter VARCHAR, mapping VARCHAR, notes VARCHAR, "
        "fingerprint VARCHAR, rows_read BIGINT NOT NULL, rows_loaded BIGINT NOT NULL, "
        "rows_quarantined BIGINT NOT NULL, amount_loaded DECIMAL(38, 2) NOT NULL, "
        "amount_quarantined DECIMAL(38, 2) NOT NULL, imported_at TIMESTAMP NOT NULL)"
    )
    raw.close()
    con = connect(workspace)
    try:
        names = [r[0] for r in con.con.execute("DESCRIBE sources").fetchall()]
    finally:
        con.disconnect()
    assert names[-2:] == ["profile_hash", "evidence"]
