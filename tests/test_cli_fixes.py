"""Two command-line faults fixed: ``count --year Y --json`` holds year Y only, and a broken
``topdown_themes.toml`` is a clear message (with ``--json`` too), never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.errors import EXIT_WORKSPACE

ROOT = Path(__file__).resolve().parents[1]
HYNDBURN_APRIL = ROOT / "examples" / "hyndburn" / "data" / "hyndburn_bc" / "hyndburn_2024-04.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a classified workspace holding Hyndburn's April payments in 2023-24 and 2024-25.

    The 2023 file is the real April 2024 file with its payment dates moved back a year.
    """
    root = tmp_path_factory.mktemp("two-years")
    ws = root / "ws"
    earlier = root / "hyndburn_2023-04.csv"
    earlier.write_bytes(re.sub(rb",(\d\d)/04/2024,", rb",\1/04/2023,", HYNDBURN_APRIL.read_bytes()))
    assert runner.invoke(app, ["init", str(ws), "--place", "E07000120"]).exit_code == 0
    for file in (HYNDBURN_APRIL, earlier):
        result = runner.invoke(
            app, ["import", "--partner", "Hyndburn Borough Council", str(file), "-w", str(ws)]
        )
        assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["classify", "-w", str(ws)]).exit_code == 0
    return ws


def _years(document: dict) -> dict[str, set[str]]:
    return {
        key: {row["financial_year"] for row in value}
        for key, value in document.items()
        if isinstance(value, list) and value and isinstance(value[0], dict)
        if "financial_year" in value[0]
    }


def test_count_json_without_a_year_holds_every_year(two_years: Path):
    result = runner.invoke(app, ["count", "--json", "--no-layers", "-w", str(two_years)])
    assert result.exit_code == 0, result.output
    years = _years(json.loads(result.stdout))
    assert years["count"] == {"2023-24", "2024-25"}
    assert years["totals_by_year"] == {"2023-24", "2024-25"}


@pytest.mark.parametrize("year", ["2023-24", "2024-25"])
def test_count_json_with_a_year_holds_that_year_only(two_years: Path, year: str):
    result = runner.invoke(
        app, ["count", "--year", year, "--json", "--no-layers", "-w", str(two_years)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["financial_year"] == year
    years = _years(document)
    assert years["count"] == {year} and years["totals_by_year"] == {year}
    assert years["months_loaded"] == {year}
    (total,) = document["totals_by_year"]
    assert sum(float(r["counted_amount"]) for r in document["count"]) == pytest.approx(
        float(total["counted_amount"]), abs=0.01
    )


BROKEN = {
    "not TOML": "[[rule]\nid = 'x'\n",
    "a bad regular expression": "[[rule]]\nid = 'x'\nsource = 'CRA'\nline = '(unclosed'\n"
    "theme = 'Older people'\n",
    "an unknown theme": "[[rule]]\nid = 'x'\nsource = 'CRA'\nline = 'a'\ntheme = 'Nonsense'\n",
}


@pytest.fixture
def broken_workspace(two_years: Path, request: pytest.FixtureRequest) -> Path:
    # compare reads the ward count (the stage contract): run it first, as a user would.
    result = runner.invoke(app, ["count", "--by", "ward", "-w", str(two_years)])
    assert result.exit_code == 0, result.output
    path = two_years / "topdown_themes.toml"
    path.write_text(BROKEN[request.param], encoding="utf-8")
    yield two_years
    path.unlink()


@pytest.mark.parametrize("broken_workspace", list(BROKEN), indirect=True)
@pytest.mark.parametrize("command", [["coverage"], ["compare"]])
def test_a_broken_topdown_themes_file_is_a_clear_error_with_json_too(
    broken_workspace: Path, command: list[str]
):
    for as_json in ([], ["--json"]):
        result = runner.invoke(app, [*command, *as_json, "-w", str(broken_workspace)])
        assert result.exit_code == EXIT_WORKSPACE, result.output
        assert "Traceback" not in result.output and "unexpected" not in result.output
        assert "rule 'x'" in result.output or "topdown_themes.toml" in result.output
        if as_json:
            assert json.loads(result.stdout)["error"]


@pytest.mark.parametrize("broken_workspace", list(BROKEN), indirect=True)
def test_count_stands_without_the_layers_and_says_why(broken_workspace: Path):
    result = runner.invoke(app, ["count", "--json", "-w", str(broken_workspace)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["layers"] is None and document["count"]
    assert (
        "rule 'x'" in document["layers_not_shown"]
        or "topdown_themes.toml" in (document["layers_not_shown"])
    )
    shown = runner.invoke(app, ["count", "-w", str(broken_workspace)])
    assert shown.exit_code == 0 and "Top-down layer not shown" in shown.output
