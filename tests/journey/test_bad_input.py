"""Bad journey files: a clear message with the line, nothing computed or written."""

from __future__ import annotations

import pytest

from totalplace.journey import JourneyFileError, run_journey
from totalplace.workspace import Workspace

GOOD = """[journey]
price_year = "2024-25"
other_bodies = ["NHS"]

[cohort]
size = 100

[[current]]
agency = "NHS"
activity = "A&E"
unit_cost = "HE4.0"
frequency = 1
share = 0.5

[[redesigned]]
agency = "Police"
activity = "Visit"
local_cost = { partner = "Police", theme = "Community safety", year = "2023-24", activity = 10 }
frequency = 1
share = 0.5
"""


def _run(place: Workspace, text: str) -> JourneyFileError:
    path = place.root / "journeys" / "bad.toml"
    path.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in place.root.rglob("*"))
    with pytest.raises(JourneyFileError) as caught:
        run_journey(place, "bad")
    assert sorted(p.name for p in place.root.rglob("*")) == before  # nothing written
    return caught.value


def test_the_good_file_runs(place: Workspace) -> None:
    (place.root / "journeys" / "good.toml").write_text(GOOD, encoding="utf-8")
    assert run_journey(place, "good").agencies


def test_an_unknown_unit_cost_names_close_matches_and_its_line(place: Workspace) -> None:
    error = _run(place, GOOD.replace('unit_cost = "HE4.0"', 'unit_cost = "HE4.9"'))
    assert "bad.toml, line 11" in str(error)  # unit_cost is on line 11
    assert "no unit cost 'HE4.9'" in str(error) and "HE4.0" in str(error)


def test_a_unit_cost_may_be_named_by_its_description(place: Workspace) -> None:
    text = GOOD.replace('unit_cost = "HE4.0"', 'unit_cost = "A&E attendance (all scenarios)"')
    (place.root / "journeys" / "named.toml").write_text(text, encoding="utf-8")
    assert run_journey(place, "named").lines[0]["unit_cost_code"] == "HE4.0"


def test_an_unknown_agency_is_refused_with_its_line(place: Workspace) -> None:
    error = _run(place, GOOD.replace('agency = "NHS"', 'agency = "NHS England"'))
    assert "line 9" in str(error) and "unknown agency 'NHS England'" in str(error)
    assert "other_bodies" in str(error)


def test_a_negative_frequency_is_refused(place: Workspace) -> None:
    error = _run(
        place,
        GOOD.replace("frequency = 1\nshare = 0.5\n\n[[red", "frequency = -2\nshare = 0.5\n\n[[red"),
    )
    assert "line 12" in str(error) and "frequency = -2 cannot be negative" in str(error)


def test_a_share_above_one_is_refused(place: Workspace) -> None:
    error = _run(place, GOOD.replace("share = 0.5\n\n[[red", "share = 50\n\n[[red"))
    assert "line 13" in str(error) and "share = 50 is above 1" in str(error) and "0.5" in str(error)


def test_malformed_toml_is_refused_with_its_line(place: Workspace) -> None:
    error = _run(place, GOOD.replace('activity = "A&E"', 'activity = "A&E'))
    assert "not valid TOML" in str(error) and "line 10" in str(error)


def test_a_local_cost_on_a_part_year_must_say_so(place: Workspace) -> None:
    # the constructed count has 10 of 12 months of the police's 2024-25
    error = _run(place, GOOD.replace('year = "2023-24"', 'year = "2024-25"'))
    assert "only 10 of 12 months" in str(error) and "part_year = true" in str(error)
    assert "line 18" in str(error)


def test_a_local_cost_the_count_lacks_lists_the_themes(place: Workspace) -> None:
    error = _run(place, GOOD.replace('theme = "Community safety"', 'theme = "Policing"'))
    assert "no spend by Police on 'Policing'" in str(error) and "Community safety" in str(error)


def test_every_fault_is_listed_at_once(place: Workspace) -> None:
    text = GOOD.replace('agency = "NHS"', 'agency = "Nobody"').replace(
        "share = 0.5\n\n[[red", "share = 2\n\n[[red"
    )
    error = _run(place, text)
    assert "2 problems" in str(error)
