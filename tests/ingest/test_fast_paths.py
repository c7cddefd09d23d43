"""The import's fast paths give exactly what the plain ways gave.

Each shortcut taken for speed has a plain equivalent: transcoding Windows-1252 span by
span (Python's codec), the DECIMAL(18,2) cast of plain amounts (the DECIMAL(38,10)
route and round()), the multi-threaded CSV parse (the single-threaded one, which
numbers ragged rows), and typing many files' rows in one query (one file at a time).
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from totalplace.ingest import ImportProblem, parse, parse_file
from totalplace.ingest.encoding import decode_text
from totalplace.ingest.parse import parse_files
from totalplace.ingest.readers import read_bytes
from totalplace.ingest.rows import install_macros
from totalplace.workspace import Partner

PARTNER = Partner(name="Fast Paths")


def _cp1252_by_codec(data: bytes) -> bytes:
    return data.decode("cp1252", errors="totalplace-latin1").encode("utf-8")


@pytest.mark.parametrize("size", [1, 4095, 4096, 4097, 3 * 4096 + 17, 70_000])
def test_cp1252_transcoding_matches_the_codec(size: int) -> None:
    rng = random.Random(size)
    ascii_text = bytes(rng.randrange(0x20, 0x7F) for _ in range(size))
    high = bytes(range(0x80, 0x100))  # every non-ASCII byte, the undefined five included
    for data in (
        ascii_text,
        bytes(rng.randrange(256) for _ in range(size)),
        ascii_text[: size // 2] + high + ascii_text[size // 2 :],
        high + ascii_text + high,
    ):
        data = data if not _is_utf8(data) else data + b"\x80\xa3"  # must not pass as UTF-8
        assert decode_text("t.csv", data) == (_cp1252_by_codec(data), "cp1252")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_utf8_is_passed_on_without_a_copy_and_bad_utf8_with_bom_is_replaced() -> None:
    data = "Payment Date,Supplier,Amount\n01/04/2024,Café Ltd,£1.00\n".encode()
    assert decode_text("t.csv", data)[0] is data
    assert decode_text("t.csv", b"\xef\xbb\xbfa,\xff\n") == ("a,\ufffd\n".encode(), "utf-8-sig")


def _half_up(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_plain_amounts_take_the_fast_cast_and_others_the_exact_route() -> None:
    """Random amounts either side of the fast path's limits (16 digits, 2 decimals)."""
    rng = random.Random(7)
    texts = ["0", "-0", "12.", "-12.", "0.5", "-0.05", "1234567890123456.99"]
    for _ in range(3000):
        whole = str(rng.randrange(10 ** rng.randrange(1, 17)))
        decimals = "".join(rng.choice("0123456789") for _ in range(rng.randrange(0, 6)))
        texts.append(
            ("-" if rng.random() < 0.3 else "") + whole + ("." + decimals if decimals else "")
        )
    con = duckdb.connect()
    install_macros(con)
    steps = con.execute(
        "SELECT a, CASE WHEN tp_amount_plain(a) THEN TRY_CAST(a AS DECIMAL(18, 2)) ELSE "
        "tp_amount_signed(tp_amount_number(tp_amount_core(tp_amount_text(a))), "
        "tp_amount_negative(tp_amount_text(a))) END FROM unnest(?::VARCHAR[]) AS t(a)",
        [texts],
    ).fetchall()
    con.close()
    for text, amount in steps:
        assert amount == _half_up(text), text


def _csv(rows: int, ragged_at: int | None = None) -> bytes:
    lines = ["Payment Date,Supplier Name,Amount"]
    for n in range(rows):
        cells = [f"{1 + n % 28:02d}/04/2024", f"Supplier {n}", f"{n}.{n % 100:02d}"]
        if n == ragged_at:
            cells.append("an extra cell")
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def test_a_ragged_row_in_a_big_csv_keeps_its_record_number() -> None:
    """The threaded parse cannot number a ragged row, so the file is parsed again."""
    [sheet] = read_bytes("big.csv", _csv(300_000, ragged_at=250_000))
    rows = sheet.table.column("_row").to_pylist()
    assert rows == list(range(1, 300_002))
    overflow = sheet.table.column("_overflow").to_pylist()
    assert [i + 1 for i, v in enumerate(overflow) if v is not None] == [250_002]


@pytest.mark.parametrize("group_rows", [2_000_000, 10])
def test_files_typed_together_equal_files_typed_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, group_rows: int
) -> None:
    monkeypatch.setattr(parse, "GROUP_ROWS", group_rows)  # all in one query, or several
    paths = []
    for n, data in enumerate([_csv(50), b"", _csv(7, ragged_at=3), _csv(1)]):
        paths.append(tmp_path / f"f{n}.csv")
        paths[-1].write_bytes(data)
    jobs = [(PARTNER, p, p.name) for p in paths]
    together = parse_files(jobs)
    for path, outcome in zip(paths, together, strict=True):
        try:
            alone = parse_file(path, PARTNER, path.name)
        except ImportProblem as problem:
            assert isinstance(outcome, ImportProblem)
            assert str(outcome) == str(problem)
            continue
        assert not isinstance(outcome, ImportProblem)
        assert outcome.fingerprint == alone.fingerprint
        for ours, theirs in zip(outcome.sheets, alone.sheets, strict=True):
            assert ours.facts.equals(theirs.facts)
            assert ours.quarantine.equals(theirs.quarantine)
            assert (ours.rows_read, ours.notes) == (theirs.rows_read, theirs.notes)
