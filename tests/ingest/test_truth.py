"""Every real published spending file reconciles with TRUTH.json, to the penny.

TRUTH.json (../shared/realdata) was established independently of this code: for each
file and sheet it gives the number of records, the genuine transactions, their exact
total, the negatives, the redacted payees and the date range. These tests hold the
importer to those figures:

- every record of a sheet is either loaded or quarantined (the one header row aside),
- the loaded amounts add up to TRUTH's total exactly,
- the loaded rows are TRUTH's transactions, less those with a blank amount (which are
  quarantined: they add nothing to the total, and TfL's 148 '#N/A' rows are such),
- negatives, redactions and the date range agree.

Each file is parsed once per test session, a few at a time in the background, in the
order the tests need them (about 15 s of work for the whole set).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from totalplace.ingest import ImportProblem, parse_file
from totalplace.ingest.outcome import CleanSheet
from totalplace.ingest.store import ParsedFile
from totalplace.workspace import Partner

ROOT = Path(__file__).resolve().parents[2]
REALDATA = Path(os.environ.get("TOTALPLACE_REALDATA", ROOT.parent / "shared" / "realdata"))

#: Files that are published empty: importing them must fail with a clear message.
EMPTY_FILES = {"leeds_city_council_raw/leeds_2018-10.csv"}

_MISSING = "realdata-missing"


def _truth_on_disk() -> dict[str, Any] | None:
    path = REALDATA / "TRUTH.json"
    return json.loads(path.read_text()) if path.exists() else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise by TRUTH's files and records (one placeholder when the data is absent,
    which the ``realdata`` fixture then skips, or fails under CI)."""
    truth = _truth_on_disk()
    if "truth_file" in metafunc.fixturenames:
        files = [t["path"] for t in truth["file_totals"]] if truth else [_MISSING]
        metafunc.parametrize("truth_file", files, ids=files)
    if "truth_record" in metafunc.fixturenames:
        records = (
            [(r["path"], r["sheet"]) for r in truth["records"] if r["path"] not in EMPTY_FILES]
            if truth
            else [(_MISSING, None)]
        )
        ids = [path if sheet is None else f"{path}[{sheet}]" for path, sheet in records]
        metafunc.parametrize("truth_record", records, ids=ids)


Parsed = dict[str, Future[ParsedFile | ImportProblem]]


def _parse_now(realdata: Path, path: str) -> ParsedFile | ImportProblem:
    try:
        return parse_file(realdata / path, Partner(name="Truth check"), display=path)
    except ImportProblem as problem:
        return problem


@pytest.fixture(scope="session")
def parsed_files(realdata: Path, truth: dict[str, Any]) -> Iterator[Parsed]:
    """Return every TRUTH file being parsed (or refused), once a session, in the background."""
    pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1))
    yield {t["path"]: pool.submit(_parse_now, realdata, t["path"]) for t in truth["file_totals"]}
    pool.shutdown(wait=False, cancel_futures=True)


def _parsed_ok(parsed_files: Parsed, path: str) -> ParsedFile:
    outcome = parsed_files[path].result()
    if isinstance(outcome, ImportProblem):
        pytest.fail(f"{path} did not parse: {outcome}", pytrace=False)
    return outcome


def _record(truth: dict[str, Any], path: str, sheet: str | None) -> dict[str, Any]:
    return next(r for r in truth["records"] if r["path"] == path and r["sheet"] == sheet)


def _sheet(parsed: ParsedFile, path: str, sheet: str | None) -> CleanSheet:
    """Return the parsed sheet TRUTH calls ``sheet``.

    TRUTH names a CSV's only sheet None, including the CSV inside a ZIP, which the
    reader names after the archive member: such a record is matched by file.
    """
    if sheet is None:
        assert len(parsed.sheets) == 1, f"{path}: expected one sheet, read {len(parsed.sheets)}"
        return parsed.sheets[0]
    matches = [s for s in parsed.sheets if s.sheet == sheet]
    assert matches, f"{path}: no sheet {sheet!r}; read {[s.sheet for s in parsed.sheets]}"
    return matches[0]


def _amounts(sheet: CleanSheet) -> list[Decimal]:
    return sheet.facts.column("amount").to_pylist()


def _total(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal("0.00"))


@pytest.fixture
def record(truth: dict[str, Any], truth_record: tuple[str, str | None]) -> dict[str, Any]:
    """Return TRUTH's record for one file and sheet."""
    return _record(truth, *truth_record)


@pytest.fixture
def sheet(parsed_files: Parsed, truth_record: tuple[str, str | None]) -> CleanSheet:
    """Return our parse of the sheet the TRUTH record describes."""
    path, name = truth_record
    return _sheet(_parsed_ok(parsed_files, path), path, name)


# -- per file -------------------------------------------------------------------------


def test_file_parses_or_is_refused_as_empty(
    realdata: Path, parsed_files: Parsed, truth_file: str
) -> None:
    outcome = parsed_files[truth_file].result()
    if truth_file in EMPTY_FILES:
        assert (realdata / truth_file).stat().st_size == 0
        assert isinstance(outcome, ImportProblem), "an empty file must be refused, not imported"
        assert "empty" in outcome.problem
        assert outcome.advice, "the user must be told what to do"
    else:
        assert isinstance(outcome, ParsedFile), f"{truth_file} did not parse: {outcome}"


def test_file_total_matches_truth(
    parsed_files: Parsed, truth: dict[str, Any], truth_file: str
) -> None:
    expected = next(t for t in truth["file_totals"] if t["path"] == truth_file)
    if truth_file in EMPTY_FILES:
        assert expected["n_transactions"] == 0
        return
    parsed = _parsed_ok(parsed_files, truth_file)
    assert _total([a for s in parsed.sheets for a in _amounts(s)]) == Decimal(expected["sum"])


def test_sheets_read_are_the_sheets_truth_describes(
    parsed_files: Parsed, truth: dict[str, Any], truth_file: str
) -> None:
    if truth_file in EMPTY_FILES:
        return
    parsed = _parsed_ok(parsed_files, truth_file)
    truth_sheets = [r["sheet"] for r in truth["records"] if r["path"] == truth_file]
    ours = [s.sheet for s in parsed.sheets]
    if truth_sheets == [None]:
        assert len(ours) == 1
    else:
        assert ours == truth_sheets


# -- per file and sheet ---------------------------------------------------------------


def test_every_record_is_loaded_or_quarantined(record: dict[str, Any], sheet: CleanSheet) -> None:
    header = 1 if record["header_record_index"] is not None else 0
    expected = record["n_records_total"] - header
    assert sheet.facts.num_rows + sheet.quarantine.num_rows == expected
    assert sheet.rows_read == expected


def test_loaded_total_matches_truth_to_the_penny(record: dict[str, Any], sheet: CleanSheet) -> None:
    assert _total(_amounts(sheet)) == Decimal(record["amount"]["sum"])


def test_loaded_rows_are_the_transactions_less_blank_amounts(
    record: dict[str, Any], sheet: CleanSheet
) -> None:
    blank = record["amount"]["n_blank"]
    assert record["amount"]["n_unparseable"] == 0, "TRUTH found no unparseable amount in any file"
    assert sheet.facts.num_rows == record["n_transactions"] - blank
    reasons = sheet.quarantine.column("reason").to_pylist()
    assert reasons.count("amount is blank") == blank


def test_negatives_match_truth(record: dict[str, Any], sheet: CleanSheet) -> None:
    negatives = [a for a in _amounts(sheet) if a < 0]
    assert len(negatives) == record["amount"]["n_negative"]
    assert _total(negatives) == Decimal(record["amount"]["sum_negative"])


def test_redacted_payees_match_truth(record: dict[str, Any], sheet: CleanSheet) -> None:
    status = sheet.facts.column("payee_status").to_pylist()
    redacted = [a for a, s in zip(_amounts(sheet), status, strict=True) if s == "redacted"]
    assert len(redacted) == record["redacted"]["n"]
    assert _total(redacted) == Decimal(record["redacted"]["sum"])


def test_date_range_matches_truth(record: dict[str, Any], sheet: CleanSheet) -> None:
    dates = [d for d in sheet.facts.column("txn_date").to_pylist() if d is not None]
    expected = record["dates"]
    if not expected or expected.get("min") is None:
        assert not dates
        return
    assert min(dates).isoformat() == expected["min"]
    assert max(dates).isoformat() == expected["max"]
    # Rows without a date are kept (TRUTH counts them as transactions) with precision 'missing'.
    undated = sheet.facts.column("txn_date").null_count
    assert undated == expected["n_blank"] + expected["n_unparseable"]
    precision = sheet.facts.column("date_precision").to_pylist()
    assert precision.count("missing") == undated
    assert set(precision) - {"missing"} <= {expected["precision"]}
