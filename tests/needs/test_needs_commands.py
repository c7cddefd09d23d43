"""The needs command functions, registered on a Typer app as totalplace.cli registers them."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from totalplace.cli.compare import compare_command
from totalplace.cli.reference import reference_load_command
from totalplace.cli.wards import ward_count_command, wards_command

app = typer.Typer()
app.command("count-wards")(ward_count_command)
app.command("compare")(compare_command)
app.command("wards")(wards_command)
app.command("reference-load")(reference_load_command)
runner = CliRunner()


def test_count_wards_prints_a_ward_by_theme_table_that_reconciles(hyndburn):
    result = runner.invoke(app, ["count-wards", "--workspace", str(hyndburn.root)])
    assert result.exit_code == 0, result.output
    assert "counted by ward, 2024-25" in result.output
    assert "Spring Hill" in result.output and "Reconciled" in result.output


def test_count_wards_json_lists_every_ward_row_of_the_year(hyndburn):
    result = runner.invoke(
        app, ["count-wards", "--year", "2024-25", "--json", "--workspace", str(hyndburn.root)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["reconciles"] is True and len(document["wards"]) == 16
    assert {r["financial_year"] for r in document["count_by_ward"]} == {"2024-25"}


def test_count_wards_refuses_a_year_not_counted(hyndburn):
    result = runner.invoke(
        app, ["count-wards", "--year", "1999-00", "--workspace", str(hyndburn.root)]
    )
    assert result.exit_code == 2 and "1999-00" in result.output


def test_compare_prints_and_exports(hyndburn, tmp_path):
    target = tmp_path / "compare.xlsx"
    result = runner.invoke(
        app,
        [
            "compare",
            "--theme",
            "Older people",
            "--comparator",
            "E07000117",
            "--export",
            str(target),
            "--workspace",
            str(hyndburn.root),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Burnley" in result.output and "no count loaded" in result.output
    assert "Aged 65+" in result.output and target.exists()


def test_compare_json(hyndburn):
    result = runner.invoke(
        app, ["compare", "--n", "3", "--json", "--workspace", str(hyndburn.root)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [c["name"] for c in document["comparators"]] == ["Pendle", "Hastings", "Great Yarmouth"]


def test_wards_lists_the_places_wards(hyndburn):
    result = runner.invoke(app, ["wards", "--json", "--workspace", str(hyndburn.root)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["wards"]) == 16


def test_reference_load_reports_a_wrong_layout_with_exit_code_7(workspace, realdata):
    wrong = realdata / "reference/population/trafford_mid-2024_population_wards.csv"
    result = runner.invoke(
        app, ["reference-load", "lsoa_imd", str(wrong), "--workspace", str(workspace.root)]
    )
    assert result.exit_code == 7 and "no column for the LSOA code" in result.output
