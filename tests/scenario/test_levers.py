"""Each lever's money, worked by hand from the warehouse's own figures (read here with plain SQL)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.scenario.test_scenario_files import COUNCIL, POLICE, write
from totalplace.reference.appraisal import gdp_deflator
from totalplace.scenario import build_model, read_scenario, run_model
from totalplace.workspace import Workspace

FIRE = "Lancashire Fire and Rescue Service"


def sql(ws: Workspace, query: str) -> list[tuple]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def annuity(rate: float, years: range) -> float:
    """Sum of discount factors 1/(1+rate)^t over ``years`` (t from 0)."""
    return sum((1 + rate) ** -t for t in years)


def streams_of(ws: Workspace, path: Path):
    model = build_model(ws, read_scenario(path))
    return model, model.evaluate(model.central())


def total(streams, kind: str, agency: str) -> np.ndarray:
    rows = [
        streams.amounts[0, i]
        for i in range(len(streams.kinds))
        if streams.kinds[i] == kind and streams.agencies[i] == agency
    ]
    return np.sum(rows, axis=0) if rows else np.zeros(streams.amounts.shape[2])


def test_shared_back_office_saves_the_rate_of_each_partners_spend(hyndburn: Workspace) -> None:
    council_finance, police_finance = (
        sql(hyndburn, f"SELECT sum(place_amount) FROM opp_back_office WHERE partner = '{slug}' "
                      "AND function = 'Finance' AND fy_start_year = 2024")[0][0]
        for slug in ("hyndburn-borough-council", "lancashire-police-and-crime-commissioner")
    )  # fmt: skip
    path = write(
        hyndburn,
        f"""
[[levers]]
type = "shared_back_office"
name = "bo"
partners = ["{COUNCIL}", "{POLICE}"]
items = ["Finance"]
saving_rate = 0.2
confidence_grade = 1
implementation_cost = 10000
cost_split = {{ "{COUNCIL}" = 0.75, "{POLICE}" = 0.25 }}
start = 1
ramp_up = [0.5]
""",
    )
    model, streams = streams_of(hyndburn, path)
    council = float(council_finance) * 0.2  # grade 1: no optimism bias on benefits
    # year 0 nothing; year 1 half (ramp-up); years 2-4 all of it
    assert total(streams, "fiscal_cashable", COUNCIL) == pytest.approx(
        [0, council / 2, council, council, council]
    )
    police = float(police_finance) * 0.2
    assert total(streams, "fiscal_cashable", POLICE)[2] == pytest.approx(police)
    # the one-off cost falls in the start year, 10,000 x (1 + 0 optimism bias) in the shares given
    assert total(streams, "revenue_cost", COUNCIL) == pytest.approx([0, 7500, 0, 0, 0])
    assert total(streams, "revenue_cost", POLICE) == pytest.approx([0, 2500, 0, 0, 0])
    result = run_model(model, draws=50)
    # PV of the council's net: saving/2 in year 1, full in 2..4, cost 7,500 in year 1; 3.5%
    expected = council * (0.5 / 1.035 + annuity(0.035, range(2, 5))) - 7500 / 1.035
    assert float(result.gain.net[0]) == pytest.approx(expected, abs=0.01)
    # the fire service took no part: it neither pays nor saves
    assert not total(streams, "fiscal_cashable", FIRE).any()


def test_one_partner_alone_shares_nothing(hyndburn: Workspace) -> None:
    path = write(
        hyndburn,
        f"""
[[levers]]
type = "shared_back_office"
name = "bo"
partners = ["{COUNCIL}"]
implementation_cost = 1000
""",
    )
    _, streams = streams_of(hyndburn, path)
    assert not total(streams, "fiscal_cashable", COUNCIL).any()


def test_an_early_intervention_outcome_follows_cohort_success_deadweight_lag_and_drop_off(
    hyndburn: Workspace,
) -> None:
    path = write(
        hyndburn,
        f"""
[[levers]]
type = "early_intervention"
name = "help"
funders = {{ "{COUNCIL}" = 0.6, "{POLICE}" = 0.4 }}
cohort = 100
engagement = 0.5
cost_per_participant = 1000
cost_price_year = "2024-25"
duration = 1

[[levers.outcomes]]
unit_cost = "CR2.0.3"
success = 0.2
deadweight = 0.25
lag = 1
persistence = 2
drop_off = 0.5
confidence_grade = 1
cashable = 0.5
""",
    )
    _, streams = streams_of(hyndburn, path)
    # 100 x 0.5 engaged = 50 people in year 0 at 1,000 each (price year = price base): 50,000
    assert total(streams, "revenue_cost", COUNCIL) == pytest.approx([30000, 0, 0, 0, 0])
    assert total(streams, "revenue_cost", POLICE) == pytest.approx([20000, 0, 0, 0, 0])
    # successes net of deadweight: 50 x 0.2 x (1 - 0.25) = 7.5 a year, from year 1 (lag), for 2
    # years, halving after the first. CR2.0.3 (police, £415 at 2008/09 prices) to 2024-25 by the
    # deflator (calendar 2008 -> 2024, decision 0018): the police partner gains.
    deflator = gdp_deflator()
    value = 415 * deflator.index(2024) / deflator.index(2008)
    fiscal = total(streams, "fiscal_cashable", POLICE) + total(
        streams, "fiscal_non_cashable", POLICE
    )
    assert fiscal == pytest.approx([0, 7.5 * value, 7.5 * 0.5 * value, 0, 0])
    assert total(streams, "fiscal_cashable", POLICE)[1] == pytest.approx(7.5 * value * 0.5)


def test_a_cut_saves_the_partner_and_costs_those_it_shifts_to(hyndburn: Workspace) -> None:
    (spend,) = sql(hyndburn, "SELECT sum(counted_amount) FROM count_by_partner_theme_year "
                             "WHERE partner = 'hyndburn-borough-council' AND theme = 'Culture and leisure' AND fy_start_year = 2024")[0]  # fmt: skip
    path = write(
        hyndburn,
        f"""
[[levers]]
type = "budget_change"
name = "cut"
partner = "{COUNCIL}"
theme = "Culture and leisure"
share = -0.1
shifts = {{ "NHS" = 0.3 }}
""",
    )
    _, streams = streams_of(hyndburn, path)
    cut = float(Decimal(spend) * Decimal("0.1"))
    assert total(streams, "fiscal_cashable", COUNCIL) == pytest.approx([cut] * 5)
    assert total(streams, "fiscal_cashable", "NHS") == pytest.approx([-0.3 * cut] * 5)


def test_the_shapley_shares_of_three_interchangeable_partners_are_equal(
    hyndburn: Workspace,
) -> None:
    path = write(
        hyndburn,
        """
[[levers]]
type = "senior_management"
name = "senior"
posts = 3
cost_per_post = 100000
confidence_grade = 1
implementation_cost = 0
""",
    )
    model, _ = streams_of(hyndburn, path)
    result = run_model(model, draws=20)
    # Three posts of 100,000 shared equally: 100,000 a year each once two or more take part,
    # for 5 years at 3.5%: 100,000 x annuity. Symmetric partners: Shapley = each one's net.
    each = 100000 * annuity(0.035, range(5))
    shapley = result.gain.proposal("shapley").allocation
    assert [float(x) for x in shapley] == pytest.approx([each] * 3, abs=0.02)
    # Alone, a partner shares nothing: v({i}) = 0
    assert [float(x) for x in result.gain.standalone] == [0.0, 0.0, 0.0]


def test_monte_carlo_p50_sits_at_the_central_case_for_symmetric_ranges(hyndburn: Workspace) -> None:
    path = write(
        hyndburn,
        """
[[levers]]
type = "senior_management"
name = "senior"
posts = [2, 3, 4]
cost_per_post = [90000, 100000, 110000]
confidence_grade = 1
implementation_cost = [0, 50000, 100000]
""",
    )
    model = build_model(hyndburn, read_scenario(path))
    result = run_model(model, draws=20000, seed=7)
    central = float(result.measures.nppv[0])
    p50 = float(result.spread["nppv"].p50)
    # NPV is a product of two symmetric inputs less a symmetric cost: its median is within a
    # few standard errors of the central case (sd of the draws ~ 15% of it; se of a median
    # over 20,000 draws ~ 1.25 sd / sqrt(20000) ~ 0.14%): allow 1%.
    assert p50 == pytest.approx(central, rel=0.01)
    again = run_model(model, draws=20000, seed=7)
    assert float(again.spread["nppv"].p50) == p50  # the seed reproduces the draws


def test_an_assets_lever_saves_a_share_of_the_chosen_clusters_running_costs(
    hyndburn: Workspace,
) -> None:
    from totalplace.assets import assets

    # Two council buildings: one ~100 m north of Peel House Medical Practice (BB5 2EJ,
    # 53.750895, -2.3659961), one far from any other body's building.
    register = hyndburn.root / "data" / "council_assets.csv"
    register.write_text(
        "OrganisationLabel,UPRN,AssetCode,PropertyName,PostCode,CoordinateReferenceSystem,GeoX,GeoY,"
        "TenureType,HoldingType,BuildingSize\n"
        "Hyndburn Borough Council,1,A1,Near the surgery,BB5 2EJ,WGS84,-2.3659961,53.7518,Freehold,Building,300\n"
        "Hyndburn Borough Council,2,A2,Far away,BB5 9ZZ,WGS84,-2.30,53.70,Freehold,Building,100\n",
        encoding="utf-8",
    )
    place = hyndburn.root / "place.toml"
    place.write_text(
        place.read_text()
        + '\n[[assets]]\nbody = "Hyndburn Borough Council"\nfiles = ["data/council_assets.csv"]\n'
    )
    from totalplace.workspace import open_workspace

    ws = open_workspace(hyndburn.root)
    assets(ws)
    rows = sql(ws, "SELECT cluster_id, running_cost FROM asset_cluster_members "
                   "WHERE partner = 'hyndburn-borough-council'")  # fmt: skip
    assert len(rows) == 1, rows  # only the building near the surgery is in a cluster
    cluster, running = rows[0][0], float(rows[0][1])
    assert running > 0
    path = write(
        ws,
        f"""
[[levers]]
type = "assets"
name = "co-locate"
clusters = [{cluster}]
running_cost_saving = 0.25
confidence_grade = 1
disposal_receipts = 100000
disposal_year = 2
implementation_cost = 5000
""",
    )
    _, streams = streams_of(ws, path)
    saving = running * 0.25
    # receipts (100,000, all to the council: its running cost is the only one) in year 2
    assert total(streams, "fiscal_cashable", COUNCIL) == pytest.approx(
        [saving, saving, saving + 100000, saving, saving]
    )
    assert total(streams, "revenue_cost", COUNCIL) == pytest.approx([5000, 0, 0, 0, 0])
    bad = write(
        ws,
        '\n[[levers]]\ntype = "assets"\nname = "x"\nclusters = [999]\nrunning_cost_saving = 0.2\nimplementation_cost = 0\n',
        "bad",
    )
    from totalplace.scenario import ScenarioFileError

    with pytest.raises(ScenarioFileError, match="no cluster 999"):
        build_model(ws, read_scenario(bad))
