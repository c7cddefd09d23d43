"""Opportunities on the stage contract: it requires classify, count and (once it has run) link,
records its own run, and its export says to run it again when what it read has changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from totalplace import stages
from totalplace.classify import classify
from totalplace.cli import app
from totalplace.count import count
from totalplace.ingest import import_files
from totalplace.link import OVERRIDES_FILE, link
from totalplace.opportunities import opportunities
from totalplace.opportunities.export import export_opportunities
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

COUNCILS = ("Hyndburn Borough Council", "Lancashire County Council")
runner = CliRunner()


def _payments(path: Path, month: int, payee: str) -> Path:
    lines = ["Date,Transaction Number,Supplier Name,Amount,Expense Type"]
    lines += [
        f"{10 + i:02d}/{month:02d}/2024,N{month}{i:03d},{payee},{250 + 3 * i}.00,Stationery"
        for i in range(8)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def counted(tmp_path: Path) -> Workspace:
    """Return a workspace of two councils paying one stationer, imported, classified and counted."""
    init_workspace(tmp_path / "ws", "E07000120")
    for name, sector in zip(COUNCILS, ("district_council", "county_council"), strict=True):
        add_partner(open_workspace(tmp_path / "ws"), Partner(name=name, sector=sector))
    ws = open_workspace(tmp_path / "ws")
    for n, name in enumerate(COUNCILS):
        import_files(ws, name, [_payments(tmp_path / f"p{n}.csv", 5, "Office Depot UK Ltd")])
    classify(ws)
    count(ws)
    return ws


def _opportunities(ws: Workspace) -> tuple[int, str]:
    """Return the exit code of `totalplace opportunities` and its message, on one line."""
    result = runner.invoke(app, ["opportunities", "--summary", "--workspace", str(ws.root)])
    return result.exit_code, " ".join(result.output.split())


def test_before_classify_opportunities_says_run_classify_first(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    add_partner(open_workspace(root), Partner(name=COUNCILS[0], sector="district_council"))
    ws = open_workspace(root)
    import_files(ws, COUNCILS[0], [_payments(root / "p.csv", 5, "Office Depot UK Ltd")])
    code, error = _opportunities(ws)
    assert code == 6 and "run `totalplace classify` first" in error


def test_the_export_before_opportunities_says_run_it_first(counted, tmp_path):
    with pytest.raises(stages.StageNotRun, match=r"run `totalplace opportunities` first"):
        export_opportunities(counted, tmp_path / "out.xlsx")


def test_a_register_edited_since_link_ran_stops_opportunities_until_link_runs_again(counted):
    link(counted)
    assert _opportunities(counted)[0] == 0
    overrides = counted.root / OVERRIDES_FILE
    overrides.write_text(overrides.read_text() + '\n[[split]]\nname = "Office Depot UK Ltd"\n')
    code, error = _opportunities(counted)
    assert code == 6
    assert "re-run `totalplace link`: its inputs (supplier_overrides.toml) changed" in error
    link(counted)
    code, _ = _opportunities(counted)
    assert code == 0


def test_a_new_import_makes_the_count_and_the_opportunities_stale(counted, tmp_path):
    opportunities(counted)
    import_files(counted, COUNCILS[0], [_payments(counted.root / "june.csv", 6, "Staples")])
    code, error = _opportunities(counted)
    assert code == 6 and "re-run `totalplace classify`: its inputs (the sources imported)" in error
    with pytest.raises(stages.StageStale, match=r"re-run `totalplace opportunities`"):
        export_opportunities(counted, tmp_path / "out.xlsx")
    classify(counted)
    count(counted)
    assert _opportunities(counted)[0] == 0
    assert export_opportunities(counted, tmp_path / "out.xlsx") == [tmp_path / "out.xlsx"]


def test_linking_again_makes_the_opportunities_stale(counted, tmp_path):
    opportunities(counted)  # before any register: counted by payee name
    link(counted)
    with pytest.raises(stages.StageStale, match=r"`totalplace link` has run again"):
        export_opportunities(counted, tmp_path / "out.csv")
