"""The supplier register on the stage contract: `totalplace link` records its run; what reads
the register (`link-review`) says to run link first, or again once the payments changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from totalplace import stages
from totalplace.cli import app
from totalplace.ingest import import_files
from totalplace.link import OVERRIDES_FILE, link
from totalplace.warehouse import connect
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

COUNCIL = "Hyndburn Borough Council"
PAYEES = ("Acme Supplies Ltd", "ACME SUPPLIES LIMITED", "Burnley Paper Co", "Pendle Print Ltd")
runner = CliRunner()


def _ledger(path: Path, month: int) -> Path:
    rows = [
        f"0{1 + i % 9}/{month:02d}/2024,T{month}{i:03d},{PAYEES[i % len(PAYEES)]},{120 + i}.50,Paper"
        for i in range(12)
    ]
    path.write_text("Date,Transaction Number,Supplier Name,Amount,Description\n" + "\n".join(rows))
    return path


@pytest.fixture
def imported(tmp_path: Path) -> Workspace:
    """Return a workspace with one month of one council's payments imported, not linked."""
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    add_partner(open_workspace(root), Partner(name=COUNCIL, sector="district_council"))
    ws = open_workspace(root)
    import_files(ws, COUNCIL, [_ledger(root / "may.csv", 5)])
    return ws


def _review(ws: Workspace) -> tuple[int, str]:
    result = runner.invoke(app, ["link-review", "--workspace", str(ws.root), "--json"])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout).get("error", "")


def test_the_review_before_link_says_run_link_first(imported):
    code, error = _review(imported)
    assert code == 6 and "run `totalplace link` first" in error


def test_link_records_its_run(imported):
    link(imported)
    con = connect(imported)
    try:
        run = stages.require(con, imported, "link")
    finally:
        con.disconnect()
    # The overrides template link writes is one of its inputs: written before the record.
    assert (imported.root / OVERRIDES_FILE).exists()
    assert set(run.inputs) == set(stages.INPUTS["link"]) and run.upstream == {}


def test_a_new_import_makes_the_register_stale_until_link_runs_again(imported):
    link(imported)
    assert _review(imported)[0] == 0
    import_files(imported, COUNCIL, [_ledger(imported.root / "june.csv", 6)])
    code, error = _review(imported)
    assert code == 6
    assert "re-run `totalplace link`: its inputs (the sources imported) changed" in error
    link(imported)
    assert _review(imported)[0] == 0


def test_the_reviewers_decisions_do_not_make_the_queue_stale_but_the_register_is(imported):
    link(imported)
    overrides = imported.root / OVERRIDES_FILE
    overrides.write_text(
        overrides.read_text() + '\n[[merge]]\nnames = ["Burnley Paper Co", "Pendle Print Ltd"]\n'
    )
    assert _review(imported)[0] == 0  # the queue leaves decided pairs out itself
    con = connect(imported)
    try:
        with pytest.raises(stages.StageStale, match=r"its inputs \(supplier_overrides.toml\)"):
            stages.require(con, imported, "link")
    finally:
        con.disconnect()
