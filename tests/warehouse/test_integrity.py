"""The integrity check: rows of dead sources are never read, sums that differ stop the count."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.count import count
from totalplace.ingest import import_files
from totalplace.warehouse import IntegrityError, connect
from totalplace.warehouse.integrity import check
from totalplace.workspace import Workspace

from .helpers import read_state, write_spend

PARTNER = "Big Co"
runner = CliRunner()


@pytest.fixture
def loaded(workspace: Workspace) -> Workspace:
    """Return a workspace with two small files of one partner imported."""
    import_files(
        workspace,
        PARTNER,
        [
            write_spend(workspace.root / "data" / "a.csv", 300, 1),
            write_spend(workspace.root / "data" / "b.csv", 200, 5),
        ],
    )
    return workspace


def _sql(ws: Workspace, sql: str) -> None:
    con = connect(ws, check=False)
    try:
        con.con.execute(sql)
    finally:
        con.disconnect()


def _cli(ws: Workspace, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--workspace", str(ws.root)])
    return result.exit_code, result.output


def test_a_sound_warehouse_checks_ok(loaded: Workspace) -> None:
    code, output = _cli(loaded, "check", "--json")
    document = json.loads(output)
    assert code == 0 and document["sound"]
    assert [s["status"] for s in document["sources"]] == ["ok", "ok"]


def test_rows_a_crash_left_without_a_live_source_are_never_read(loaded: Workspace) -> None:
    before = read_state(loaded.warehouse_path)
    _sql(
        loaded,
        "INSERT INTO transaction_rows SELECT * REPLACE ('dead' || source_hash AS source_hash) "
        "FROM transaction_rows",
    )
    assert read_state(loaded.warehouse_path) == before
    assert count(loaded).reconciliation[0]["reconciles"]
    code, output = _cli(loaded, "check", "--json")
    document = json.loads(output)
    # Never read, so the warehouse is sound (exit 0); the leftovers are reported.
    assert code == 0 and document["sound"] and not document["clean"]
    assert "next 'totalplace import'" in document["advice"]
    import_files(loaded, PARTNER, [write_spend(loaded.root / "data" / "c.csv", 10, 9)])
    con = connect(loaded)
    try:
        assert check(con.con).clean, "the import removed the dead rows"
    finally:
        con.disconnect()


def test_a_source_whose_rows_differ_from_its_record_stops_every_command(
    loaded: Workspace,
) -> None:
    _sql(loaded, "DELETE FROM transaction_rows WHERE row_number < 50 AND source_file LIKE '%a.csv'")
    with pytest.raises(IntegrityError) as caught:
        connect(loaded)
    assert caught.value.exit_code == 3
    message = str(caught.value)
    assert "totalplace check" in message and ".damaged-" in message
    assert "delete the .totalplace" not in message

    code, output = _cli(loaded, "count")
    assert code == 3
    assert "£" not in output.split("Error")[0], "no figure printed before the error"
    assert "does not reconcile" in " ".join(output.split())

    code, output = _cli(loaded, "check")
    assert code == 3 and "problem" in output and "a.csv" in output
    code, output = _cli(loaded, "check", "--repair")
    assert code == 0, output
    assert "totalplace import" in output
    [report] = [
        r
        for r in import_files(
            loaded, PARTNER, [loaded.root / "data" / "a.csv", loaded.root / "data" / "b.csv"]
        )
        if r.file.endswith("a.csv")
    ]
    assert report.status == "loaded"
    assert _cli(loaded, "count")[0] == 0
