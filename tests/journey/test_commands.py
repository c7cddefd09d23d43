"""``totalplace journey new|run|list`` on a constructed place: tables, JSON, exports, charts, errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.journey.test_costs import JOURNEY
from totalplace.cli.commands import app
from totalplace.errors import EXIT_BAD_INPUT
from totalplace.workspace import Workspace

runner = CliRunner()


def test_journey_run_prints_json_exports_and_draws(place: Workspace) -> None:
    (place.root / "journeys" / "falls.toml").write_text(JOURNEY, encoding="utf-8")
    out = place.root / "out"
    args = ["journey", "run", "falls", "-w", str(place.root), "--json",
            "--export", str(place.root / "falls.xlsx"), "--charts", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    nhs = next(a for a in doc["agencies"] if a["agency"] == "NHS")
    assert nhs["current"] == "56587.21"  # by hand in test_costs
    assert (place.root / "falls.xlsx").is_file()
    assert {p.name for p in out.iterdir()} >= {"timeline.vl.json", "agencies.vl.json"}
    table = runner.invoke(app, ["journey", "run", "falls", "-w", str(place.root)])
    assert table.exit_code == 0 and "£56,587.21" in table.output and "GMCA HE3.0.2" in table.output


def test_journey_new_writes_a_file_that_lists_and_refuses_to_overwrite(place: Workspace) -> None:
    made = runner.invoke(app, ["journey", "new", "my journey", "-w", str(place.root)])
    assert made.exit_code == 0, made.output
    assert (place.root / "journeys" / "my-journey.toml").is_file()
    again = runner.invoke(app, ["journey", "new", "my journey", "-w", str(place.root)])
    assert again.exit_code != 0 and "--force" in again.output
    listed = runner.invoke(app, ["journey", "list", "-w", str(place.root), "--json"])
    assert json.loads(listed.output)["journeys"][0]["name"] == "my journey"


def test_a_bad_journey_exits_with_the_message_and_no_traceback(place: Workspace) -> None:
    (place.root / "journeys" / "bad.toml").write_text(JOURNEY.replace("share = 0.6", "share = 1.6"))
    result = runner.invoke(app, ["journey", "run", "bad", "-w", str(place.root)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "share = 1.6 is above 1" in result.output and "Traceback" not in result.output
