"""Rows with a field missing or one too many never load values under the wrong columns.

Issue 13, finding 3: one comma removed from row 2 of Trafford's 38,055-row file loaded
row 2 with the VAT (£0.00) as its amount, and nothing said so. Here real rows are
damaged in every way a delimiter can go wrong (one missing between two cells, a whole
field dropped, a stray one inside a cell), at every position and with several
delimiters; each damaged row must be loaded exactly as it was before the damage
(realigned, with a note) or quarantined with the reason, and every other row loaded
exactly as it is.
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from totalplace.ingest.clean import clean_sheet
from totalplace.ingest.outcome import CleanSheet
from totalplace.ingest.readers import read_bytes

TRAFFORD = "trafford_council/trafford-supplier-spend-2026-27.zip"
TRAFFORD_CSV = "trafford-supplier-spend-2026-27.csv"
TRAFFORD_SUM = Decimal("95896941.89")  # TRUTH.json


@pytest.fixture(scope="module")
def trafford_rows(realdata: Path) -> list[list[str]]:
    """Return Trafford's header and rows as cells."""
    data = zipfile.ZipFile(realdata / TRAFFORD).read(TRAFFORD_CSV).decode("utf-8")
    return list(csv.reader(io.StringIO(data)))


#: Supplier names and purposes as varied as real ones (free text has no fixed shape).
NAMES = [
    "Acme Ltd",
    "B&Q plc",
    "O'Brien Builders",
    "Smiths (UK) Ltd",
    "J. Jones",
    "3M UK",
    "Kier Services - North",
    "Age UK Trafford",
    "BT",
    "Veolia ES (UK) Ltd",
    "A1 Taxis 24/7",
    "St. Mary's School",
    "Dr R Patel",
    "Zurich Municipal",
    "NHS Trafford CCG",
]


def clean(con: duckdb.DuckDBPyConnection, data: bytes) -> CleanSheet:
    [sheet] = read_bytes("damaged.csv", data)
    cleaned = clean_sheet(con, sheet)
    assert cleaned.facts.num_rows + cleaned.quarantine.num_rows == cleaned.rows_read
    return cleaned


def by_row(table: Any) -> dict[int, dict[str, Any]]:
    return {r["row_number"]: r for r in table.to_pylist()}


def test_trafford_with_one_comma_removed_from_row_2_never_loads_a_shifted_amount(
    con: duckdb.DuckDBPyConnection, realdata: Path
) -> None:
    """The finding as reported: the comma between TransactionNumber and Amount removed."""
    data = zipfile.ZipFile(realdata / TRAFFORD).read(TRAFFORD_CSV)
    lines = data.split(b"\r\n")
    assert lines[1].count(b",5100509851,742.50,0.00,") == 1
    lines[1] = lines[1].replace(b",5100509851,742.50,", b",5100509851742.50,")
    sheet = clean(con, b"\r\n".join(lines))
    facts = by_row(sheet.facts)
    assert 2 not in facts, "row 2 must not load with the VAT as its amount"
    [row2] = [q for q in sheet.quarantine.to_pylist() if q["row_number"] == 2]
    assert row2["reason"].startswith("row has 15 fields, the header 16")
    # Everything else loads, to the penny: the file is short by row 2's £742.50 exactly.
    assert sheet.facts.num_rows == 38_054
    assert sum(f["amount"] for f in facts.values()) == TRAFFORD_SUM - Decimal("742.50")
    assert any("quarantined" in note for note in sheet.notes)


def _write(rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _line(cells: list[str], delimiter: str) -> str:
    """Return a row written without quoting (as a careless export does)."""
    return delimiter.join(cells) + "\n"


def _damage(cells: list[str], kind: str, at: int, delimiter: str) -> tuple[str, list[str]]:
    """Return a damaged row as written, and the cells a correct reading of it finds."""
    if kind == "merged":  # the delimiter between cell `at` and the next lost: no reading
        merged = [*cells[:at], cells[at] + cells[at + 1], *cells[at + 2 :]]
        return _line(merged, delimiter), cells  # can restore both cells, unless one was blank
    if kind == "dropped":  # cell `at` left out, with its delimiter: at best read as blank
        return _line([*cells[:at], *cells[at + 1 :]], delimiter), [
            *cells[:at],
            "",
            *cells[at + 1 :],
        ]
    # 'stray': a delimiter typed inside cell `at` ("Smith, J"); unquoted, it splits the cell
    text = cells[at] or "x"
    middle = max(len(text) // 2, 1)
    first, second = text[:middle], " " + text[middle:]
    meant = [*cells[:at], f"{first}{delimiter}{second}", *cells[at + 1 :]]
    return _line([*cells[:at], first, second, *cells[at + 1 :]], delimiter), meant


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_damaged_row_is_loaded_as_it_was_meant_or_quarantined(
    con: duckdb.DuckDBPyConnection, trafford_rows: list[list[str]], delimiter: str
) -> None:
    header, rows = trafford_rows[0], trafford_rows[1:2001]
    rows = [r for r in rows if not any(delimiter in c for c in r)]
    width = len(header)
    damaged: dict[int, str] = {}
    lines, meant = [_line(header, delimiter)], [header]
    for n, cells in enumerate(rows):
        kind = ("merged", "dropped", "stray")[n % 3]
        at = (n // 3) % (width - 1 if kind == "merged" else width)
        if n % 4 == 0 or n < 20:  # a quarter of the rows damaged, spread through the file
            damaged[n + 2] = f"{kind}@{header[at]}"
            line, intended = _damage(cells, kind, at, delimiter)
            lines.append(line)
            meant.append(intended)
        else:
            lines.append(_line(cells, delimiter))
            meant.append(cells)
    expected = by_row(clean(con, _write(meant, delimiter).encode()).facts)
    assert len(expected) > len(rows) - len(damaged)  # blank amounts or dates dropped: not facts

    sheet = clean(con, "".join(lines).encode())
    facts = by_row(sheet.facts)
    quarantined = {q["row_number"]: q["reason"] for q in sheet.quarantine.to_pylist()}
    for number, fact in facts.items():
        assert fact == expected.get(number), f"row {number} ({damaged.get(number)}) loaded shifted"
    assert set(quarantined) <= set(damaged), "only damaged rows may be quarantined"
    for number, reason in quarantined.items():
        assert "fields, the header 16" in reason, (damaged[number], reason)
    realigned = [n for n in damaged if n in facts]
    # Realigned where one reading is certain, e.g. a delimiter inside a supplier's name
    # (Trafford fills every cell, so a dropped one is never certain: see the next test).
    assert any(damaged[n].startswith("stray@BeneficiaryName") for n in realigned)
    assert any(note.startswith(f"row {realigned[0]} realigned: ") for note in sheet.notes)


def test_a_row_one_field_short_is_realigned_when_only_one_reading_is_clean(
    con: duckdb.DuckDBPyConnection,
) -> None:
    header = "Payment Date,Supplier Name,Transaction Number,Reference,Amount,VAT\n"
    good = "".join(
        f"0{1 + i % 9}/04/2024,Acme Ltd {i},T{1000 + i},{'' if i % 3 else f'R{i}'},{i}.50,0.00\n"
        for i in range(30)
    )
    short = "02/04/2024,Bob Ltd 7,T2000,6.00,0.00\n"  # the blank Reference and its comma lost
    sheet = clean(con, (header + good + short).encode())
    [row] = [f for f in sheet.facts.to_pylist() if f["row_number"] == 32]
    assert (row["amount"], row["transaction_id"], row["supplier_name"]) == (
        Decimal("6.00"),
        "T2000",
        "Bob Ltd 7",
    )
    assert "row 32 realigned: field missing after 'Transaction Number'" in sheet.notes


def test_a_row_short_of_a_field_that_could_be_in_two_places_is_quarantined(
    con: duckdb.DuckDBPyConnection,
) -> None:
    header = "Payment Date,Supplier Name,Purpose,Amount\n"
    good = "".join(
        f"0{1 + i % 9}/04/2024,{NAMES[i % 15]},{NAMES[(i + 4) % 15]} services,{i}.50\n"
        for i in range(30)
    )
    short = "02/04/2024,Stationery,6.00\n"  # supplier or purpose? cannot tell
    sheet = clean(con, (header + good + short).encode())
    assert 32 not in by_row(sheet.facts)
    [row] = [q for q in sheet.quarantine.to_pylist() if q["row_number"] == 32]
    assert row["reason"] == "row has 3 fields, the header 4: cannot tell which column is missing"
    assert row["amount"] == Decimal("6.00")  # both readings agree on it: counted as quarantined


def test_a_stray_semicolon_inside_a_name_is_joined_back(con: duckdb.DuckDBPyConnection) -> None:
    header = "Payment Date;Supplier Name;Amount;Supplier ID\n"
    good = "".join(f"0{1 + i % 9}/04/2024;{NAMES[i % 15]};{i}.50;{9000 + i}\n" for i in range(30))
    stray = "02/04/2024;Smith; J;6.00;123\n"
    sheet = clean(con, (header + good + stray).encode())
    [row] = [f for f in sheet.facts.to_pylist() if f["row_number"] == 32]
    assert (row["supplier_name"], row["amount"], row["supplier_id"]) == (
        "Smith; J",
        Decimal("6.00"),
        "123",
    )
    assert any(
        n.startswith("row 32 realigned: a delimiter inside 'Supplier Name'") for n in sheet.notes
    )


def test_a_row_far_too_short_is_quarantined_with_the_counts(con: duckdb.DuckDBPyConnection) -> None:
    header = "Payment Date,Supplier Name,Purpose,Amount,Reference\n"
    sheet = clean(con, (header + "01/04/2024,Acme,Paper,5.00,R1\n" + "Acme,5.00\n").encode())
    [row] = sheet.quarantine.to_pylist()
    assert row["reason"] == "row has 2 fields, the header 5: too many to realign"
