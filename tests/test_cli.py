"""The command line: workspace handling, --json documents, exit codes and messages."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.errors import EXIT_BAD_INPUT, EXIT_WORKSPACE
from totalplace.workspace import open_workspace

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hyndburn"
HYNDBURN_APRIL = EXAMPLE / "data" / "hyndburn_bc" / "hyndburn_2024-04.csv"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_init_writes_a_commented_place_file_for_the_named_place(tmp_path: Path):
    code, out = run("init", str(tmp_path / "ws"), "--place", "E07000120", "--json")
    assert code == 0
    text = (tmp_path / "ws" / "place.toml").read_text()
    assert (
        'code = "E07000120"' in text
        and 'name = "Hyndburn"' in text
        and "# One [[partners]]" in text
    )
    assert json.loads(out)["workspace"] == str((tmp_path / "ws").resolve())


def test_init_refuses_an_unknown_place_code_without_a_name(tmp_path: Path):
    code, out = run("init", str(tmp_path / "ws"), "--place", "E99999999", "--json")
    assert code != 0 and "not a known ONS area code" in json.loads(out)["error"]


def test_partner_add_keeps_comments_and_expands_the_police_force_area(tmp_path: Path):
    run("init", str(tmp_path / "ws"), "--place", "E07000120")
    code, out = run(
        "partner",
        "add",
        "Lancashire Constabulary",
        "--sector",
        "police",
        "--area",
        "E23000003",
        "--workspace",
        str(tmp_path / "ws"),
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert len(doc["districts"]) == 14 and "E07000120" in doc["districts"]
    text = (tmp_path / "ws" / "place.toml").read_text()
    assert "# One [[partners]]" in text and 'sector = "police"' in text


def test_import_adds_a_new_partner_identified_from_its_name_and_reports_per_file(tmp_path: Path):
    run("init", str(tmp_path / "ws"), "--place", "E07000120")
    code, out = run(
        "import",
        "--partner",
        "Hyndburn Borough Council",
        str(HYNDBURN_APRIL),
        "--workspace",
        str(tmp_path / "ws"),
        "--json",
    )
    assert code == 0
    (report,) = json.loads(out)["files"]
    assert report["rows_loaded"] == 428 and report["amount_loaded"] == "2639411.52"
    assert report["rows_read"] == report["rows_loaded"] + report["rows_quarantined"]
    partner = open_workspace(tmp_path / "ws").partner("Hyndburn Borough Council")
    # Issue 7, item 3: identified from the reference lists, no longer sector 'unknown'.
    assert partner is not None and partner.sector == "district_council"
    assert partner.areas == ("E07000120",)
    assert json.loads(out)["partners_added"][0]["identified_as"] == (
        "the council of Hyndburn (E07000120)"
    )


def test_import_of_a_missing_file_exits_non_zero_with_what_to_do(tmp_path: Path):
    run("init", str(tmp_path / "ws"), "--place", "E07000120")
    code, out = run(
        "import",
        "--partner",
        "X Council",
        str(tmp_path / "nope.csv"),
        "--workspace",
        str(tmp_path / "ws"),
        "--json",
    )
    assert code == EXIT_BAD_INPUT
    doc = json.loads(out)
    assert doc["details"][0]["problem"] == "the file does not exist"
    assert open_workspace(tmp_path / "ws").partner("X Council") is None


def test_commands_outside_a_workspace_say_how_to_make_one(tmp_path: Path):
    code, out = run("count", "--workspace", str(tmp_path), "--json")
    assert code == EXIT_WORKSPACE and "totalplace init" in json.loads(out)["error"]


def test_count_before_import_says_to_import_first(tmp_path: Path):
    run("init", str(tmp_path / "ws"), "--place", "E07000120")
    code, out = run("count", "--workspace", str(tmp_path / "ws"), "--json")
    assert code == EXIT_WORKSPACE and "totalplace import" in json.loads(out)["error"]


def test_demo_workspace_imports_counts_and_exports(tmp_path: Path):
    ws = tmp_path / "hyndburn"
    shutil.copytree(EXAMPLE, ws)
    code, out = run("import", "--workspace", str(ws), "--json")
    # files read (a workbook's sheets each): 12 council CSVs; fire 2022-23, 2023-24 and
    # 2024-25, one sheet each; police 2018-19 to 2023-24, 12 monthly sheets each
    # (MANIFEST.md), and 2024-25's 10
    assert code == 0 and len(json.loads(out)["files"]) == 12 + 3 + 6 * 12 + 10
    # its pooled budget is set against a theme: the count needs the lines classified
    result = runner.invoke(app, ["count", "--workspace", str(ws)])
    assert result.exit_code == 6 and "totalplace classify" in result.output
    assert run("classify", "--workspace", str(ws), "--json")[0] == 0
    for suffix in (".csv", ".xlsx", ".parquet"):
        target = tmp_path / f"count{suffix}"
        code, out = run("count", "--workspace", str(ws), "--export", str(target), "--json")
        assert code == 0 and target.stat().st_size > 0
    doc = json.loads(out)
    assert all(item["reconciles"] for item in doc["reconciliation"])
    code, text = run("count", "--workspace", str(ws))
    assert code == 0 and "Reconciled" in text and "Hyndburn Borough" in text


def test_count_shows_loaded_apportioned_and_top_down_layers_separately(tmp_path: Path):
    ws = tmp_path / "hyndburn"
    shutil.copytree(EXAMPLE, ws)
    assert run("import", "--workspace", str(ws), "--json")[0] == 0
    assert run("classify", "--workspace", str(ws), "--json")[0] == 0
    code, out = run("count", "--workspace", str(ws), "--year", "2024-25", "--json")
    assert code == 0
    layers = json.loads(out)["layers"]
    names = [layer["layer"] for layer in layers["layers"]]
    assert names == ["loaded actual", "apportioned", "top-down"]
    amounts = {layer["layer"]: Decimal(layer["amount"]) for layer in layers["layers"]}
    assert Decimal(layers["total"]) == sum(amounts.values())
    assert "years differ" in layers["total_note"]
    code, text = run("count", "--workspace", str(ws), "--year", "2024-25")
    assert code == 0 and "Layers of the count" in text and "top-down" in text
