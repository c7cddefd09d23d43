"""Exports: text never becomes a formula, money stays exact, shares show as percentages."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.report.hostile import PAYLOADS
from tests.report.xlsx import has_formula, read_cells
from totalplace.report import export_table, neutralise, write_workbook

AMOUNTS = ["1000.00", "1111.11", "0.07", "-8347.00", "2639411.52", "0.10", "123456789012.34"]


def _table() -> pa.Table:
    return pa.table(
        {
            "supplier_name": PAYLOADS,
            "amount": pa.array([Decimal(a) for a in AMOUNTS], pa.decimal128(18, 2)),
            "share": pa.array([Decimal("0.0537")] * 7, pa.decimal128(18, 15)),
            "lines": list(range(7)),
        }
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_a_spreadsheet_would_run_is_prefixed_with_a_quote(payload: str):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Plain Ltd", "A=B Ltd", "", "3M UK", "'quoted"])
def test_ordinary_text_is_left_alone(text: str):
    assert neutralise(text) == text


def test_xlsx_holds_payloads_as_quoted_text_and_no_formula(tmp_path: Path):
    path = export_table(_table(), tmp_path / "x.xlsx", sheet="t")
    assert not has_formula(path)
    header, *rows = read_cells(path)["t"]
    assert [c.text for c in header] == ["supplier_name", "amount", "share", "lines"]
    names = [row[0] for row in rows]
    assert all(c.type in ("s", "inlineStr") for c in names)
    assert [c.text for c in names] == ["'" + p for p in PAYLOADS]


def test_xlsx_money_is_an_exact_number_with_a_two_decimal_format(tmp_path: Path):
    path = export_table(_table(), tmp_path / "x.xlsx", sheet="t")
    _, *rows = read_cells(path)["t"]
    amounts = [row[1] for row in rows]
    assert all(c.type is None and c.number_format == "#,##0.00" for c in amounts)
    # The stored digits are the source's, and survive the trip through a double.
    assert [c.value for c in amounts] == AMOUNTS
    assert [Decimal(str(float(c.value or ""))) for c in amounts] == [Decimal(a) for a in AMOUNTS]


def test_xlsx_shares_are_percentages_with_enough_places(tmp_path: Path):
    path = export_table(_table(), tmp_path / "x.xlsx", sheet="t")
    _, *rows = read_cells(path)["t"]
    share = rows[0][2]
    assert share.type is None and Decimal(share.value or "") == Decimal("0.0537")
    assert share.number_format is not None and share.number_format.startswith("0.00")
    assert share.number_format.endswith("%")
    counts = [row[3] for row in rows]
    assert [c.value for c in counts] == [str(i) for i in range(7)] and counts[
        0
    ].number_format is None


def test_workbook_of_several_sheets_is_as_safe(tmp_path: Path):
    path = write_workbook({"a": _table(), "b": _table()}, tmp_path / "w.xlsx")
    cells = read_cells(path)
    assert not has_formula(path)
    for sheet in ("a", "b"):
        assert [row[0].text for row in cells[sheet][1:]] == ["'" + p for p in PAYLOADS]


def test_csv_quotes_payloads_and_keeps_amounts_exact(tmp_path: Path):
    path = export_table(_table(), tmp_path / "x.csv")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["supplier_name"] for r in rows] == ["'" + p for p in PAYLOADS]
    assert [r["amount"] for r in rows] == AMOUNTS  # a negative amount stays a number


def test_parquet_keeps_text_as_loaded_and_amounts_decimal(tmp_path: Path):
    path = export_table(_table(), tmp_path / "x.parquet")
    table = pq.read_table(path)
    assert table.column("supplier_name").to_pylist() == PAYLOADS
    assert pa.types.is_decimal(table.schema.field("amount").type)
    assert table.column("amount").to_pylist() == [Decimal(a) for a in AMOUNTS]


def test_an_unknown_suffix_is_refused_and_nothing_is_left_behind(tmp_path: Path):
    with pytest.raises(ValueError, match=r"\.csv, \.xlsx, \.parquet"):
        export_table(_table(), tmp_path / "x.txt")
    assert list(tmp_path.iterdir()) == []
