"""How amounts, dates, payees and file layouts are read, on small CSVs built in memory.

Each test writes the few bytes a publisher might, reads them with ``read_bytes`` and
cleans them with ``clean_sheet``, and checks the one thing it is about. Every sheet
is also checked for the importer's promise: each row read is loaded or quarantined.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from totalplace.ingest import ImportProblem
from totalplace.ingest.clean import clean_sheet
from totalplace.ingest.outcome import CleanSheet
from totalplace.ingest.readers import read_bytes

HEADER = ("Payment Date", "Supplier Name", "Amount")


def make_csv(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] | None = HEADER,
    delimiter: str = ",",
    newline: str = "\n",
    encoding: str = "utf-8",
) -> bytes:
    """Return CSV bytes for a header and rows, quoted as a spreadsheet program would."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def read_one(con: duckdb.DuckDBPyConnection, data: bytes, name: str = "test.csv") -> CleanSheet:
    """Return the one cleaned sheet of a file's bytes, checking no row went missing."""
    sheets = read_bytes(name, data)
    assert len(sheets) == 1
    sheet = clean_sheet(con, sheets[0])
    assert sheet.facts.num_rows + sheet.quarantine.num_rows == sheet.rows_read
    return sheet


def facts(sheet: CleanSheet) -> list[dict[str, object]]:
    return sheet.facts.to_pylist()


def quarantined(sheet: CleanSheet) -> list[dict[str, object]]:
    return sheet.quarantine.to_pylist()


def one_amount(con: duckdb.DuckDBPyConnection, text: str) -> CleanSheet:
    return read_one(con, make_csv([("01/04/2024", "Acme Ltd", text)]))


# -- amounts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("£1,234.56", "1234.56"),
        ("£ 1,234.56", "1234.56"),
        ("1,234,567.89", "1234567.89"),
        ("œ3000", "3000.00"),  # '£' from a cp1252 file mis-decoded as Mac Roman
        ("(219,507.23)", "-219507.23"),
        ("(£5.00)", "-5.00"),
        ("1,450.18-", "-1450.18"),
        ("-£12.00", "-12.00"),
        ("-12", "-12.00"),
        ("1241,32", "1241.32"),  # decimal comma (Babergh)
        ("1041.4099999999999", "1041.41"),  # float noise from a spreadsheet export
        ("2.675", "2.68"),  # half-up, not banker's rounding ...
        ("-2.675", "-2.68"),  # ... and symmetric for credits
        ("0.005", "0.01"),
        (".5", "0.50"),
        ("0", "0.00"),
        ("9999999999999999.99", "9999999999999999.99"),  # the largest amount stored
    ],
)
def test_amount_text_is_read_exactly(
    con: duckdb.DuckDBPyConnection, text: str, expected: str
) -> None:
    sheet = one_amount(con, text)
    assert [f["amount"] for f in facts(sheet)] == [Decimal(expected)]
    assert not quarantined(sheet)


@pytest.mark.parametrize("text", ["", "   "])
def test_blank_amount_is_quarantined_with_reason(con: duckdb.DuckDBPyConnection, text: str) -> None:
    sheet = one_amount(con, text)
    assert not facts(sheet)
    assert [(q["row_number"], q["reason"]) for q in quarantined(sheet)] == [(2, "amount is blank")]


@pytest.mark.parametrize(
    "text", ["TBC", "N/A", "#N/A", "1,2345", "12,34,567", "1.234,56", "NaN", "inf"]
)
def test_amount_that_is_not_a_number_is_quarantined_with_the_text(
    con: duckdb.DuckDBPyConnection, text: str
) -> None:
    sheet = one_amount(con, text)
    assert not facts(sheet)
    [row] = quarantined(sheet)
    assert row["reason"] == f"amount is not a number: {text}"
    assert text in str(row["raw"])


@pytest.mark.parametrize("text", ["10000000000000000", "99999999999999999999", "1e17"])
def test_amount_too_large_to_store_is_quarantined_not_a_crash(
    con: duckdb.DuckDBPyConnection, text: str
) -> None:
    sheet = one_amount(con, text)
    assert not facts(sheet)
    [row] = quarantined(sheet)
    assert str(row["reason"]).startswith("amount ")


def test_amounts_sum_exactly_without_float_error(con: duckdb.DuckDBPyConnection) -> None:
    sheet = read_one(
        con, make_csv([("01/04/2024", "Acme", "0.10")] * 10 + [("01/04/2024", "Acme", "0.20")])
    )
    assert sum(f["amount"] for f in facts(sheet)) == Decimal("1.20")  # type: ignore[misc]


# -- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("01/11/2010", date(2010, 11, 1), "day"),  # dd/mm/yyyy, never mm/dd
        ("1/4/2024", date(2024, 4, 1), "day"),
        ("08-NOV-2010", date(2010, 11, 8), "day"),
        ("26-Sep-13", date(2013, 9, 26), "day"),
        ("24/08/24", date(2024, 8, 24), "day"),  # dd/mm/yy: 2024, not 1924
        ("03.02.2025", date(2025, 2, 3), "day"),
        ("30-09-2025", date(2025, 9, 30), "day"),
        ("2024-04-30", date(2024, 4, 30), "day"),
        ("2024-04-30 01:00:00", date(2024, 4, 30), "day"),
        ("2024-04-30T19:00:00", date(2024, 4, 30), "day"),
        ("45017", date(2023, 4, 1), "day"),  # Excel serial
        ("01 Sep 2014", date(2014, 9, 1), "day"),
        ("Sep 2014", date(2014, 9, 1), "month"),
        ("September 2014", date(2014, 9, 1), "month"),
        ("Sep-14", date(2014, 9, 1), "month"),
    ],
)
def test_date_text_is_read(
    con: duckdb.DuckDBPyConnection, text: str, expected: date, precision: str
) -> None:
    sheet = read_one(con, make_csv([(text, "Acme Ltd", "10.00")]))
    [row] = facts(sheet)
    assert (row["txn_date"], row["date_precision"]) == (expected, precision)


@pytest.mark.parametrize("text", ["31/02/2024", "not a date", "32/01/2024"])
def test_impossible_date_is_quarantined_with_the_text(
    con: duckdb.DuckDBPyConnection, text: str
) -> None:
    sheet = read_one(con, make_csv([(text, "Acme Ltd", "10.00")]))
    assert not facts(sheet)
    [row] = quarantined(sheet)
    assert row["reason"] == f"date not recognised: {text}"
    assert row["amount"] == Decimal("10.00"), (
        "the quarantined row keeps its amount for reconciliation"
    )


def test_blank_date_is_loaded_with_precision_missing(con: duckdb.DuckDBPyConnection) -> None:
    sheet = read_one(con, make_csv([("", "Acme Ltd", "10.00")]))
    [row] = facts(sheet)
    assert (row["txn_date"], row["date_precision"], row["amount"]) == (
        None,
        "missing",
        Decimal("10.00"),
    )


# -- payees ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("supplier", "status"),
    [
        ("REDACTED PERSONAL DATA", "redacted"),
        ("Redacted - Personal Data", "redacted"),
        ("Redacted -Personal Data", "redacted"),
        ("REDACTED COMMERCIAL CONFIDENTIALITY", "redacted"),
        ("Redacted", "redacted"),
        ("Redactive Publishing Ltd", "named"),  # a real company, not a redaction
        ("Unredacted Media Ltd", "named"),
        ("Personal Data", "withheld"),
        ("THIRD PARTY SUPPLIER", "withheld"),
        ("Acme Ltd", "named"),
        ("", "blank"),
    ],
)
def test_payee_status(con: duckdb.DuckDBPyConnection, supplier: str, status: str) -> None:
    sheet = read_one(con, make_csv([("01/04/2024", supplier, "10.00")]))
    [row] = facts(sheet)
    assert row["payee_status"] == status


# -- encodings and layouts -------------------------------------------------------------

ROWS = [("01/04/2024", "Café Ltd", "£1,234.56"), ("02/04/2024", "Bob Ltd", "(6.00)")]
EXPECTED = [
    (2, date(2024, 4, 1), "Café Ltd", Decimal("1234.56")),
    (3, date(2024, 4, 2), "Bob Ltd", Decimal("-6.00")),
]


def _summary(sheet: CleanSheet) -> list[tuple[object, ...]]:
    return [(f["row_number"], f["txn_date"], f["supplier_name"], f["amount"]) for f in facts(sheet)]


def test_utf8_with_bom(con: duckdb.DuckDBPyConnection) -> None:
    sheet = read_one(con, b"\xef\xbb\xbf" + make_csv(ROWS))
    assert sheet.mapping["date"] == "Payment Date", "the BOM must not hide the first header"
    assert _summary(sheet) == EXPECTED


def test_cp1252_pound_sign(con: duckdb.DuckDBPyConnection) -> None:
    data = make_csv(ROWS, encoding="cp1252")
    assert b"\xa31,234.56" in data
    assert _summary(read_one(con, data)) == EXPECTED


def test_utf16_with_bom(con: duckdb.DuckDBPyConnection) -> None:
    assert _summary(read_one(con, make_csv(ROWS, encoding="utf-16"))) == EXPECTED


def test_utf16_with_an_odd_trailing_byte_is_read_not_a_crash(
    con: duckdb.DuckDBPyConnection,
) -> None:
    sheet = read_one(con, make_csv(ROWS, encoding="utf-16") + b"\x00")
    assert _summary(sheet) == EXPECTED


def test_blank_lines_before_a_last_line_are_refused_not_a_crash(
    con: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(ImportProblem):
        read_one(con, b"\n\n01/04/2024,Acme,5.00")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR-only"])
def test_line_endings(con: duckdb.DuckDBPyConnection, newline: str) -> None:
    sheet = read_one(con, make_csv(ROWS, newline=newline))
    assert sheet.rows_read == 2
    assert _summary(sheet) == EXPECTED


@pytest.mark.parametrize("delimiter", [";", "\t", "|"], ids=["semicolon", "tab", "pipe"])
def test_delimiters(con: duckdb.DuckDBPyConnection, delimiter: str) -> None:
    sheet = read_one(con, make_csv(ROWS, delimiter=delimiter))
    assert sheet.mapping == {
        "date": "Payment Date",
        "supplier_name": "Supplier Name",
        "amount": "Amount",
    }
    assert _summary(sheet) == EXPECTED


def test_semicolon_file_with_decimal_commas(con: duckdb.DuckDBPyConnection) -> None:
    data = make_csv([("01/04/2024", "Acme", "1241,32")], delimiter=";")
    assert [f["amount"] for f in facts(read_one(con, data))] == [Decimal("1241.32")]


def test_quoted_cells_keep_commas_and_line_breaks(con: duckdb.DuckDBPyConnection) -> None:
    sheet = read_one(
        con, make_csv([("01/04/2024", "Verint Systems UK Ltd.,", "5"), ("02/04/2024", "A\nB", "6")])
    )
    assert [f["supplier_name"] for f in facts(sheet)] == ["Verint Systems UK Ltd.,", "A\nB"]
    assert [f["row_number"] for f in facts(sheet)] == [2, 3]


def test_preamble_lines_before_the_header_are_quarantined(con: duckdb.DuckDBPyConnection) -> None:
    preamble = b"Hyndburn Borough Council\nPayments over 500, April 2024\n\n"
    sheet = read_one(con, preamble + make_csv(ROWS))
    assert _summary(sheet) == [(n + 3, *rest) for n, *rest in EXPECTED]
    assert [(q["row_number"], q["reason"]) for q in quarantined(sheet)] == [
        (1, "preamble before the header row"),
        (2, "preamble before the header row"),
        (3, "preamble before the header row"),
    ]


@pytest.mark.parametrize(
    "footer",
    [("", "Total", "1228.56"), ("", "GRAND TOTAL", "1228.56"), ("", "", "1228.56")],
    ids=["Total", "GRAND TOTAL", "amount only"],
)
def test_total_footer_is_quarantined_and_not_counted(
    con: duckdb.DuckDBPyConnection, footer: tuple[str, str, str]
) -> None:
    sheet = read_one(con, make_csv([*ROWS, footer]))
    assert _summary(sheet) == EXPECTED
    assert sum(f["amount"] for f in facts(sheet)) == Decimal("1228.56")  # type: ignore[misc]
    [row] = quarantined(sheet)
    assert (row["row_number"], row["reason"]) == (4, "total or subtotal row, not a transaction")
    assert row["amount"] == Decimal("1228.56")


def test_total_footer_in_first_column_of_a_wider_file(con: duckdb.DuckDBPyConnection) -> None:
    header = ("Service Area", "Payment Date", "Supplier Name", "Amount")
    rows = [("Parks", "01/04/2024", "Acme", "5.00"), ("Total", "", "", "5.00")]
    sheet = read_one(con, make_csv(rows, header=header))
    assert [f["amount"] for f in facts(sheet)] == [Decimal("5.00")]
    assert [q["reason"] for q in quarantined(sheet)] == ["total or subtotal row, not a transaction"]


def test_supplier_named_total_is_still_a_transaction(con: duckdb.DuckDBPyConnection) -> None:
    sheet = read_one(con, make_csv([("01/04/2024", "Total Gas & Power Ltd", "7.00")]))
    assert [f["supplier_name"] for f in facts(sheet)] == ["Total Gas & Power Ltd"]


def test_blank_rows_are_quarantined_not_lost(con: duckdb.DuckDBPyConnection) -> None:
    data = make_csv(ROWS[:1]) + b",,\n\n" + make_csv(ROWS[1:], header=None)
    sheet = read_one(con, data)
    assert [f["row_number"] for f in facts(sheet)] == [2, 5]
    assert [(q["row_number"], q["reason"]) for q in quarantined(sheet)] == [
        (3, "blank row"),
        (4, "blank row"),
    ]


def test_ragged_rows_short_and_long(con: duckdb.DuckDBPyConnection) -> None:
    text = (
        "Payment Date,Supplier Name,Amount,Reference\n"
        "01/04/2024,Acme,5.00,R1\n"
        "02/04/2024,Bob,6.00\n"  # one cell short
        "03/04/2024,Carol,7.00,R3,,\n"  # empty cells past the header
        "04/04/2024,Dan,8.00,R4\n"
    )
    sheet = read_one(con, text.encode())
    assert sheet.rows_read == 4
    assert [(f["row_number"], f["amount"]) for f in facts(sheet)] == [
        (2, Decimal("5.00")),
        (3, Decimal("6.00")),
        (4, Decimal("7.00")),
        (5, Decimal("8.00")),
    ]


def test_row_numbers_are_records_even_after_a_multiline_cell(
    con: duckdb.DuckDBPyConnection,
) -> None:
    text = (
        "Payment Date,Supplier Name,Amount,Reference\n"
        '01/04/2024,"Acme\nLtd\nUK",5.00,R1\n'
        "02/04/2024,Bob,6.00\n"
        "03/04/2024,Carol,7.00,R3\n"
    )
    sheet = read_one(con, text.encode())
    assert [(f["row_number"], f["supplier_name"]) for f in facts(sheet)] == [
        (2, "Acme\nLtd\nUK"),
        (3, "Bob"),
        (4, "Carol"),
    ]


def test_header_only_file_has_no_rows(con: duckdb.DuckDBPyConnection) -> None:
    sheet = read_one(con, make_csv([]))
    assert sheet.rows_read == 0


def test_no_header_and_no_profile_is_a_clear_problem(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ImportProblem) as caught:
        read_one(con, make_csv([("01/04/2024", "Acme", "5.00")], header=None))
    assert "no header row" in caught.value.problem
    assert "column profile" in caught.value.advice


def test_header_at_the_bottom_is_used_for_the_rows_above(con: duckdb.DuckDBPyConnection) -> None:
    data = make_csv([("01/04/2024", "Acme", "5.00"), HEADER], header=None)
    sheet = read_one(con, data)
    assert [(f["row_number"], f["amount"]) for f in facts(sheet)] == [(1, Decimal("5.00"))]
    assert [q["reason"] for q in quarantined(sheet)] == ["header row inside the data"]
    assert any("no header at the top" in note for note in sheet.notes)


def test_column_profile_reads_a_file_without_header(con: duckdb.DuckDBPyConnection) -> None:
    data = make_csv([("x", "01/04/2024", "Acme", "5.00")], header=None)
    [raw] = read_bytes("test.csv", data)
    sheet = clean_sheet(con, raw, {"amount": 3, "date": 1, "supplier_name": 2})
    assert [(f["txn_date"], f["supplier_name"], f["amount"]) for f in facts(sheet)] == [
        (date(2024, 4, 1), "Acme", Decimal("5.00"))
    ]
