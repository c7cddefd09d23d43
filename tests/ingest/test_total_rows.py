"""Total rows known by their sums: a bare row whose amount adds up the rows above it.

A row with an amount but no supplier, transaction id or description is a total when
its amount equals the sum of the transactions above it (since the previous total, or
since the top of the sheet); it is quarantined as a total, not counted. A payee with a
name loads whatever its amount, and so does a bare row whose amount adds up nothing.
Layouts are generated: columns in several orders, subtotal blocks, a grand total.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import duckdb
import pytest

from tests.ingest.test_values import facts, make_csv, quarantined, read_one
from totalplace.ingest.rows import TOTAL_REASON

FIELDS = ("Payment Date", "Supplier Name", "Expense Type", "Amount")
# Three blocks of transactions; each is followed by its subtotal, then a grand total.
BLOCKS = [
    [
        ("01/04/2024", "Acme Ltd", "Stationery", "100.00"),
        ("02/04/2024", "Brill Co", "Fuel", "250.50"),
    ],
    [("03/04/2024", "Total People Ltd", "Agency staff", "-8347.00")],
    [
        ("04/04/2024", "Total Hygiene", "Cleaning", "12.34"),
        ("05/04/2024", "Cole plc", "Rent", "7.66"),
    ],
]


def _row(values: dict[str, str], order: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(values.get(name, "") for name in order)


def _block_sum(block: list[tuple[str, str, str, str]]) -> Decimal:
    return sum((Decimal(r[3]) for r in block), Decimal("0.00"))


def _file(order: tuple[str, ...], dated_totals: bool) -> tuple[bytes, int, Decimal]:
    """Return a file with subtotals after each block and a grand total, its totals and sum."""
    rows: list[tuple[str, ...]] = []
    for block in BLOCKS:
        rows += [_row(dict(zip(FIELDS, r, strict=True)), order) for r in block]
        total = {"Amount": str(_block_sum(block))}
        if dated_totals:
            total["Payment Date"] = "30/04/2024"  # some reports date their total rows
        rows.append(_row(total, order))
    grand = sum((_block_sum(b) for b in BLOCKS), Decimal("0.00"))
    rows.append(_row({"Amount": str(grand)}, order))
    return make_csv(rows, header=order), len(BLOCKS) + 1, grand


@pytest.mark.parametrize("dated_totals", [False, True], ids=["undated", "dated"])
@pytest.mark.parametrize(
    "order", list(itertools.permutations(FIELDS)), ids=lambda o: "-".join(c[0] for c in o)
)
def test_subtotals_and_grand_total_are_quarantined_in_any_column_order(
    con: duckdb.DuckDBPyConnection, order: tuple[str, ...], dated_totals: bool
) -> None:
    data, n_totals, grand = _file(order, dated_totals)
    sheet = read_one(con, data)
    loaded = facts(sheet)
    assert [f["supplier_name"] for f in loaded] == [r[1] for b in BLOCKS for r in b]
    assert sum(f["amount"] for f in loaded) == grand  # type: ignore[misc]
    assert [q["reason"] for q in quarantined(sheet)] == [TOTAL_REASON] * n_totals


def test_a_payee_whose_amount_equals_the_sum_above_still_loads(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = [
        ("01/04/2024", "Acme Ltd", "Stationery", "100.00"),
        ("02/04/2024", "Brill Co", "Fuel", "50.00"),
        ("03/04/2024", "Total Solutions Ltd", "Consultancy", "150.00"),  # = 100 + 50, but named
    ]
    sheet = read_one(con, make_csv(rows, header=FIELDS))
    assert [f["amount"] for f in facts(sheet)] == [
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("150.00"),
    ]
    assert quarantined(sheet) == []


def test_a_bare_row_that_adds_up_nothing_is_a_transaction(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        ("01/04/2024", "Acme Ltd", "Stationery", "100.00"),
        ("02/04/2024", "", "", "42.00"),  # payee left blank, amount is no sum
        ("03/04/2024", "Brill Co", "Fuel", "50.00"),
    ]
    sheet = read_one(con, make_csv(rows, header=FIELDS))
    assert [f["amount"] for f in facts(sheet)] == [
        Decimal("100.00"),
        Decimal("42.00"),
        Decimal("50.00"),
    ]
    assert [f["payee_status"] for f in facts(sheet)] == ["named", "blank", "named"]


def test_a_bare_row_with_a_transaction_id_is_a_transaction(con: duckdb.DuckDBPyConnection) -> None:
    header = ("Payment Date", "Transaction Number", "Supplier Name", "Amount")
    rows = [
        ("01/04/2024", "T1", "Acme Ltd", "100.00"),
        ("02/04/2024", "T2", "", "100.00"),  # a second payment of the same amount, payee withheld
    ]
    sheet = read_one(con, make_csv(rows, header=header))
    assert [f["transaction_id"] for f in facts(sheet)] == ["T1", "T2"]


def test_the_first_row_of_a_sheet_is_never_a_sum(con: duckdb.DuckDBPyConnection) -> None:
    rows = [("01/04/2024", "", "", "0.00"), ("02/04/2024", "Acme Ltd", "Stationery", "5.00")]
    sheet = read_one(con, make_csv(rows, header=FIELDS))
    assert [f["amount"] for f in facts(sheet)] == [Decimal("0.00"), Decimal("5.00")]


def test_a_grand_total_found_by_its_sum_is_checked_against_the_rows_loaded(
    con: duckdb.DuckDBPyConnection,
) -> None:
    data, _, grand = _file(FIELDS, dated_totals=True)
    sheet = read_one(con, data)
    assert any(f"£{grand:,.2f}" in note and "agrees" in note for note in sheet.notes)
