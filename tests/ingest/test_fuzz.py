"""Whatever bytes arrive, an import either refuses them clearly or accounts for every row.

Hypothesis feeds ``parse_file`` arbitrary bytes and CSVs built from awkward cells (money
and date look-alikes, quotes, delimiters, line breaks, redaction words, footers). The
only acceptable outcomes are an ImportProblem (with a message and advice) or a parse
in which every row read is exactly one loaded fact or one quarantined row.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from totalplace.ingest import ImportProblem, parse_file
from totalplace.ingest.clean import clean_sheet
from totalplace.ingest.readers import read_bytes
from totalplace.ingest.store import ParsedFile
from totalplace.workspace import Partner

PARTNER = Partner(name="Fuzz Council")
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADERS = [
    "Payment Date",
    "Date Paid",
    "Supplier Name",
    "Beneficiary Name",
    "Amount",
    "Net Amount",
    "Amount Paid",
    "Total",
    "Service Area",
    "Transaction Number",
    "Expense Type",
    "Description",
]

CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "£1,234.56",
            "(219,507.23)",
            "1,450.18-",
            "-£12.00",
            "1241,32",
            "1041.4099999999999",
            "2.675",
            "œ3000",
            "99999999999999999999",
            "1e17",
            "NaN",
            "#N/A",
            "01/11/2010",
            "08-NOV-2010",
            "26-Sep-13",
            "24/08/24",
            "2024-04-30 01:00:00",
            "45017",
            "Sep 2014",
            "31/02/2024",
            "REDACTED PERSONAL DATA",
            "Redactive Publishing Ltd",
            "Total",
            "Grand Total",
            "Amount",
            "Supplier Name",
            '"',
            '""',
            "a,b",
            "a;b",
            "line\nbreak",
            "cr\ronly",
            "\ufeff",
            "\x00",
        ]
    ),
    st.text(max_size=12),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**6), max_value=10**6
    ).map(str),
)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """Return a folder for the files Hypothesis writes (module-wide: examples reuse it)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def parse_or_problem(
    folder: Path, data: bytes, name: str, allow_truncated: bool
) -> ParsedFile | None:
    """Parse bytes as a file; return None if refused with a proper ImportProblem."""
    path = folder / name
    path.write_bytes(data)
    try:
        return parse_file(path, PARTNER, display=name, allow_truncated=allow_truncated)
    except ImportProblem as problem:
        assert problem.file, "a problem names the file"
        assert problem.problem.strip(), "a problem says what is wrong"
        assert problem.advice.strip(), "a problem says what to do"
        return None


def assert_every_row_accounted_for(parsed: ParsedFile) -> None:
    """Each row read is one fact or one quarantined row, once, with a sound value."""
    for sheet in parsed.sheets:
        assert sheet.facts.num_rows + sheet.quarantine.num_rows == sheet.rows_read
        fact_rows = sheet.facts.column("row_number").to_pylist()
        quarantine_rows = sheet.quarantine.column("row_number").to_pylist()
        assert len(set(fact_rows) | set(quarantine_rows)) == sheet.rows_read, "a row counted twice"
        assert all(isinstance(a, Decimal) for a in sheet.facts.column("amount").to_pylist())
        assert set(sheet.facts.column("payee_status").to_pylist()) <= {
            "named",
            "redacted",
            "withheld",
            "blank",
        }
        assert set(sheet.facts.column("date_precision").to_pylist()) <= {"day", "month", "missing"}
        assert all(sheet.quarantine.column("reason").to_pylist()), (
            "every quarantined row has a reason"
        )


@FUZZ
@given(data=st.binary(max_size=3000), allow_truncated=st.booleans())
def test_any_bytes_are_refused_or_fully_accounted_for(
    scratch: Path, data: bytes, allow_truncated: bool
) -> None:
    parsed = parse_or_problem(scratch, data, "fuzz.csv", allow_truncated)
    if parsed is not None:
        assert_every_row_accounted_for(parsed)


#: Characters that can change where a record ends when a cell is pasted in unquoted.
_STRUCTURAL = set('"\r\n,;\t|')


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, list[list[str]], bool]:
    """Return (CSV bytes, the records written -- header first --, whether they are known).

    The records are known when the quoting is proper (csv.writer, and every line break in a
    cell is one it quotes) or no cell holds a quote, delimiter or line break: then each
    written row is one record of the file.
    """
    width = draw(st.integers(min_value=1, max_value=6))
    header = draw(
        st.lists(st.sampled_from(HEADERS) | st.text(max_size=8), min_size=width, max_size=width)
    )
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=width + 2), max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    proper = draw(st.booleans())
    if proper:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(rows)
        text = out.getvalue()
    else:  # cells pasted in as they are: stray quotes and delimiters included
        ending = draw(st.sampled_from(["", newline]))
        text = newline.join(delimiter.join(r) for r in [header, *rows]) + ending
        if not ending and rows and not delimiter.join(rows[-1]):
            rows = rows[:-1]  # an empty last line with no line break after it is no record
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    cells = [cell for row in [header, *rows] for cell in row]
    plain = not any(_STRUCTURAL & set(cell) for cell in cells)
    # csv.writer quotes a line break only if it is one of the line terminator's characters.
    quoted = not any(set(cell) & {"\r", "\n"} - set(newline) for cell in cells)
    return text.encode(encoding, errors="replace"), [header, *rows], (proper and quoted) or plain


def assert_rows_are_those_written(parsed: ParsedFile, written: list[list[str]]) -> None:
    """Loaded + quarantined are the records the generator wrote, less the one header taken.

    Checked against the generator's own records (``written``: header first), not the
    parser's count: every record's row number is loaded or quarantined, once; one may be
    missing only if it is the header the parser took (its cells hold every header text
    the mapping names). So a row dropped silently fails here, whatever the parser counts.
    """
    [sheet] = parsed.sheets
    numbers = set(range(1, len(written) + 1))
    seen = sheet.facts.column("row_number").to_pylist()
    seen += sheet.quarantine.column("row_number").to_pylist()
    assert len(seen) == len(set(seen)), "a row counted twice"
    assert set(seen) <= numbers, f"rows {sorted(set(seen) - numbers)} were never written"
    missing = sorted(numbers - set(seen))
    assert len(missing) <= 1, f"written rows {missing} were neither loaded nor quarantined"
    if missing:
        cells = {" ".join(str(c).split()).casefold() for c in written[missing[0] - 1]}
        named = {" ".join(v.split()).casefold() for v in sheet.mapping.values()}
        assert named <= cells, (
            f"written row {missing[0]} {written[missing[0] - 1]} was neither loaded nor "
            f"quarantined, and is not the header the parser took ({sheet.mapping})"
        )


@FUZZ
@given(built=csv_files(), allow_truncated=st.booleans())
def test_any_csv_of_odd_cells_is_refused_or_fully_accounted_for(
    scratch: Path, built: tuple[bytes, list[list[str]], bool], allow_truncated: bool
) -> None:
    data, written, known = built
    parsed = parse_or_problem(scratch, data, "cells.csv", allow_truncated)
    if parsed is not None:
        assert_every_row_accounted_for(parsed)
        if known:
            assert_rows_are_those_written(parsed, written)


@FUZZ
@given(
    amounts=st.lists(
        st.decimals(
            allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9
        ),
        min_size=1,
        max_size=30,
    ),
    style=st.sampled_from(["plain", "pound", "brackets", "trailing minus"]),
)
def test_well_formed_amounts_are_loaded_exactly(
    con: duckdb.DuckDBPyConnection, amounts: list[Decimal], style: str
) -> None:
    def show(amount: Decimal) -> str:
        magnitude = f"{abs(amount):,.2f}" if style != "plain" else f"{abs(amount):.2f}"
        if amount >= 0:
            return f"£{magnitude}" if style == "pound" else magnitude
        return {
            "plain": f"-{magnitude}",
            "pound": f"-£{magnitude}",
            "brackets": f"({magnitude})",
            "trailing minus": f"{magnitude}-",
        }[style]

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Payment Date", "Supplier Name", "Amount"])
    writer.writerows(["01/04/2024", f"Supplier {i}", show(a)] for i, a in enumerate(amounts))
    [raw] = read_bytes("amounts.csv", out.getvalue().encode())
    sheet = clean_sheet(con, raw)
    assert sheet.quarantine.num_rows == 0
    assert sheet.facts.column("amount").to_pylist() == amounts


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[bytes, list[list[str]]]:
    """Return (CSV bytes, the records written): a real header over good and odd rows alike."""
    header = ["Payment Date", "Supplier Name", "Amount"]
    good = st.tuples(
        st.sampled_from(["01/04/2024", "2024-05-31", "15-Jun-24"]),
        st.sampled_from(["Acme Ltd", "REDACTED", ""]),
        st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**6).map(str),
    ).map(list)
    rows = draw(st.lists(good | st.lists(CELLS, min_size=1, max_size=4), min_size=1, max_size=15))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])  # CR and LF quoted
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "cp1252"])), "replace"), [
        header,
        *rows,
    ]


@FUZZ
@given(built=ledgers())
def test_every_row_of_a_ledger_is_loaded_or_quarantined(
    scratch: Path, built: tuple[bytes, list[list[str]]]
) -> None:
    data, written = built
    parsed = parse_or_problem(scratch, data, "ledger.csv", allow_truncated=False)
    if parsed is not None:
        assert_every_row_accounted_for(parsed)
        assert_rows_are_those_written(parsed, written)
