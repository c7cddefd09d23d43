"""``totalplace opportunities``: tables, --summary, --json, --export and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import python_calamine
import typer
from typer.testing import CliRunner

from totalplace.cli.opportunities import opportunities_command
from totalplace.workspace import Workspace

from .conftest import copy_workspace

runner = CliRunner()


def _app() -> typer.Typer:
    """Return the installed CLI if it has the command, else a one-command app around it."""
    from totalplace.cli import app

    names = {c.name for c in app.registered_commands}
    if "opportunities" in names:
        return app
    local = typer.Typer()
    local.command("opportunities")(opportunities_command)
    local.command("version")(lambda: None)  # two commands, so the name is parsed as with the CLI
    return local


@pytest.fixture(scope="module")
def counted(hyndburn, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return one copy of the counted Hyndburn workspace for this module's commands."""
    return copy_workspace(hyndburn[0], tmp_path_factory.mktemp("commands") / "hyndburn")


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(_app(), ["opportunities", *args])
    return result.exit_code, result.stdout


def test_the_terminal_shows_every_kind_of_opportunity(counted):
    code, out = run("--workspace", str(counted.root), "--top", "5")
    assert code == 0, out
    for title in (
        "opportunities from working together, financial year 2024-25",
        "Back office by partner",
        "Categories bought by several partners",
        "Who serves each theme",
        "Benchmarks used",
    ):
        assert title in out
    assert "Vehicle fuel" in out and "totalplace link" in out


def test_summary_prints_only_the_summary_and_shared_suppliers(counted):
    code, out = run("--workspace", str(counted.root), "--summary")
    assert code == 0, out
    assert "Shared back office" in out and "Collaborative procurement" in out
    assert "Who serves each theme" not in out


def test_json_is_one_document_with_the_rates_used(counted):
    code, out = run("--workspace", str(counted.root), "--json", "--back-office-saving", "0.12")
    assert code == 0
    document = json.loads(out)
    assert document["financial_years"] == ["2024-25"]
    back = document["back_office"]["rows"]
    assert back and all(r["rate_central"] == "0.120000" for r in back)
    assert {b["origin"] for b in document["assumptions"]["benchmarks"] if "back" in b["key"]} == {
        "command line"
    }
    assert document["summary"][0]["procurement"]["shared_categories"] == len(
        document["procurement"]
    )


def test_export_to_xlsx_writes_one_sheet_per_table(counted, tmp_path: Path):
    target = tmp_path / "opportunities.xlsx"
    code, out = run("--workspace", str(counted.root), "--export", str(target), "--summary")
    assert code == 0, out
    book = python_calamine.CalamineWorkbook.from_path(str(target))
    assert book.sheet_names == [
        "procurement",
        "procurement_partners",
        "back_office",
        "shared_suppliers",
        "fragmentation",
        "assumptions",
        "category_rules",
        "lines",
    ]
    lines = book.get_sheet_by_name("lines").to_python()
    assert lines[0][:3] == ["kind", "opportunity_key", "txn_key"] and len(lines) > 1000


def test_export_to_csv_writes_one_file_per_table(counted, tmp_path: Path):
    code, out = run("--workspace", str(counted.root), "--export", str(tmp_path / "o.csv"))
    assert code == 0, out
    assert (tmp_path / "o_back_office.csv").read_text().startswith('"opportunity_key"')
    assert len(list(tmp_path.glob("o_*.csv"))) == 8


def test_errors_are_clear_and_exit_non_zero(counted, tmp_path: Path):
    ws = str(counted.root)
    code, out = run("--workspace", ws, "--json", "--back-office-saving", "15")
    assert code == 2 and "0.15 for 15%" in json.loads(out)["error"]
    code, out = run("--workspace", ws, "--json", "--year", "2019-20")
    assert code == 6 and "years in the count: 2024-25" in json.loads(out)["error"]
    code, out = run("--workspace", ws, "--json", "--year", "last year")
    assert code == 2 and "is not a financial year" in json.loads(out)["error"]
    code, out = run("--workspace", ws, "--json", "--export", str(tmp_path / "o.pdf"))
    assert code == 2 and "cannot export" in json.loads(out)["error"]


def test_a_workspace_not_yet_counted_is_told_what_to_run(workspace):
    code, out = run("--workspace", str(workspace.root), "--json")
    assert code == 6 and "totalplace import" in json.loads(out)["error"]
