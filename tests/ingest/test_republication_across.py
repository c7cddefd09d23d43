"""A file re-publishing transactions loaded for ANOTHER partner is reported, never counted twice.

Leeds City Council's June 2020 file as published is loaded for the council; ODI Leeds's
cleaning of it (the same 16,176 transaction numbers and dates, credits made positive;
see test_republication.py) is then imported under another partner, as a combined
authority re-publishing a member's ledger would be. The same ``--keep`` decision as
within a partner applies (decision 0009).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.test_republication import LEEDS, OTHER_MONTH, RAW, _cleaned, _ledger
from totalplace.ingest import RepublicationFound, import_files
from totalplace.ingest.decisions import load_decisions
from totalplace.workspace import Workspace

OTHER = "West Yorkshire Combined Authority"


@pytest.fixture(scope="module")
def cleaned(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _cleaned(realdata / RAW, tmp_path_factory.mktemp("across") / "leeds-clean.csv")


@pytest.fixture
def loaded(workspace: Workspace, realdata: Path) -> Workspace:
    [report] = import_files(workspace, LEEDS, [realdata / RAW])
    assert (report.rows_loaded, report.amount_loaded) == (16_176, report.amount_loaded)
    return workspace


def test_another_partners_republication_is_reported_and_nothing_stored(
    loaded: Workspace, cleaned: Path
) -> None:
    before = _ledger(loaded)
    with pytest.raises(RepublicationFound) as caught:
        import_files(loaded, OTHER, [cleaned])
    [overlap] = caught.value.overlaps
    # Every one of the 16,176 transaction numbers and dates is the council's.
    assert (overlap.rows_matched, overlap.rows_new) == (16_176, 16_176)
    assert overlap.old_partner and overlap.old_partner != overlap.partner
    assert Path(overlap.old_file).name == "leeds_2020-06.csv"
    message = str(caught.value)
    assert "for another partner" in message and "--keep old" in message
    assert _ledger(loaded) == before


def test_keep_old_skips_it_and_the_decision_is_remembered(loaded: Workspace, cleaned: Path) -> None:
    before = _ledger(loaded)
    [report] = import_files(loaded, OTHER, [cleaned], keep="old")
    assert report.status == "skipped"
    assert _ledger(loaded) == before
    assert [d.keep for d in load_decisions(loaded)] == ["old"]
    # A plain import later applies the decision instead of asking again.
    [again] = import_files(loaded, OTHER, [cleaned])
    assert again.status == "skipped" and _ledger(loaded) == before


def test_keep_new_moves_the_transactions_to_the_new_partner(
    loaded: Workspace, cleaned: Path
) -> None:
    [report] = import_files(loaded, OTHER, [cleaned], keep="new")
    assert report.status == "loaded"
    # Only the cleaned copy is left: the council's copy gave way, 16,176 rows once.
    assert _ledger(loaded) == {"leeds-clean.csv": (16_176, report.amount_loaded)}


def test_keep_both_loads_both(loaded: Workspace, cleaned: Path) -> None:
    before = _ledger(loaded)
    [report] = import_files(loaded, OTHER, [cleaned], keep="both")
    assert report.status == "loaded"
    assert _ledger(loaded) == {**before, "leeds-clean.csv": (16_176, report.amount_loaded)}


def test_another_partners_different_month_is_loaded_without_a_note(
    loaded: Workspace, realdata: Path
) -> None:
    [report] = import_files(loaded, OTHER, [realdata / OTHER_MONTH])
    assert report.status == "loaded"
    assert not any("already loaded" in n for n in report.notes)
