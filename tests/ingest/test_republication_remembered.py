"""A re-publication decision taken once (``import --keep``) is remembered, not asked again.

The decision is written to ``republications.toml`` beside place.toml; the next plain
import of the same files applies it, and a file whose bytes changed is asked about anew.
Files: Leeds City Council's June 2020 file as published, and ODI Leeds's cleaning of it
(the same transaction numbers and dates; see test_republication.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.test_republication import LEEDS, RAW, _cleaned, _ledger
from totalplace.ingest import RepublicationFound, import_files
from totalplace.ingest.decisions import DECISIONS_FILE, load_decisions
from totalplace.workspace import Workspace


@pytest.fixture(scope="module")
def files(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("leeds-remembered")
    return {
        "raw": realdata / RAW,
        "cleaned": _cleaned(realdata / RAW, folder / "leeds-2020-06-clean.csv"),
    }


@pytest.fixture
def loaded(workspace: Workspace, files: dict[str, Path]) -> Workspace:
    [report] = import_files(workspace, LEEDS, [files["raw"]])
    assert report.status == "loaded"
    return workspace


def _statuses(reports: list) -> dict[str, str]:
    return {Path(r.file).name: r.status for r in reports}


def test_keep_old_is_remembered_by_the_next_plain_import(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    before = _ledger(loaded)
    [report] = import_files(loaded, LEEDS, [files["cleaned"]], keep="old")
    assert report.status == "skipped"
    [decision] = load_decisions(loaded)
    assert (decision.partner, decision.keep) == (loaded.partner(LEEDS).slug, "old")  # type: ignore[union-attr]
    assert "leeds-2020-06-clean.csv" in (loaded.root / DECISIONS_FILE).read_text()
    # Asked nothing, changed nothing: the cleaned copy is skipped again, the raw file kept.
    reports = import_files(loaded, LEEDS, [files["raw"], files["cleaned"]])
    assert _statuses(reports) == {
        "leeds_2020-06.csv": "unchanged",
        "leeds-2020-06-clean.csv": "skipped",
    }
    assert any("decided as before" in n for r in reports for n in r.notes)
    assert _ledger(loaded) == before


def test_keep_new_is_remembered_so_the_old_file_does_not_come_back(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    [report] = import_files(loaded, LEEDS, [files["cleaned"]], keep="new")
    assert report.status == "replaced"
    after = _ledger(loaded)
    assert list(after) == ["leeds-2020-06-clean.csv"]
    # The folder is imported again as it is: the replaced raw file stays out.
    reports = import_files(loaded, LEEDS, [files["raw"], files["cleaned"]])
    assert _statuses(reports) == {
        "leeds_2020-06.csv": "skipped",
        "leeds-2020-06-clean.csv": "unchanged",
    }
    assert _ledger(loaded) == after


def test_keep_both_is_recorded_and_the_next_import_leaves_both(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    import_files(loaded, LEEDS, [files["cleaned"]], keep="both")
    [decision] = load_decisions(loaded)
    assert decision.keep == "both" and decision.left_out == () and len(decision.kept) == 2
    both = _ledger(loaded)
    reports = import_files(loaded, LEEDS, [files["raw"], files["cleaned"]])
    assert set(_statuses(reports).values()) == {"unchanged"}
    assert _ledger(loaded) == both


def test_a_file_whose_bytes_changed_is_asked_about_again(
    loaded: Workspace, files: dict[str, Path], tmp_path: Path
) -> None:
    import_files(loaded, LEEDS, [files["cleaned"]], keep="old")
    edited = tmp_path / "leeds-2020-06-clean.csv"
    lines = files["cleaned"].read_text(encoding="utf-8").splitlines(keepends=True)
    edited.write_text("".join(lines[:-1]), encoding="utf-8")  # one row fewer: new bytes
    with pytest.raises(RepublicationFound):
        import_files(loaded, LEEDS, [edited])


def test_without_a_decision_the_import_still_stops(
    loaded: Workspace, files: dict[str, Path]
) -> None:
    with pytest.raises(RepublicationFound):
        import_files(loaded, LEEDS, [files["cleaned"]])
    assert not (loaded.root / DECISIONS_FILE).exists()
