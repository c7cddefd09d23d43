"""A journey costed by hand: unit cost x GDP-deflator uplift x frequency x share x cohort, per agency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.journey import journey_document, run_journey
from totalplace.workspace import Workspace

# GDP deflator (shipped gdp_deflator.csv, calendar years, 2024 = 100): 2024 -> 100.0,
# 2013 -> 73.4795, 2008 -> 66.89; a financial year Y-Y+1 takes calendar year Y.
UPLIFT_2013 = Decimal("100.0") / Decimal("73.4795")
UPLIFT_2008 = Decimal("100.0") / Decimal("66.89")

JOURNEY = """
[journey]
name = "Falls"
price_year = "2024-25"
other_bodies = ["NHS"]

[cohort]
name = "Fallers"
size = 200

[[current]]
agency = "NHS"
activity = "Ambulance: see, treat and convey"
unit_cost = "HE3.0.2"    # GMCA: 231.00 at 2013-14 prices
frequency = 1.5
share = 0.6

[[current]]
agency = "The Borough"   # an alias of Borough Council
activity = "Homelessness case"
local_cost = { partner = "Borough Council", theme = "Housing and homelessness", year = "2024-25", activity = 450 }
frequency = 1
share = 0.1

[[redesigned]]
agency = "NHS"
activity = "Ambulance: see, treat and convey"
unit_cost = "HE3.0.2"
frequency = 1
share = 0.4

[[redesigned]]
agency = "Police"
activity = "Welfare visit"
unit_cost = "FI7.0"      # GMCA: 16.05 an hour at 2008-09 prices (any code will do for the arithmetic)
frequency = 2
share = 1
"""


def _penny(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def test_a_journey_is_costed_per_agency_by_hand(place: Workspace) -> None:
    path = place.root / "journeys" / "falls.toml"
    path.write_text(JOURNEY, encoding="utf-8")
    doc = journey_document(run_journey(place, "falls"))
    agencies = {a["agency"]: a for a in doc["agencies"]}
    # NHS now: 231 x (100 / 73.4795) x 1.5 x 0.6 x 200 = 314.3734... x 180 = 56,587.21
    nhs_now = _penny(Decimal(231) * UPLIFT_2013 * Decimal("1.5") * Decimal("0.6") * 200)
    assert nhs_now == Decimal("56587.21")
    assert agencies["NHS"]["current"] == nhs_now
    # NHS redesigned: 314.3734... x 1 x 0.4 x 200 = 25,149.87
    assert agencies["NHS"]["redesigned"] == Decimal("25149.87")
    assert agencies["NHS"]["difference"] == Decimal("25149.87") - Decimal("56587.21")
    assert agencies["NHS"]["pays"] == "less"
    assert agencies["NHS"]["partner"] is False
    # The Borough's local cost: counted 90,000.00 / 450 cases = 200.00 a case, 2024-25 prices
    # (uplift 1); x 1 x 0.1 x 200 = 4,000.00 now, nothing redesigned.
    assert agencies["Borough Council"]["current"] == Decimal("4000.00")
    assert agencies["Borough Council"]["redesigned"] == Decimal("0.00")
    # Police: 16.05 x (100 / 66.89) x 2 x 1 x 200 = 16.05 x 1.49499... x 400 = 9,597.85
    assert agencies["Police"]["redesigned"] == Decimal("9597.85")
    assert agencies["Police"]["pays"] == "more"
    # per person (member of the cohort): NHS now 314.3734... x 1.5 x 0.6 = 282.94
    assert agencies["NHS"]["current_per_person"] == Decimal("282.94")
    # the contacts reconcile to the agency totals, and the totals to the agencies
    assert (
        sum(c["per_cohort"] for c in doc["contacts"] if c["path"] == "current")
        == doc["totals"]["current"]
    )
    assert doc["totals"]["current"] == Decimal("56587.21") + Decimal("4000.00")
    line = doc["contacts"][0]
    assert line["unit_cost_code"] == "HE3.0.2" and line["original_price_year"] == "2013-14"
    assert "sheet 'Health'" in line["unit_cost_source"]
    local = doc["contacts"][1]
    assert "£90,000.00" in local["unit_cost_source"] and "/ 450" in local["unit_cost_source"]


def test_a_local_cost_can_divide_the_partners_whole_spend(place: Workspace) -> None:
    text = JOURNEY.replace(
        'year = "2024-25", activity = 450', 'year = "2024-25", activity = 450, spend = "partner"'
    )
    (place.root / "journeys" / "falls.toml").write_text(text, encoding="utf-8")
    doc = journey_document(run_journey(place, "falls"))
    borough = next(a for a in doc["agencies"] if a["agency"] == "Borough Council")
    # base (all the council's housing spend) 90,000.00 / 450 x 0.1 x 200: the same 4,000.00 here
    assert borough["current"] == Decimal("4000.00")


def test_a_local_cost_from_an_earlier_year_is_uplifted(place: Workspace) -> None:
    text = JOURNEY.replace(
        'local_cost = { partner = "Borough Council", theme = "Housing and homelessness", year = "2024-25", activity = 450 }',
        'local_cost = { partner = "Police", theme = "Community safety", year = "2023-24", activity = 600 }',
    )
    (place.root / "journeys" / "falls.toml").write_text(text, encoding="utf-8")
    doc = journey_document(run_journey(place, "falls"))
    line = doc["contacts"][1]
    # 90,000.00 / 600 = 150.00 at 2023-24 prices (a whole year: 12 months); the shipped
    # gdp_deflator.csv has 2023 -> 96.2507, 2024 -> 100.0: 150 x 100 / 96.2507 x 0.1 x 200 = 3,116.86
    assert line["unit_cost_original"] == Decimal("150.00")
    assert line["uplift"] == pytest.approx(100 / 96.2507, abs=1e-6)
    assert line["per_cohort"] == Decimal("3116.86")


@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=100_000),
    frequency=st.decimals(min_value=0, max_value=50, places=2),
    share=st.decimals(min_value=0, max_value=1, places=3),
)
def test_any_cohort_frequency_and_share_multiply_through(
    tmp_path_factory: pytest.TempPathFactory, size: int, frequency: Decimal, share: Decimal
) -> None:
    from tests.journey.conftest import PLACE
    from totalplace.workspace import open_workspace

    root = tmp_path_factory.mktemp("j")
    (root / "place.toml").write_text(PLACE, encoding="utf-8")
    (root / "j.toml").write_text(
        f"""[journey]\nprice_year = "2013-14"\nother_bodies = ["Hospital trust"]\n[cohort]\nsize = {size}\n
[[current]]\nagency = "Hospital trust"\nactivity = "A&E"\nunit_cost = "HE4.0"\nfrequency = {frequency}\nshare = {share}\n
[[redesigned]]\nagency = "Hospital trust"\nactivity = "A&E"\nunit_cost = "HE4.0"\nfrequency = 0\nshare = 0\n""",
        encoding="utf-8",
    )
    doc = journey_document(run_journey(open_workspace(root), root / "j.toml"))
    # HE4.0 is 109.00 at 2011-12 prices; to 2013-14 x 73.4795 / 70.834 (gdp_deflator.csv rows 2013, 2011)
    factor = Decimal("73.4795") / Decimal("70.834")
    expected = _penny(Decimal(109) * factor * frequency * share * size)
    assert doc["agencies"][0]["current"] == expected
    assert doc["totals"]["difference"] == -expected
