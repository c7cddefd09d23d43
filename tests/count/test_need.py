"""NHS need apportionment: weighted populations by GP practice, summed to districts, as a count driver.

Figures worked by hand from the published file
(../shared/realdata/reference/nhs_need/aif_gp_practice_weighted_population_2024_2025.csv,
column 16 LAD21, 21 "pop 2022/23" = registered, 24 "MH WP" = mental health, 28 "Final WP"
= overall; no practice of the districts used here has a quoted comma in its name), e.g.
``awk -F, '$16=="E07000120"{n++; s+=$28} END{print n, s}'``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.count import count
from totalplace.ingest import import_files
from totalplace.money import round_half_up
from totalplace.reference import nhs_need
from totalplace.workspace import WorkspaceError, init_workspace, open_workspace

HYNDBURN = "E07000120"
# East Lancashire: Burnley, Hyndburn, Pendle, Ribble Valley, Rossendale, Blackburn with Darwen.
EAST_LANCS = ("E07000117", HYNDBURN, "E07000122", "E07000124", "E07000125", "E06000008")
TRUST = "East Lancashire Hospitals NHS Trust"


def test_hyndburns_weighted_population_is_its_13_practices_summed_by_hand():
    # The 13 practices with LAD21 E07000120, Final WP: P81036 20634.66143 + P81147 5056.146672
    # + P81160 17265.51267 + P81166 3006.027193 + P81182 6928.046032 + P81218 7762.92233
    # + P81699 2420.962156 + P81711 2746.164196 + P81726 2084.974638 + P81730 9130.697046
    # + P81738 1152.507603 + P81755 10232.86252 + Y02605 3489.352765 = 91910.837251.
    assert nhs_need.weighted_population([HYNDBURN]) == {HYNDBURN: Decimal("91910.837251")}
    # Registered ("pop 2022/23") of the same 13: 79716.257202 (awk, column 21).
    assert nhs_need.weighted_population([HYNDBURN], "registered")[HYNDBURN] == Decimal(
        "79716.257202"
    )
    share = nhs_need.need_share([HYNDBURN], [HYNDBURN])
    assert (share.place_practices, share.area_practices, share.share) == (13, 13, 1)


def test_a_district_merged_since_2021_is_found_under_its_old_code_and_its_successors():
    # Cumberland (E06000063, April 2023) = Allerdale 111440.976748 + Carlisle 123560.227951
    # + Copeland 79516.373874 = 314517.578573 (awk per LAD21).
    found = nhs_need.weighted_population(["E06000063", "E07000026"])
    assert found == {"E06000063": Decimal("314517.578573"), "E07000026": Decimal("111440.976748")}


def test_the_need_share_of_hyndburn_in_east_lancashire_is_worked_by_hand():
    # Overall: 91910.837251 / (119364.433436 + 91910.837251 + 102654.125466 + 62211.448122
    # + 80272.458656 + 197929.813756 = 654343.116687), 13 of 11+13+11+6+9+22 = 72 practices.
    found = nhs_need.need_share(EAST_LANCS, [HYNDBURN])
    exact = Fraction("91910.837251") / Fraction("654343.116687")
    assert abs(Fraction(found.share) - exact) <= Fraction(1, 2 * 10**15)
    assert (found.place_practices, found.area_practices) == (13, 72)
    assert found.area_weighted == Decimal("654343.116687")
    # Mental health: 98051.381486 / (120614.370452 + 98051.381486 + 101616.143066
    # + 51863.647522 + 81047.999070 + 216895.464602 = 670089.006198).
    mh = nhs_need.need_share(EAST_LANCS, [HYNDBURN], "mental_health")
    assert abs(
        Fraction(mh.share) - Fraction("98051.381486") / Fraction("670089.006198")
    ) <= Fraction(1, 2 * 10**15)


def test_half_a_district_counts_half_its_weighted_population():
    # A place of wards holding a third of Hyndburn's people: 91910.837251 / 3 of 654343.116687.
    found = nhs_need.need_share(EAST_LANCS, {HYNDBURN: Fraction(1, 3)})
    exact = Fraction("91910.837251") / 3 / Fraction("654343.116687")
    assert abs(Fraction(found.share) - exact) <= Fraction(1, 2 * 10**15)


ICBS = sorted(set(nhs_need.practices()["icb_code"].to_pylist()))


@settings(max_examples=15, deadline=None)
@given(icb=st.sampled_from(ICBS), component=st.sampled_from(sorted(nhs_need.COMPONENTS)))
def test_shares_over_every_district_of_an_icb_sum_to_one(icb, component):
    districts = nhs_need.area_districts(icb)
    shares = [nhs_need.need_share(icb, [d], component).share for d in districts]
    # Each share is rounded to 15 places: the sum is 1 within half a unit per district.
    assert abs(sum(shares) - 1) <= Decimal(len(districts)) * Decimal("5e-16")
    parts = [nhs_need.need_share(icb, [d], component).place_practices for d in districts]
    assert sum(parts) == nhs_need.need_share(icb, districts, component).area_practices


def test_an_unknown_component_or_icb_is_refused_with_the_valid_ones():
    with pytest.raises(nhs_need.NhsNeedError, match="components are overall"):
        nhs_need.weighted_population([HYNDBURN], "dentistry")
    with pytest.raises(nhs_need.NhsNeedError, match="ODS code"):
        nhs_need.need_share("QZZ", [HYNDBURN])


PLACE = """[place]
code = "E07000120"
name = "Hyndburn"

[[partners]]
name = "East Lancashire Hospitals NHS Trust"
sector = "nhs_trust"
areas = ["E07000117", "E07000120", "E07000122", "E07000124", "E07000125", "E06000008"]
{apportion}sources = ["trust.csv"]
"""

# Three payments of the trust in 2024-25: 600000.00 + 250000.00 + 150000.00 = 1000000.00.
LEDGER = (
    "Date,Transaction Number,Supplier Name,Amount,Description\n"
    "15/05/2024,T1,Acme Healthcare Ltd,600000.00,Agency nursing\n"
    "15/06/2024,T2,Acme Healthcare Ltd,250000.00,Agency nursing\n"
    "15/07/2024,T3,Beta Facilities Ltd,150000.00,Cleaning\n"
)


def _trust(root: Path, apportion: str) -> Path:
    init_workspace(root, HYNDBURN)
    (root / "place.toml").write_text(PLACE.format(apportion=apportion))
    (root / "trust.csv").write_text(LEDGER)
    ws = open_workspace(root)
    import_files(ws, TRUST, [root / "trust.csv"])
    return root


def test_the_count_apportions_an_nhs_trust_by_need_when_it_says_so(tmp_path):
    root = _trust(tmp_path / "need", 'apportion = "nhs_need"\n')
    result = count(open_workspace(root))
    (row,) = [r for r in result.rows if r["fy_start_year"] == 2024]
    # £1,000,000.00 × 91910.837251 / 654343.116687 = £140,463.32 (to the penny, half up).
    expected = round_half_up(
        Fraction(1_000_000) * Fraction("91910.837251") / Fraction("654343.116687")
    )
    assert expected == Decimal("140462.76")
    assert row["counted_amount"] == expected
    assert row["method"] == "apportioned (NHS need)"
    assert (
        "overall weighted population" in row["driver"] and "13 of 72 GP practices" in row["driver"]
    )
    assert any("apportioned by NHS need" in n and "NHS England" in n for n in result.notes)


def test_count_shows_the_need_share_beside_the_population_share(tmp_path):
    root = _trust(tmp_path / "both", "")
    runner = CliRunner()
    shown = runner.invoke(
        app, ["count", "-w", str(root), "--driver", "nhs-need", "--json", "--no-layers"]
    )
    assert shown.exit_code == 0, shown.output
    (row,) = json.loads(shown.output)["nhs_need"]
    # Population (ONS mid-2024): Hyndburn 86058 of 86058 + 99233 + 99777 + 65794 + 73045
    # + 162540 = 586447; £1,000,000.00 × 86058 / 586447 = £146,744.74.
    assert Decimal(row["population_amount"]) == round_half_up(Fraction(1_000_000 * 86058, 586447))
    assert Decimal(row["population_amount"]) == Decimal("146744.72")
    assert Decimal(row["need_amount"]) == Decimal("140462.76")
    assert Decimal(row["difference"]) == Decimal("140462.76") - Decimal("146744.72")
    assert row["used"] == "population"
    table = runner.invoke(app, ["count", "-w", str(root), "--driver", "nhs-need", "--no-layers"])
    assert table.exit_code == 0, table.output
    assert "NHS need driver beside head count" in table.output
    assert "14.05%" in table.output and "14.67%" in table.output  # need and population shares


@pytest.mark.parametrize(
    ("setting", "wanted"),
    [
        ('apportion = "need"\n', "is not a driver"),
        ('apportion = "nhs_need:dentistry"\n', "is not a driver"),
    ],
)
def test_a_wrong_apportion_setting_is_a_fault_with_its_line(tmp_path, setting, wanted):
    root = tmp_path / "bad"
    init_workspace(root, HYNDBURN)
    (root / "place.toml").write_text(PLACE.format(apportion=setting))
    with pytest.raises(WorkspaceError, match=rf"line 9: .*{wanted}"):
        open_workspace(root)


def test_need_apportionment_is_for_nhs_partners_only(tmp_path):
    root = tmp_path / "police"
    init_workspace(root, HYNDBURN)
    text = PLACE.format(apportion='apportion = "nhs_need"\n').replace('"nhs_trust"', '"police"')
    (root / "place.toml").write_text(
        text.replace(
            'areas = ["E07000117", "E07000120", "E07000122", "E07000124", "E07000125", "E06000008"]',
            'areas = ["E23000003"]',
        )
    )
    with pytest.raises(WorkspaceError, match="line 9: .*is for NHS partners"):
        open_workspace(root)
