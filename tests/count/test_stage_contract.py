"""The stage contract: a stage records its run; a later stage reads its tables or says what to run first."""

from __future__ import annotations

from pathlib import Path

import pytest

from totalplace import stages
from totalplace.count import count, counted
from totalplace.coverage import coverage
from totalplace.ingest import import_files
from totalplace.needs import compare, count_by_ward
from totalplace.warehouse import connect
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

COUNCIL = "Hyndburn Borough Council"


def _ledger(path: Path, month: int, rows: int = 20) -> Path:
    lines = ["Date,Transaction Number,Supplier Name,Amount,Description"]
    lines += [
        f"{1 + i % 28:02d}/{month:02d}/2024,T{month}{i:04d},Acme Supplies Ltd,{100 + 7 * i}.{i:02d},Paper"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def imported(tmp_path: Path) -> Workspace:
    root = tmp_path / "hyndburn"
    init_workspace(root, "E07000120")
    add_partner(
        open_workspace(root), Partner(name=COUNCIL, sector="district_council", areas=("E07000120",))
    )
    ws = open_workspace(root)
    import_files(ws, COUNCIL, [_ledger(root / "may.csv", 5)])
    return ws


def test_a_later_stage_says_run_the_count_first_and_does_not_count(imported):
    with pytest.raises(stages.StageNotRun, match=r"run `totalplace count` first"):
        coverage(imported)
    with pytest.raises(stages.StageNotRun, match=r"run `totalplace count` first"):
        count_by_ward(imported)
    con = connect(imported)
    try:
        assert "count_by_partner_theme_year" not in con.list_tables()  # nothing was counted
    finally:
        con.disconnect()


def test_the_count_records_its_run_and_is_read_back_without_counting_again(imported):
    result = count(imported)
    con = connect(imported)
    try:
        run = stages.require(con, imported, "count")
        assert run.version and len(run.fingerprint) == 64 and run.upstream == {}
    finally:
        con.disconnect()
    assert counted(imported).rows == result.rows


def test_a_new_import_makes_the_count_stale(imported):
    count(imported)
    import_files(imported, COUNCIL, [_ledger(imported.root / "june.csv", 6)])
    with pytest.raises(stages.StageStale, match=r"re-run `totalplace count`: its inputs"):
        counted(imported)
    count(imported)
    assert {m["months"] for m in counted(imported).months} == {"May–Jun"}


def test_counting_again_makes_the_ward_count_stale_for_compare(imported):
    count(imported)
    count_by_ward(imported)
    count(imported)
    with pytest.raises(
        stages.StageStale, match=r"re-run `totalplace count --by ward`.*has run again"
    ):
        compare(imported)


def test_the_year_filter_keeps_only_that_financial_year(imported):
    import_files(imported, COUNCIL, [_ledger(imported.root / "feb.csv", 2)])  # Feb 2024: 2023-24
    result = count(imported)
    assert result.years() == ["2023-24", "2024-25"]
    only = count(imported, year="2023-24")
    assert {r["financial_year"] for r in only.rows} == {"2023-24"}
    assert [t["financial_year"] for t in only.as_json()["totals_by_year"]] == ["2023-24"]
    with pytest.raises(Exception, match="the count has 2023-24, 2024-25"):
        count(imported, year="1999-00")
