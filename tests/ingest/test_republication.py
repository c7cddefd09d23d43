"""Issue 7, item 3: a re-publication of a loaded month is reported, never silently counted twice.

Leeds City Council's June 2020 file as published (cp1252, dd/mm/yyyy, 343 negative
amounts) is the loaded file; its re-publication is the same file as ODI Leeds cleaned
it (UTF-8, ISO dates, every negative made positive -- TRUTH-NOTES.md), under another
name: the same 16,176 transaction numbers and dates, amounts re-stated.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.errors import EXIT_BAD_INPUT
from totalplace.ingest import RepublicationFound, import_files
from totalplace.ingest.republication import ID_SHARE, ROW_SHARE
from totalplace.warehouse import connect
from totalplace.workspace import Workspace

RAW = "leeds_city_council_raw/leeds_2020-06.csv"
OTHER_MONTH = "leeds_city_council_raw/leeds_2013-09.csv"
LEEDS = "Leeds City Council"


def _cleaned(raw: Path, to: Path, june_share: float = 1.0) -> Path:
    """Write ODI Leeds's cleaning of a raw Leeds file: UTF-8, ISO dates, amounts made positive.

    With ``june_share`` below 1, the rows after that share get new transaction numbers
    and July dates: a file of which only that share was already published.
    """
    text = raw.read_bytes().decode("cp1252")
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(r)]  # no blank footer
    header, body = rows[0], rows[1:]
    date, amount, number = (
        header.index(h) for h in ("Payment Date", "Amount", "Transaction Number")
    )
    for i, row in enumerate(body):
        day, month, year = row[date].split("/")
        row[date] = f"{year}-{month}-{day}"
        row[amount] = row[amount].lstrip("-")
        if i >= june_share * len(body):
            row[date], row[number] = f"{year}-07-{day}", row[number].replace("2006-", "2007-")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    to.write_text(out.getvalue(), encoding="utf-8")
    return to


def _ledger(ws: Workspace) -> dict[str, tuple[int, Decimal]]:
    """Return rows and pennies loaded per source file."""
    con = connect(ws)
    try:
        rows = con.con.execute(
            "SELECT source_file, count(*), sum(amount) FROM transactions GROUP BY ALL"
        ).fetchall()
    finally:
        con.disconnect()
    return {Path(f).name: (n, a) for f, n, a in rows}


@pytest.fixture(scope="module")
def files(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("leeds")
    return {
        "raw": realdata / RAW,
        "cleaned": _cleaned(realdata / RAW, folder / "leeds-2020-06-clean.csv"),
        "part": _cleaned(realdata / RAW, folder / "leeds-2020-06-and-07.csv", 0.4),
        "other_month": realdata / OTHER_MONTH,
    }


@pytest.fixture
def loaded(workspace: Workspace, files: dict[str, Path]) -> Workspace:
    """Return a workspace with Leeds's June 2020 file loaded as published."""
    [report] = import_files(workspace, LEEDS, [files["raw"]])
    assert report.status == "loaded" and report.rows_loaded == 16_176
    return workspace


def test_a_cleaned_republication_is_reported_with_its_overlap_and_nothing_is_stored(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    before = _ledger(loaded)
    with pytest.raises(RepublicationFound) as caught:
        import_files(loaded, LEEDS, [files["cleaned"]])
    [overlap] = caught.value.overlaps
    assert Path(overlap.old_file).name == "leeds_2020-06.csv"
    assert Path(overlap.new_file).name == "leeds-2020-06-clean.csv"
    assert overlap.matched_on == "transaction id and date"
    assert overlap.rows_matched == overlap.rows_new == 16_176 and overlap.share == 1
    # Amounts re-stated: the raw file's credits are positive in the cleaned one.
    assert overlap.amount_old == before["leeds_2020-06.csv"][1]
    assert overlap.amount_new > overlap.amount_old
    message = str(caught.value)
    assert "16,176 of 16,176 rows (100%)" in message and "leeds_2020-06.csv" in message
    assert all(f"--keep {k}" in message for k in ("new", "old", "both"))
    assert _ledger(loaded) == before


def test_keep_new_replaces_the_loaded_file_by_the_republication(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    [report] = import_files(loaded, LEEDS, [files["cleaned"]], keep="new")
    assert report.status == "replaced"
    assert any("--keep new" in n and "leeds_2020-06.csv" in n for n in report.notes)
    ledger = _ledger(loaded)
    assert list(ledger) == ["leeds-2020-06-clean.csv"]
    assert ledger["leeds-2020-06-clean.csv"] == (16_176, report.amount_loaded)


def test_keep_old_skips_the_republication(loaded: Workspace, files: dict[str, Path]) -> None:
    before = _ledger(loaded)
    [report] = import_files(loaded, LEEDS, [files["cleaned"]], keep="old")
    assert report.status == "skipped" and any("--keep old" in n for n in report.notes)
    assert _ledger(loaded) == before


def test_keep_both_loads_both_and_records_the_decision(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    before = _ledger(loaded)
    [report] = import_files(loaded, LEEDS, [files["cleaned"]], keep="both")
    assert report.status == "loaded"
    ledger = _ledger(loaded)
    assert ledger["leeds_2020-06.csv"] == before["leeds_2020-06.csv"]
    assert ledger["leeds-2020-06-clean.csv"] == (16_176, report.amount_loaded)
    con = connect(loaded)
    try:
        [(notes,)] = con.con.execute(
            "SELECT notes FROM sources WHERE source_file LIKE '%clean.csv'"
        ).fetchall()
    finally:
        con.disconnect()
    assert any("decision --keep both" in n for n in json.loads(notes))


def test_a_different_month_of_the_same_partner_is_not_a_republication(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    [report] = import_files(loaded, LEEDS, [files["other_month"]])
    assert report.status == "loaded" and report.rows_loaded > 0


def test_a_file_of_which_less_than_half_is_loaded_is_loaded_with_a_note(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    """40% of the file's ids and dates already loaded is below the 50% threshold."""
    assert Decimal("0.5") == ID_SHARE
    [report] = import_files(loaded, LEEDS, [files["part"]])
    assert report.status == "loaded"
    [note] = [n for n in report.notes if "below the re-publication threshold" in n]
    assert "6,471 of 16,176 rows (40%)" in note and "leeds_2020-06.csv" in note


def test_part_of_a_loaded_month_republished_is_a_republication(
    loaded: Workspace, files: dict[str, Path], tmp_path: Path
) -> None:
    """A file all of whose rows are loaded already, though it is 40% of the loaded one."""
    part = tmp_path / "leeds-2020-06-part.csv"
    lines = files["cleaned"].read_text(encoding="utf-8").splitlines(keepends=True)
    part.write_text("".join(lines[: 1 + 6_471]), encoding="utf-8")
    with pytest.raises(RepublicationFound) as caught:
        import_files(loaded, LEEDS, [part])
    [overlap] = caught.value.overlaps
    assert overlap.rows_matched == overlap.rows_new == 6_471


def test_the_same_file_for_another_partner_stays_a_duplicate(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    [report] = import_files(loaded, "Leeds Partnership Board", [files["raw"]])
    assert report.status == "duplicate" and "already imported for partner" in report.notes[-1]


def test_both_versions_in_one_import_are_caught(workspace: Workspace, files: dict[str, Path]):
    with pytest.raises(RepublicationFound) as caught:
        import_files(workspace, LEEDS, [files["raw"], files["cleaned"]])
    assert len(caught.value.overlaps) == 1
    assert _ledger(workspace) == {}


def _without_ids(source: Path, to: Path, rows: slice, date_format: str = "iso") -> Path:
    """Write Manchester's September 2019 file without its transaction numbers, reordered."""
    reader = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"), newline=""))
    body = list(reader)[rows]
    columns = ["Supplier Name", "Net Amount", "Invoice Payment Date", "Service Area"]
    if date_format == "uk":  # re-saved: UK dates, rows sorted by supplier
        body.sort(key=lambda row: row["Supplier Name"])
        for row in body:
            year, month, day = row["Invoice Payment Date"].split("-")
            row["Invoice Payment Date"] = f"{day}/{month}/{year}"
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(body)
    to.write_text(out.getvalue(), encoding="utf-8")
    return to


def test_files_without_ids_are_matched_on_date_supplier_and_amount(
    realdata: Path, workspace: Workspace, tmp_path: Path
) -> None:
    source = realdata / "odileeds_cleaned/manchester/manchester_2019-09.csv"
    first = _without_ids(source, tmp_path / "mcc-sept.csv", slice(None))
    again = _without_ids(source, tmp_path / "mcc-sept-uk-dates.csv", slice(None), "uk")
    part = _without_ids(source, tmp_path / "mcc-sept-part.csv", slice(0, 2000))
    [report] = import_files(workspace, "Manchester Partner", [first])
    assert report.rows_loaded == 3_246
    with pytest.raises(RepublicationFound) as caught:
        import_files(workspace, "Manchester Partner", [again])
    [overlap] = caught.value.overlaps
    assert overlap.matched_on == "date, supplier and amount" and overlap.share >= ROW_SHARE
    # A part of the month is still a re-publication: every one of its rows is loaded.
    with pytest.raises(RepublicationFound):
        import_files(workspace, "Manchester Partner", [part])


def test_the_import_command_exits_with_the_overlaps_and_the_three_choices(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    runner = CliRunner()
    args = ["import", str(files["cleaned"]), "--partner", LEEDS, "-w", str(loaded.root)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "Traceback" not in result.output
    document = json.loads(result.stdout)
    [detail] = document["details"]
    assert detail["rows_matched"] == 16_176 and detail["share"] == "1.0000"
    assert "--keep new" in document["error"] and "--keep both" in document["error"]
    result = runner.invoke(app, [*args, "--keep", "new", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0]["status"] == "replaced"
    assert runner.invoke(app, [*args, "--keep", "maybe"]).exit_code != 0
