"""A journey feeds a scenario: each agency's difference becomes a cost (pays more) or a benefit (pays less)."""

from __future__ import annotations

import numpy as np

from tests.journey.test_costs import JOURNEY
from totalplace.scenario import build_model, read_scenario
from totalplace.scenario.engine import assemble
from totalplace.scenario.lever import Frame
from totalplace.workspace import Workspace

SCENARIO = """
[scenario]
name = "Falls"
price_base = "2024-25"
start_year = "2025-26"
horizon = 3
draws = 10

[[levers]]
type = "journey"
name = "Falls pathway"
file = "journeys/falls.toml"
take_up = 0.5
cashable = 0.25
confidence_grade = 1
ramp_up = [0.5]
"""


def test_the_journey_lever_turns_differences_into_streams(place: Workspace) -> None:
    (place.root / "journeys" / "falls.toml").write_text(JOURNEY, encoding="utf-8")
    (place.root / "scenarios").mkdir()
    path = place.root / "scenarios" / "falls.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    model = build_model(place, read_scenario(path))
    streams = model.evaluate(model.central())
    by = {(s_item, kind): streams.amounts[0, i] for i, (s_item, kind) in
          enumerate(zip(streams.items, streams.kinds, strict=True))}  # fmt: skip
    grade_1 = model.levers[0].bias  # optimism bias of confidence grade 1 (shipped table)
    # NHS pays less: 56,587.21 - 25,149.87 = 31,437.34 a year (test_costs, by hand); at take-up 0.5,
    # half the first year (ramp_up), then whole: x 0.5 x [0.5, 1, 1]; cashable 0.25 of it.
    saving = 31437.34 * 0.5 * (1 - grade_1)
    assert np.allclose(
        by[("journey: NHS", "fiscal_cashable")], [saving * 0.5 * 0.25, saving * 0.25, saving * 0.25]
    )
    assert np.allclose(
        by[("journey: NHS", "fiscal_non_cashable")],
        [saving * 0.5 * 0.75, saving * 0.75, saving * 0.75],
    )
    # Police pay more: 9,597.85 a year (by hand) x 0.5 take-up, no cost optimism bias stated
    assert np.allclose(
        by[("journey: Police", "revenue_cost")], [9597.85 * 0.25, 9597.85 * 0.5, 9597.85 * 0.5]
    )
    # the Borough pays less: 4,000.00 now, 0 redesigned
    assert np.allclose(
        by[("journey: Borough Council", "fiscal_cashable")][1], 4000 * 0.5 * (1 - grade_1) * 0.25
    )
    assert "journey falls.toml" in streams.sources[0]


def test_the_redesign_needs_every_partner_that_pays_more(place: Workspace) -> None:
    (place.root / "journeys" / "falls.toml").write_text(JOURNEY, encoding="utf-8")
    (place.root / "scenarios").mkdir()
    path = place.root / "scenarios" / "falls.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    model = build_model(place, read_scenario(path))
    frame: Frame = model.frame
    without_police = np.array([p != "Police" for p in frame.partners])
    assert model.evaluate(model.central(), without_police).amounts.shape[1] == 0
    assert assemble(
        model.spec, frame, model.baseline
    ).levers  # the costed journey rides on the baseline


def test_a_missing_journey_file_is_a_fault_at_its_line(place: Workspace) -> None:
    import pytest

    from totalplace.scenario import ScenarioFileError

    (place.root / "scenarios").mkdir()
    path = place.root / "scenarios" / "falls.toml"
    path.write_text(SCENARIO.replace("falls.toml", "nowhere.toml"), encoding="utf-8")
    # file = is line 12 of the text (it starts with a blank line)
    with pytest.raises(
        ScenarioFileError, match=r"line 12: no journey file 'journeys/nowhere.toml'"
    ):
        build_model(place, read_scenario(path))
