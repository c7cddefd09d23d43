"""The stage contract itself: a digest per input names what changed; a reader may ignore an input."""

from __future__ import annotations

from pathlib import Path

import pytest

from totalplace import stages
from totalplace.warehouse import replace_table
from totalplace.workspace import Workspace, init_workspace, open_workspace

THEMES = "topdown_themes.toml"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    init_workspace(tmp_path / "ws", "E07000120")
    return open_workspace(tmp_path / "ws")


def test_the_stale_message_names_the_input_that_changed_and_a_reader_may_ignore_it(workspace):
    with stages.using(workspace) as con:
        run = stages.record(con, workspace, "coverage")
        assert run.fingerprint == stages.inputs_fingerprint(con, workspace, "coverage")
        (workspace.root / THEMES).write_text("# my themes\n")
        with pytest.raises(stages.StageStale, match=rf"its inputs \({THEMES}\) changed"):
            stages.require(con, workspace, "coverage")
        assert stages.require(con, workspace, "coverage", ignoring=(f"file:{THEMES}",)) == run


def test_a_run_recorded_before_digests_still_compares_by_its_fingerprint(workspace):
    with stages.using(workspace) as con:
        stages.record(con, workspace, "coverage")
        old = con.table(stages.STAGE_RUNS).drop("inputs").to_pyarrow()
        replace_table(con, stages.STAGE_RUNS, old)
        assert stages.require(con, workspace, "coverage").inputs == {}
        (workspace.root / THEMES).write_text("# my themes\n")
        # Without digests every input is named, and none can be ignored.
        with pytest.raises(stages.StageStale, match=r"the place and partners in place.toml, "):
            stages.require(con, workspace, "coverage", ignoring=(f"file:{THEMES}",))
