"""Bad, odd and repeated input through ``import_files`` on a real workspace.

Every refusal must say clearly what is wrong and must leave the warehouse exactly as it
was: each test first imports a good real file, then compares the tables' row counts
and sums before and after. Re-imports must never double anything.
"""

from __future__ import annotations

import random
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from totalplace.ingest import ImportFailed, SheetReport, import_files, parse_file
from totalplace.warehouse import connect
from totalplace.workspace import Partner, Workspace, add_partner

GOOD = "lancashire/hyndburn_bc/hyndburn_2024-04.csv"  # 428 transactions, £2,639,411.52
GOOD_ROWS = 428
GOOD_SUM = Decimal("2639411.52")
NOHEADER = "lancashire/hyndburn_bc/hyndburn_2025-09_noheader.csv"
NOHEADER_SUM = Decimal("9018715.60")
CR_ONLY = "lancashire/hyndburn_bc/hyndburn_2019-01_1901_CR-line-endings.csv"
EMPTY = "leeds_city_council_raw/leeds_2018-10.csv"
OXFORD_UTF8 = "oxford_city_council/expenditure-over-500-oct-dec-2014.csv"
OXFORD_CP1252 = "oxford_city_council/SpendOver500_Oct_Dec_2014.csv"
OXFORD_SUM = Decimal("15676053.92")
PARTNER = "Hyndburn Borough Council"


def snapshot(workspace: Workspace) -> dict[str, tuple[Any, ...]]:
    """Return row counts and sums of the warehouse tables (to show nothing changed)."""
    con = connect(workspace)
    try:
        raw = con.con
        return {
            "sources": raw.execute(
                "SELECT count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
                "sum(amount_loaded), sum(amount_quarantined), string_agg(DISTINCT source_hash ORDER BY "
                "source_hash) FROM sources"
            ).fetchone(),
            "transactions": raw.execute(
                "SELECT count(*), sum(amount) FROM transactions"
            ).fetchone(),
            "quarantine": raw.execute("SELECT count(*), sum(amount) FROM quarantine").fetchone(),
        }
    finally:
        con.disconnect()


def place(realdata: Path, workspace: Workspace, path: str, name: str | None = None) -> Path:
    """Copy a real file into the workspace's data folder and return the copy."""
    target = workspace.root / "data" / (name or Path(path).name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(realdata / path, target)
    return target


def write(workspace: Workspace, name: str, data: bytes) -> Path:
    target = workspace.root / "data" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def refused(
    workspace: Workspace, paths: list[Path], partner: str = PARTNER, **kwargs: Any
) -> ImportFailed:
    """Import files that must be refused; return the failure after checking nothing changed."""
    before = snapshot(workspace)
    with pytest.raises(ImportFailed) as caught:
        import_files(workspace, partner, paths, **kwargs)
    assert snapshot(workspace) == before, "a refused import must store nothing"
    for problem in caught.value.problems:
        assert problem.file and problem.problem and problem.advice
    return caught.value


@pytest.fixture
def loaded(realdata: Path, workspace: Workspace) -> Workspace:
    """Return a workspace holding one good real file, imported successfully."""
    [report] = import_files(workspace, PARTNER, [place(realdata, workspace, GOOD)])
    assert (report.status, report.rows_loaded, report.amount_loaded) == (
        "loaded",
        GOOD_ROWS,
        GOOD_SUM,
    )
    return workspace


def test_snapshot_sees_the_good_import(loaded: Workspace) -> None:
    tables = snapshot(loaded)
    assert tables["transactions"] == (GOOD_ROWS, GOOD_SUM)
    assert tables["sources"][0] == 1


# -- refused files ---------------------------------------------------------------------


def test_zero_byte_file_is_refused_as_empty(realdata: Path, loaded: Workspace) -> None:
    failure = refused(loaded, [place(realdata, loaded, EMPTY)])
    [problem] = failure.problems
    assert problem.file.endswith("leeds_2018-10.csv")
    assert "empty" in problem.problem
    assert "download it again" in problem.advice.lower()


def test_missing_path_is_refused(loaded: Workspace) -> None:
    [problem] = refused(loaded, [loaded.root / "data" / "no-such-file.csv"]).problems
    assert "does not exist" in problem.problem


def test_folder_is_refused(loaded: Workspace) -> None:
    folder = loaded.root / "data" / "folder"
    folder.mkdir(parents=True)
    [problem] = refused(loaded, [folder]).problems
    assert "folder" in problem.problem


def test_random_bytes_are_refused(loaded: Workspace) -> None:
    data = random.Random(1).randbytes(20_000)
    [problem] = refused(loaded, [write(loaded, "noise.csv", data)]).problems
    assert "binary" in problem.problem or "cannot be parsed" in problem.problem


def test_one_bad_file_stores_nothing_of_the_good_ones(realdata: Path, loaded: Workspace) -> None:
    good = [
        place(realdata, loaded, f"lancashire/hyndburn_bc/hyndburn_2024-0{m}.csv") for m in (5, 6, 7)
    ]
    bad = place(realdata, loaded, EMPTY)
    failure = refused(loaded, [*good, bad])
    assert [Path(p.file).name for p in failure.problems] == ["leeds_2018-10.csv"]


def test_every_bad_file_is_reported_together(realdata: Path, loaded: Workspace) -> None:
    empty = place(realdata, loaded, EMPTY)
    noise = write(loaded, "noise.csv", random.Random(2).randbytes(5_000))
    failure = refused(loaded, [empty, noise, loaded.root / "missing.csv"])
    assert sorted(Path(p.file).name for p in failure.problems) == [
        "leeds_2018-10.csv",
        "missing.csv",
        "noise.csv",
    ]


def test_xlsx_without_an_amount_column_lists_the_headers_seen(loaded: Workspace) -> None:
    path = loaded.root / "data" / "no-amount.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    headers = ["Payment Date", "Supplier Name", "Description", "Reference"]
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet("Spend")
        sheet.write_row(0, 0, headers)
        for row in range(1, 6):
            sheet.write_row(row, 0, ["01/04/2024", f"Supplier {row}", "Widgets", f"R{row}"])
    [problem] = refused(loaded, [path]).problems
    assert "amount" in problem.problem
    for header in headers:
        assert header in problem.problem
    assert "profile" in problem.advice


def test_xlsx_with_a_title_above_a_header_without_amount_lists_that_header(
    loaded: Workspace,
) -> None:
    path = loaded.root / "data" / "titled-no-amount.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    headers = ["Payment Date", "Supplier Name", "Description", "Reference"]
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet("Spend")
        sheet.write(0, 0, "Payments to suppliers, April 2024")
        sheet.write_row(2, 0, headers)
        for row in range(3, 8):
            sheet.write_row(row, 0, ["01/04/2024", f"Supplier {row}", "Widgets", f"R{row}"])
    [problem] = refused(loaded, [path]).problems
    assert "amount" in problem.problem
    for header in headers:
        assert header in problem.problem


# -- headers and column profiles ---------------------------------------------------------


def test_file_without_any_header_has_its_columns_read_from_the_values(
    realdata: Path, loaded: Workspace
) -> None:
    lines = (realdata / NOHEADER).read_bytes().splitlines(keepends=True)
    assert b"Amount Paid" in lines[-1], "the real file's only header is its last line"
    path = write(loaded, "hyndburn_2025-09_cut.csv", b"".join(lines[:-1]))
    [report] = import_files(loaded, PARTNER, [path])
    # TRUTH.json: 585 transactions, sum 9,018,715.60, amount column 16, date 14, payee 11.
    assert (report.rows_loaded, report.amount_loaded) == (585, NOHEADER_SUM)
    assert any("read from their values" in note for note in report.notes)
    assert any(e.startswith("amount: column 16 (from its values") for e in report.evidence)


def test_column_profile_imports_a_file_without_header(realdata: Path, loaded: Workspace) -> None:
    lines = (realdata / NOHEADER).read_bytes().splitlines(keepends=True)
    path = write(loaded, "hyndburn_2025-09_cut.csv", b"".join(lines[:-1]))
    columns: dict[str, str | int] = {"amount": 16, "date": 14, "supplier_name": 11}
    add_partner(loaded, Partner(name="Hyndburn BC profiled", columns=columns))
    [report] = import_files(loaded, "Hyndburn BC profiled", [path])
    assert report.status == "loaded"
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (585, 585, 0)
    assert report.amount_loaded == NOHEADER_SUM
    assert snapshot(loaded)["transactions"] == (GOOD_ROWS + 585, GOOD_SUM + NOHEADER_SUM)


def test_header_on_the_last_line_is_used_with_a_note(realdata: Path, loaded: Workspace) -> None:
    [report] = import_files(loaded, PARTNER, [place(realdata, loaded, NOHEADER)])
    assert (report.status, report.rows_loaded, report.amount_loaded) == (
        "loaded",
        585,
        NOHEADER_SUM,
    )
    assert [row["reason"] for row in _quarantine(loaded, report)] == ["header row inside the data"]
    assert any("no header at the top" in note for note in report.notes)


def test_cr_only_line_endings_import_all_rows(realdata: Path, loaded: Workspace) -> None:
    [report] = import_files(loaded, PARTNER, [place(realdata, loaded, CR_ONLY)])
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("loaded", 210, 0)
    assert report.amount_loaded == Decimal("509325.94")


def _quarantine(workspace: Workspace, report: SheetReport) -> list[dict[str, Any]]:
    con = connect(workspace)
    try:
        return (
            con.con.sql(
                f"SELECT * FROM quarantine WHERE source_file = '{report.file}' ORDER BY row_number"
            )
            .to_arrow_table()
            .to_pylist()
        )
    finally:
        con.disconnect()


# -- re-imports ------------------------------------------------------------------------


def test_same_transactions_in_another_file_are_a_duplicate(
    realdata: Path, loaded: Workspace
) -> None:
    [first] = import_files(loaded, "Oxford City Council", [place(realdata, loaded, OXFORD_UTF8)])
    assert (first.status, first.rows_loaded, first.amount_loaded) == ("loaded", 3978, OXFORD_SUM)
    before = snapshot(loaded)
    [second] = import_files(loaded, "Oxford City Council", [place(realdata, loaded, OXFORD_CP1252)])
    assert second.status == "duplicate"
    assert any("expenditure-over-500-oct-dec-2014.csv" in note for note in second.notes)
    assert snapshot(loaded) == before


def test_duplicate_pair_in_one_import_stores_one(realdata: Path, workspace: Workspace) -> None:
    paths = [place(realdata, workspace, OXFORD_UTF8), place(realdata, workspace, OXFORD_CP1252)]
    reports = import_files(workspace, "Oxford City Council", paths)
    assert sorted(r.status for r in reports) == ["duplicate", "loaded"]
    assert snapshot(workspace)["transactions"] == (3978, OXFORD_SUM)


def test_same_file_again_is_unchanged(realdata: Path, loaded: Workspace) -> None:
    before = snapshot(loaded)
    [report] = import_files(loaded, PARTNER, [loaded.root / "data" / Path(GOOD).name])
    assert report.status == "unchanged"
    assert (report.rows_loaded, report.amount_loaded) == (GOOD_ROWS, GOOD_SUM)
    assert snapshot(loaded) == before


def test_changed_file_at_the_same_path_replaces_the_old_one(
    realdata: Path, loaded: Workspace
) -> None:
    path = loaded.root / "data" / Path(GOOD).name
    lines = path.read_bytes().splitlines(keepends=True)
    kept = lines[:-10]  # the publisher re-issues the month without its last 10 payments
    path.write_bytes(b"".join(kept))
    expected = parse_file(path, Partner(name=PARTNER))
    [report] = import_files(loaded, PARTNER, [path])
    assert report.status == "replaced"
    assert report.rows_loaded == GOOD_ROWS - 10
    tables = snapshot(loaded)
    assert tables["transactions"] == (GOOD_ROWS - 10, report.amount_loaded)
    assert report.amount_loaded == sum(
        expected.sheets[0].facts.column("amount").to_pylist(), Decimal(0)
    )
    assert tables["sources"][0] == 1, "no leftover source row of the old version"
    assert tables["quarantine"][0] == 0


def test_changed_file_replacing_leaves_no_quarantine_leftovers(
    realdata: Path, workspace: Workspace
) -> None:
    source = realdata / "lancashire/hyndburn_bc/hyndburn_2024-06.csv"  # 68 blank rows quarantined
    path = write(workspace, "month.csv", source.read_bytes())
    [first] = import_files(workspace, PARTNER, [path])
    assert (first.rows_loaded, first.rows_quarantined) == (685, 68)
    path.write_bytes(
        b"".join(
            line for line in source.read_bytes().splitlines(keepends=True) if line.strip(b",\r\n")
        )
    )
    [second] = import_files(workspace, PARTNER, [path])
    assert (second.status, second.rows_loaded, second.rows_quarantined) == ("replaced", 685, 0)
    tables = snapshot(workspace)
    assert tables["transactions"][0] == 685
    assert tables["quarantine"][0] == 0
    assert tables["sources"][0] == 1


# -- truncated files -------------------------------------------------------------------


def _truncated(realdata: Path, where: str) -> tuple[bytes, bytes]:
    """Return (a real CSV cut part-way through its last line, the same CSV without that line).

    ``where`` is where the cut falls: 'early' (before the amount cell), 'after amount'
    (the amount is whole but later cells are missing) or 'in quotes' (inside a quoted
    amount such as "1,185.60", so the partial row still has every cell).
    """
    if where == "in quotes":
        # Hyndburn's header is its last line: put it first, and end on a quoted amount.
        lines = (realdata / NOHEADER).read_bytes().splitlines(keepends=True)
        quoted = [i for i, line in enumerate(lines[:-1]) if line.rstrip().endswith(b'"')]
        data = lines[-1] + b"".join(lines[: quoted[5] + 1])
    else:
        data = (realdata / "oxford_city_council/expenditure-over-500-apr-jun-2017.csv").read_bytes()
    body = data.rstrip(b"\r\n")
    start = max(body.rfind(b"\n"), body.rfind(b"\r")) + 1
    last = body[start:]
    commas = [i for i, byte in enumerate(last) if byte == ord(",")]
    cut = {
        "early": commas[0] + 3,  # 'Suspense,Ma'
        "after amount": commas[6] - 2,  # '...,861.84,Reven'
        # '...,"1,18': read naively, the partial cell is the amount 1.18 (a decimal comma)
        "in quotes": last.rfind(b'"', 0, len(last) - 1) + 5,
    }[where]
    return body[: start + cut], body[:start]


@pytest.mark.parametrize("where", ["early", "after amount", "in quotes"])
def test_truncated_csv_is_refused(realdata: Path, loaded: Workspace, where: str) -> None:
    cut, _ = _truncated(realdata, where)
    assert not cut.endswith((b"\n", b"\r"))
    [problem] = refused(loaded, [write(loaded, "cut.csv", cut)]).problems
    assert "truncated" in problem.problem
    assert "allow-truncated" in problem.advice


@pytest.mark.parametrize("where", ["early", "after amount", "in quotes"])
def test_truncated_csv_allowed_loads_complete_rows_and_quarantines_the_partial_one(
    realdata: Path, loaded: Workspace, where: str
) -> None:
    cut, complete = _truncated(realdata, where)
    expected = parse_file(write(loaded, "complete.csv", complete), Partner(name=PARTNER)).sheets[0]
    expected_sum = sum(expected.facts.column("amount").to_pylist(), Decimal("0.00"))
    [report] = import_files(loaded, PARTNER, [write(loaded, "cut.csv", cut)], allow_truncated=True)
    assert report.status == "loaded"
    assert report.rows_loaded == expected.facts.num_rows, "only the complete rows are loaded"
    assert report.amount_loaded == expected_sum
    assert report.rows_quarantined == expected.quarantine.num_rows + 1
    partial = _quarantine(loaded, report)[-1]
    assert partial["row_number"] == report.rows_read + 1  # the last record, after the header
    assert "truncated" in partial["reason"]


# -- damaged files ---------------------------------------------------------------------


def test_unclosed_quote_is_refused_rather_than_swallowing_the_rows_after_it(
    realdata: Path, loaded: Workspace
) -> None:
    lines = (
        (realdata / "lancashire/hyndburn_bc/hyndburn_2024-05.csv")
        .read_bytes()
        .splitlines(keepends=True)
    )
    cells = lines[100].split(b",")
    cells[5] = b'"' + cells[5]  # a supplier name opened with a quote mark that is never closed
    lines[100] = b",".join(cells)
    [problem] = refused(loaded, [write(loaded, "stray-quote.csv", b"".join(lines))]).problems
    assert "quote mark" in problem.problem
    assert "row 100" in problem.problem


def test_damaged_zip_member_is_refused(realdata: Path, loaded: Workspace) -> None:
    data = bytearray(
        (realdata / "trafford_council/trafford-supplier-spend-2026-27.zip").read_bytes()
    )
    middle = len(data) // 2
    data[middle : middle + 50] = bytes(50)
    [problem] = refused(loaded, [write(loaded, "damaged.zip", bytes(data))]).problems
    assert "damaged" in problem.problem
    assert "download it again" in problem.advice.lower()


def test_damaged_xlsx_worksheet_is_refused(realdata: Path, loaded: Workspace) -> None:
    data = bytearray((realdata / "lancashire/lancashire_fire/fire-2025-26-q3.xlsx").read_bytes())
    middle = len(data) // 2
    data[middle : middle + 50] = bytes(50)
    [problem] = refused(loaded, [write(loaded, "damaged.xlsx", bytes(data))]).problems
    assert "cannot be" in problem.problem
