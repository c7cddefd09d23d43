"""Issue 7, item 3: a partner named only by ``import --partner`` is identified, or the user is told.

Before, ``import --partner "Manchester City Council"`` added it with sector 'unknown', and
coverage of Greater Manchester counted the council again top-down beside its loaded ledger.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.count import count
from totalplace.coverage import coverage
from totalplace.identify import Identification
from totalplace.ingest import NewPartner, import_batches, import_files
from totalplace.workspace import Workspace, init_workspace, open_workspace

MANCHESTER = "odileeds_cleaned/manchester/manchester_2019-09.csv"


@pytest.fixture
def greater_manchester(tmp_path: Path) -> Workspace:
    init_workspace(tmp_path / "gm", "E11000001", population_year=2019)
    return open_workspace(tmp_path / "gm")


def test_an_imported_council_is_not_estimated_top_down_beside_its_ledger(
    realdata: Path, greater_manchester: Workspace
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "import",
            str(realdata / MANCHESTER),
            "--partner",
            "Manchester City Council",
            "-w",
            str(greater_manchester.root),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Manchester City Council: identified as the council of Manchester (E08000003)" in (
        " ".join(result.output.split())
    )
    ws = open_workspace(greater_manchester.root)
    partner = ws.partner("Manchester City Council")
    assert partner is not None and partner.areas == ("E08000003",)
    assert partner.sector in ("unitary_council", "district_council")
    count(ws)  # coverage reads the count's tables
    rows = [r for r in coverage(ws).rows if r["area_code"] == "E08000003"]
    whole_year = [r for r in rows if not r.get("part_year")]
    assert [r["status"] for r in whole_year] == ["loaded"]
    assert whole_year[0]["partners"] == ["Manchester City Council"]
    assert whole_year[0]["method"] == "actual"
    # One month is loaded: only the other eleven are estimated top-down, never the year again.
    part = [r for r in rows if r.get("part_year")]
    assert [(r["months_loaded"], r["months_estimated"]) for r in part] == [(1, 11)]
    # The other nine councils are still estimated top-down.
    councils = [
        r for r in coverage(ws).rows if r["kind"] == "unitary_council" and not r.get("part_year")
    ]
    assert sum(r["status"] == "estimated top-down" for r in councils) == 9


def _added(ws: Workspace, name: str, path: Path, **kwargs) -> NewPartner:
    added: list[NewPartner] = []
    import_batches(ws, [(name, [path])], on_partner=added.append, **kwargs)
    [new] = added
    return new


def test_an_ambiguous_name_is_added_as_the_body_the_user_chooses(
    realdata: Path, workspace: Workspace
) -> None:
    asked: list[Identification] = []

    def choose(found: Identification):
        asked.append(found)
        return next(c for c in found.candidates if c.code == "E08000021")

    new = _added(workspace, "Newcastle City Council", realdata / MANCHESTER, choose=choose)
    assert [a.name for a in asked] == ["Newcastle City Council"]
    assert new.partner.areas == ("E08000021",) and new.chosen
    assert "chosen as the council of Newcastle upon Tyne (E08000021)" in new.text()
    assert open_workspace(workspace.root).partner("Newcastle City Council").sector == (
        "unitary_council"
    )


@pytest.mark.parametrize("name", ["Newcastle City Council", "Friends of Platt Fields Park"])
def test_an_unidentified_name_is_added_as_unknown_with_a_loud_warning(
    realdata: Path, workspace: Workspace, name: str
) -> None:
    runner = CliRunner()
    args = ["import", str(realdata / MANCHESTER), "--partner", name, "-w", str(workspace.root)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    [added] = json.loads(result.stdout)["partners_added"]
    assert added["sector"] == "unknown" and added["identified_as"] is None
    text = " ".join(added["message"].split())
    assert "coverage cannot tell its spending apart" in text
    assert "totalplace partner add" in text and "--sector" in text and "--area" in text
    if name.startswith("Newcastle"):
        assert "E08000021" in text and "E07000195" in text  # the candidates are named
    # Without --json the warning is printed (stderr), never silent.
    ws2 = workspace.root.parent / "again"
    init_workspace(ws2, "E07000120")
    result = runner.invoke(app, [*args[:-1], str(ws2)])
    assert "Warning:" in result.output and "not identified" in result.output


def test_a_partner_already_in_place_toml_is_left_as_it_is(
    realdata: Path, workspace: Workspace
) -> None:
    added: list[NewPartner] = []
    import_files(workspace, "Manchester City Council", [realdata / MANCHESTER])
    import_batches(
        open_workspace(workspace.root),
        [("Manchester City Council", [realdata / MANCHESTER])],
        on_partner=added.append,
    )
    assert added == []


def test_in_a_terminal_the_import_asks_which_body_an_ambiguous_name_is(
    realdata: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import totalplace.cli.support

    monkeypatch.setattr(totalplace.cli.support, "asks_in_terminal", lambda: True)
    args = ["import", str(realdata / MANCHESTER), "--partner", "Newcastle City Council"]
    result = CliRunner().invoke(app, [*args, "-w", str(workspace.root)], input="7\n2\n")
    assert result.exit_code == 0, result.output
    assert "1. the council of Newcastle-under-Lyme (E07000195)" in result.output
    assert "Type a number from 0 to 2" in result.output  # 7 is refused, then 2 chosen
    partner = open_workspace(workspace.root).partner("Newcastle City Council")
    assert partner is not None and partner.areas == ("E08000021",)
