"""The quick subset of the reliability experiments (the full run: ``make reliability``).

Each test drives the ``totalplace`` command from outside, on the bundled example, and
asserts that none of its runs failed: a kill leaves the warehouse exactly before or after,
Ctrl-C gives 130-and-before or 0-and-after without a traceback, fuzzed files end without a
traceback or a silent value shift, broken place.toml files give a clear error or the
valid count. No timing assertions: every run has a generous time limit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability import kills, scenarios
from tests.reliability.fuzz import run_fuzz
from tests.reliability.harness import Result
from tests.reliability.placetoml import run_placetoml

pytestmark = pytest.mark.reliability


def _explain(result: Result) -> str:
    lines = [f"{result.name}: {len(result.failures)} of {len(result.outcomes)} runs failed"]
    lines += [f"  {o.outcome}: {o.label} {o.detail}" for o in result.failures[:20]]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def replacing(tmp_path_factory: pytest.TempPathFactory) -> list[scenarios.Scenario]:
    """Return a replacing import of the example ledger, calibrated (before and after known)."""
    work = tmp_path_factory.mktemp("scenarios")
    built = scenarios.build(work, realdata=False, which=["replace-changed"])
    problems = kills.prepare(built, work / "trials", 1, 1)
    assert not problems, problems
    return built


def test_kills_during_a_replacing_import_leave_exactly_before_or_after(
    replacing: list[scenarios.Scenario], tmp_path: Path
) -> None:
    result = kills.run_kills(replacing, tmp_path, 5, 2, seed=5, wal_dir=None)
    assert len(result.outcomes) == 5
    assert not result.failures, _explain(result)


def test_ctrl_c_during_an_import_exits_130_before_or_0_after_without_traceback(
    replacing: list[scenarios.Scenario], tmp_path: Path
) -> None:
    result = kills.run_interrupts(replacing, tmp_path, 3, 2, seed=5)
    assert len(result.outcomes) == 3
    assert not result.failures, _explain(result)


def test_fuzzed_files_end_without_traceback_or_silent_value_shift(tmp_path: Path) -> None:
    result = run_fuzz(tmp_path, 50, 2, seed=5, costly=False)
    assert len(result.outcomes) == 50
    assert not result.failures, _explain(result)


def test_broken_place_toml_gives_a_clear_error_or_the_valid_count(tmp_path: Path) -> None:
    result = run_placetoml(tmp_path, 15, 2)
    assert len(result.outcomes) == 15
    assert not result.failures, _explain(result)
