"""A wrong scenario file is refused whole: each fault named with its file, line and what to do; nothing computed or written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.errors import EXIT_BAD_INPUT
from totalplace.scenario import ScenarioFileError, build_model, read_scenario, run_scenario
from totalplace.scenario.spec import Reader
from totalplace.workspace import Workspace

HEAD = """[scenario]
name = "test"
horizon = 5
draws = 200
"""

COUNCIL = "Hyndburn Borough Council"
POLICE = "Lancashire Police and Crime Commissioner"


def write(ws: Workspace, body: str, name: str = "test") -> Path:
    """Write scenarios/NAME.toml in ``ws`` and return its path."""
    folder = ws.root / "scenarios"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """Return the 1-based line of ``path`` holding ``text`` (found independently of the code)."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def refused(ws: Workspace, path: Path) -> ScenarioFileError:
    with pytest.raises(ScenarioFileError) as caught:
        build_model(ws, read_scenario(path))
    return caught.value


def test_a_partner_the_workspace_lacks_is_named_with_its_line(hyndburn: Workspace) -> None:
    path = write(
        hyndburn,
        """
[[levers]]
type = "budget_change"
name = "cut"
partner = "Burnley Borough Council"
theme = "Housing"
share = -0.1
""",
    )
    error = refused(hyndburn, path)
    text = str(error)
    assert "test.toml" in text and f"line {line_of(path, 'Burnley')}" in text
    assert "'Burnley Borough Council' is not a partner" in text and COUNCIL in text


def test_a_theme_the_count_lacks_is_named_with_the_themes_there_are(hyndburn: Workspace) -> None:
    path = write(
        hyndburn,
        f"""
[[levers]]
type = "budget_change"
name = "cut"
partner = "{COUNCIL}"
theme = "Space exploration"
share = -0.1
""",
    )
    text = str(refused(hyndburn, path))
    assert f"line {line_of(path, 'Space exploration')}" in text
    assert "'Space exploration' is not a theme" in text and "Culture and leisure" in text


@pytest.mark.parametrize("written, words", [
    ("15", "write 0.15 for 15%"),
    ("[0.1, 0.2, 1.5]", "above the allowed range"),
    ("-0.2", "below the allowed range"),
    ("[0.3, 0.2, 0.1]", "not in order"),
    ('"a lot"', "must be a number"),
])  # fmt: skip
def test_a_rate_outside_0_to_1_is_refused(hyndburn: Workspace, written: str, words: str) -> None:
    path = write(
        hyndburn,
        f"""
[[levers]]
type = "shared_back_office"
name = "bo"
saving_rate = {written}
implementation_cost = 1000
""",
    )
    text = str(refused(hyndburn, path))
    assert f"line {line_of(path, 'saving_rate')}" in text and words in text


def _programme(outcome: str) -> str:
    return f"""
[[levers]]
type = "early_intervention"
name = "help"
funders = {{ "{COUNCIL}" = 1.0 }}
cohort = 100
cost_per_participant = 1000

[[levers.outcomes]]
{outcome}
"""


def test_a_lag_beyond_the_horizon_is_refused(hyndburn: Workspace) -> None:
    path = write(hyndburn, _programme('unit_cost = "CR2.0.3"\nsuccess = 0.2\nlag = 7'))
    text = str(refused(hyndburn, path))
    assert f"line {line_of(path, 'lag = 7')}" in text
    assert "beyond the horizon of 5 years" in text


def test_an_unknown_unit_cost_code_is_refused_with_the_closest_codes(hyndburn: Workspace) -> None:
    path = write(hyndburn, _programme('unit_cost = "CR2.0.9"\nsuccess = 0.2'))
    text = str(refused(hyndburn, path))
    assert f"line {line_of(path, 'CR2.0.9')}" in text
    assert "'CR2.0.9' is not a code of the GMCA unit cost database" in text and "CR2.0" in text


def test_a_headline_cost_of_several_agencies_must_say_who_gains(hyndburn: Workspace) -> None:
    # CR2.0 is "Multiple" in the database: no one body can take it.
    path = write(hyndburn, _programme('unit_cost = "CR2.0"\nsuccess = 0.2'))
    text = str(refused(hyndburn, path))
    assert "'Multiple'" in text and 'agency = "..."' in text


def test_every_fault_is_listed_at_once_and_unknown_keys_get_a_suggestion(
    hyndburn: Workspace,
) -> None:
    path = write(
        hyndburn,
        """
[[levers]]
type = "budget_change"
name = "cut"
partner = "Nobody"
theme = "Nothing"
shares = -0.1
""",
    )
    error = refused(hyndburn, path)
    assert len(error.problems) >= 3
    assert "did you mean 'share'?" in str(error) or "did you mean 'shifts'?" in str(error)


def test_an_unknown_lever_type_lists_the_types(hyndburn: Workspace) -> None:
    path = write(hyndburn, '\n[[levers]]\ntype = "shared_backoffice"\nname = "x"\n')
    text = str(refused(hyndburn, path))
    assert "did you mean 'shared_back_office'?" in text and "early_intervention" in text


def test_a_file_that_is_not_toml_says_so(hyndburn: Workspace) -> None:
    path = write(hyndburn, "\n[[levers]\n")
    with pytest.raises(ScenarioFileError, match="not valid TOML"):
        read_scenario(path)


def test_the_command_exits_7_with_the_message_and_writes_no_export(hyndburn: Workspace) -> None:
    write(hyndburn, _programme('unit_cost = "XX9"\nsuccess = 0.2'))
    target = hyndburn.root / "out.xlsx"
    result = CliRunner().invoke(
        app, ["scenario", "run", "test", "-w", str(hyndburn.root), "--export", str(target)]
    )
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "Traceback" not in result.output and "test.toml" in result.output
    assert "'XX9' is not a code" in result.output
    assert not target.exists()
    as_json = CliRunner().invoke(
        app, ["scenario", "run", "test", "-w", str(hyndburn.root), "--json"]
    )
    assert as_json.exit_code == EXIT_BAD_INPUT and "XX9" in json.loads(as_json.stdout)["error"]


def test_a_missing_scenario_says_how_to_make_one(hyndburn: Workspace) -> None:
    with pytest.raises(ScenarioFileError, match="scenario new NAME"):
        run_scenario(hyndburn, "nothing-here")


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(-5, 5, allow_nan=False),
    mid=st.floats(-5, 5, allow_nan=False),
    high=st.floats(-5, 5, allow_nan=False),
)
def test_any_range_is_accepted_exactly_when_ordered_and_within_0_to_1(
    low: float, mid: float, high: float
) -> None:
    reader = Reader(Path("x.toml"), "")
    found = reader.ranged({"r": [low, mid, high]}, "r", ("levers", 0), low=0.0, high=1.0)
    good = low <= mid <= high and low >= 0 and high <= 1
    assert (found is not None) == good
    assert bool(reader.problems) == (not good)
