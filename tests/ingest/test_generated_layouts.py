"""Columns by meaning: generated files in the layouts UK publishers use import right, unpinned.

A seeded generator writes a few hundred CSV files: each field's header is drawn from
the spellings seen in UK files (every header of the real files in ../shared/realdata,
collected by the script in this module's ``__doc__`` footnote, and those quoted in issue
7), the columns are shuffled, some files give a Gross / VAT / Net trio, have a preamble
or a footer total, pay payees called "Total People Ltd", or are one-row-per-supplier
summaries for a month. Every file must import to the penny without a pin.

(The real headers were collected with ``prepare_sheet`` over every file of realdata,
keeping ``mapping.describe()`` per field.)
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pytest

from totalplace.ingest import ImportProblem
from totalplace.ingest.parse import parse_files
from totalplace.ingest.store import ParsedFile
from totalplace.workspace import Partner

#: Header spellings per field: the real files' own, then those quoted in issue 7 and
#: other common UK ones.
AMOUNT = [
    # realdata
    " Amount ",
    "* Total Invoice Amount",
    "Amount",
    "Amount Paid",
    "Invoice Line Value (net of VAT)",
    "Net Amount",
    "Net Amount(£)",
    "NetAmount",
    "Spend",
    "TOTAL",
    "Total (excludes VAT)",
    "Total Invoice Amount",
    # issue 7
    "Sum of Inv Amount",
    "Invoice Nett Amount",
    "Sum of Invoice Nett Amount",
    "SumOfNet Amt",
    "Value £",
    "Net",
    "Invoiced",
    "Paid",
    # other UK publishers
    "Amount (excl VAT)",
    "Net Value",
    "Payment Amount",
    "Line Total",
    "Amount £",
    "Value",
    "Total Paid",
    "Nett Amount",
    "Amount GBP",
]
DATE = [
    "* Date",
    "Clearing Date",
    "Date",
    "Date of Payment",
    "DatePaid",
    "Invoice GL Date",
    "Invoice Payment Date",
    "Paid Date",
    "Payment Date",
    "Payment date",
    "PaymentDate",
    "Transaction Date",
    "paid_date",
    "Posting Date",
    "Date Paid",
]
SUPPLIER = [
    "* SUPPLIER",
    "Beneficiary Name",
    "BeneficiaryName",
    "Name",
    "SUPPLIER",
    "Supplier",
    "Supplier (Beneficiary) Name",
    "Supplier Name",
    "SupplierName",
    "Vendor Name",
    "supplier_name",
    "Payee",
    "Payee Name",
    "Creditor Name",
    "Vendor",
]
TRANSACTION = [
    "Document No",
    "Document Number",
    "HBC Ref No.",
    "Internal Ref",
    "Trans No",
    "TransNo",
    "Transaction No.",
    "Transaction Number",
    "TransactionNumber",
    "trans_no",
    "Trans Ref",
    "Voucher Number",
    "Payment Reference",
]
SERVICE = [
    "Directorate",
    "Expense Area",
    "Service",
    "Service Area",
    "Service Division Label",
    "ServiceLabel",
    "Cost Centre Name",
]
EXPENSE = [
    "Expenditure Category",
    "Expense Type",
    "Account Detail",
    "SeRCOP Expenditure Category",
    "Type of Expenditure",
    "Subjective Description",
]
TRIOS = [("Gross", "VAT", "Net"), ("Gross Amount", "VAT Amount", "Net Amount")]
SUMMARY_AMOUNT = ["Sum of Invoice Nett Amount", "Sum of Inv Amount", "Total Spend", "Net"]

PAYEES = [
    "Total People Ltd",
    "Total Hygiene",
    "Oyster Partnership",
    "Grounds Gardens & Trees Ltd",
    "Bolton Council",
    "A N Other",
    "Sum Of Parts Ltd",
    "Net Zero Energy Ltd",
    "Paid Solutions",
    "Value Cars Ltd",
]
SERVICES = ["Housing", "Parks & Cemeteries", "Adult Social Care", "Highways"]
EXPENSES = ["Agency Staff", "Grounds Maintenance", "Consultancy", "Equipment"]


@dataclass
class Generated:
    """One generated file and what importing it must give."""

    path: Path
    total: Decimal
    rows: int
    summary: date | None = None
    trio: bool = False
    checks: list[str] = field(default_factory=list)


def _money(rng: random.Random, value: Decimal) -> str:
    style = rng.randrange(5)
    if style == 0:
        return f"{value:.2f}"
    if style == 1:
        return f"{value:,.2f}"
    if style == 2:
        return f"£{value:,.2f}" if value >= 0 else f"-£{-value:,.2f}"
    if style == 3:
        return f"({-value:,.2f})" if value < 0 else f"{value:,.2f}"
    return f"{value:.2f}"


def _date(rng: random.Random, day: date) -> str:
    return rng.choice([f"{day:%d/%m/%Y}", f"{day:%Y-%m-%d}", f"{day:%d-%b-%Y}", f"{day:%d/%m/%y}"])


def _amounts(rng: random.Random, n: int) -> list[Decimal]:
    return [Decimal(rng.randint(-50_000, 5_000_000)) / 100 for _ in range(n)]


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)


def _transactions(rng: random.Random, folder: Path, number: int) -> Generated:
    n = rng.randint(6, 40)
    amounts = _amounts(rng, n)
    trio = rng.random() < 0.2
    fields = ["date", "supplier", "transaction", "amount"]
    fields += rng.sample(["service", "expense"], rng.randint(0, 2))
    rng.shuffle(fields)
    headers = {
        "date": rng.choice(DATE),
        "supplier": rng.choice(SUPPLIER),
        "transaction": rng.choice(TRANSACTION),
        "service": rng.choice(SERVICE),
        "expense": rng.choice(EXPENSE),
        "amount": rng.choice(AMOUNT),
    }
    start = date(2019, 9, 1)
    first_id = rng.randint(1_000_000, 9_000_000)
    body: list[list[str]] = []
    for i, amount in enumerate(amounts):
        cells: list[str] = []
        for f in fields:
            if f == "amount" and trio:
                vat = (amount * Decimal("0.2")).quantize(Decimal("0.01"))
                cells += [_money(rng, amount + vat), _money(rng, vat), _money(rng, amount)]
            elif f == "amount":
                cells.append(_money(rng, amount))
            elif f == "date":
                cells.append(_date(rng, start + timedelta(days=rng.randrange(30))))
            elif f == "supplier":
                cells.append(rng.choice(PAYEES))
            elif f == "transaction":
                cells.append(str(first_id + i))
            elif f == "service":
                cells.append(rng.choice(SERVICES))
            else:
                cells.append(rng.choice(EXPENSES))
        body.append(cells)
    header: list[str] = []
    for f in fields:
        header += list(rng.choice(TRIOS)) if f == "amount" and trio else [headers[f]]
    rows: list[list[str]] = []
    if rng.random() < 0.4:
        rows += [["Payments to suppliers over £500"], ["Period: September 2019"], []]
    rows += [header, *body]
    checks = []
    if rng.random() < 0.4:
        footer = [""] * len(header)
        footer[header.index(headers["supplier"])] = rng.choice(["Total", "Grand Total", "TOTAL:"])
        amount_at = (
            next(i for i, h in enumerate(header) if h.startswith("Net"))
            if trio
            else header.index(headers["amount"])
        )
        footer[amount_at] = f"{sum(amounts):.2f}"
        rows.append(footer)
        checks.append("agrees with the rows loaded")
    path = folder / f"generated_{number:03d}.csv"
    _write(path, rows)
    return Generated(path, sum(amounts, Decimal("0.00")), n, trio=trio, checks=checks)


def _summary(rng: random.Random, folder: Path, number: int) -> Generated:
    n = rng.randint(5, 30)
    amounts = _amounts(rng, n)
    month = date(2019, rng.randint(1, 12), 1)
    rows: list[list[str]] = []
    in_preamble = rng.random() < 0.5
    if in_preamble:
        rows += [[f"Spend by supplier, {month:%B %Y}"], []]
    rows.append([rng.choice(["Supplier Name", "Supplier", "Payee"]), rng.choice(SUMMARY_AMOUNT)])
    rows += [[f"{rng.choice(PAYEES)} {i}", _money(rng, a)] for i, a in enumerate(amounts)]
    name = f"summary_{number:03d}.csv" if in_preamble else f"summary_{number:03d}_{month:%Y-%m}.csv"
    path = folder / name
    _write(path, rows)
    return Generated(path, sum(amounts, Decimal("0.00")), n, summary=month)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Generated, object]]:
    folder = tmp_path_factory.mktemp("layouts")
    rng = random.Random(20260107)
    files = [
        _summary(rng, folder, i) if i % 8 == 7 else _transactions(rng, folder, i)
        for i in range(320)
    ]
    partner = Partner("Generated Council")
    outcomes = parse_files([(partner, g.path, g.path.name) for g in files], workers=2)
    return list(zip(files, outcomes, strict=True))


def test_the_generator_covers_every_layout(generated: list[tuple[Generated, object]]) -> None:
    files = [g for g, _ in generated]
    assert len(files) >= 300
    assert sum(g.trio for g in files) >= 30
    assert sum(g.summary is not None for g in files) >= 30
    assert sum(bool(g.checks) for g in files) >= 60


def test_every_generated_file_imports_to_the_penny_without_a_pin(
    generated: list[tuple[Generated, object]],
) -> None:
    wrong = []
    for g, outcome in generated:
        if isinstance(outcome, ImportProblem):
            wrong.append(f"{g.path.name}: refused: {outcome}")
            continue
        assert isinstance(outcome, ParsedFile)
        [sheet] = outcome.sheets
        loaded = pc.sum(sheet.facts.column("amount")).as_py()
        if loaded != g.total or sheet.facts.num_rows != g.rows:
            wrong.append(
                f"{g.path.name}: {sheet.facts.num_rows} rows, £{loaded} loaded; "
                f"expected {g.rows}, £{g.total} (mapping {sheet.mapping})"
            )
    assert not wrong, "\n".join(wrong[:20])


def test_payees_named_total_are_loaded_not_taken_for_totals(
    generated: list[tuple[Generated, object]],
) -> None:
    payees = set()
    for _, outcome in generated:
        assert isinstance(outcome, ParsedFile)
        payees.update(outcome.sheets[0].facts.column("supplier_name").to_pylist())
    assert {"Total People Ltd", "Total Hygiene"} <= payees


def test_a_gross_vat_net_trio_takes_net_and_says_so(
    generated: list[tuple[Generated, object]],
) -> None:
    for g, outcome in generated:
        if g.trio:
            assert isinstance(outcome, ParsedFile)
            [sheet] = outcome.sheets
            assert sheet.mapping["amount"].startswith("Net"), sheet.mapping
            assert any("net amount" in n and "was taken" in n for n in sheet.notes), sheet.notes


def test_a_footer_total_is_checked_against_the_rows_loaded(
    generated: list[tuple[Generated, object]],
) -> None:
    for g, outcome in generated:
        assert isinstance(outcome, ParsedFile)
        notes = outcome.sheets[0].notes
        for check in g.checks:
            assert any(check in n for n in notes), (g.path.name, notes)


def test_summary_files_are_stored_for_their_period(
    generated: list[tuple[Generated, object]],
) -> None:
    for g, outcome in generated:
        if g.summary is None:
            continue
        assert isinstance(outcome, ParsedFile)
        facts = outcome.sheets[0].facts
        assert set(facts.column("txn_date").to_pylist()) == {g.summary}, g.path.name
        assert set(facts.column("date_precision").to_pylist()) == {"period"}
        assert any("summary file" in n for n in outcome.sheets[0].notes)


def test_the_import_report_keeps_the_evidence_for_each_column(
    generated: list[tuple[Generated, object]],
) -> None:
    g, outcome = next((g, o) for g, o in generated if g.summary is None and not g.trio)
    assert isinstance(outcome, ParsedFile)
    evidence = outcome.sheets[0].evidence
    amount = next(e for e in evidence if e.startswith("amount:"))
    assert "of values parse as money" in amount and "confidence" in amount
    assert any(e.startswith("date:") and "parse as dates" in e for e in evidence)
