"""The scenario commands on the example's two scenarios: new, list, run, compare; --json and --export."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.errors import EXIT_USAGE
from totalplace.scenario.appraise import payback_year
from totalplace.workspace import Workspace

BACK_OFFICE = "shared-back-office"
EARLY_HELP = "early-help-for-families"


def invoke(ws: Workspace, *args: str):
    result = CliRunner().invoke(app, ["scenario", *args, "-w", str(ws.root)])
    assert "Traceback" not in result.output, result.output[-3000:]
    return result


def run_json(ws: Workspace, name: str, *extra: str) -> dict:
    result = invoke(ws, "run", name, "--json", "--draws", "500", *extra)
    assert result.exit_code == 0, result.output[-3000:]
    return json.loads(result.stdout)


def test_the_example_ships_two_scenarios_that_list_cleanly(hyndburn: Workspace) -> None:
    doc = json.loads(invoke(hyndburn, "list", "--json").stdout)
    names = {Path(s["file"]).stem: s for s in doc["scenarios"]}
    assert set(names) >= {BACK_OFFICE, EARLY_HELP}
    assert all(s["problem"] is None for s in names.values())


def test_the_back_office_document_adds_up(hyndburn: Workspace) -> None:
    doc = run_json(hyndburn, BACK_OFFICE)
    m = doc["measures"]
    to = Decimal
    # NPBI = PV fiscal - PV costs; every partner's net = its benefits - what it pays (to the penny,
    # each rounded once: allow a penny)
    assert abs(to(m["net_present_budget_impact"]) - (to(m["pv_fiscal"]) - to(m["pv_costs"]))) <= to(
        "0.01"
    )
    for row in doc["partners"]:
        assert abs(to(row["net"]) - (to(row["benefits"]) - to(row["pays"]))) <= to("0.01")
    # the streams' present values add up to the measures
    costs = sum(to(s["present_value"]) for s in doc["streams"] if s["kind"].endswith("_cost"))
    assert abs(costs - to(m["pv_costs"])) <= to("0.01") * len(doc["streams"])
    # each proposal shares out the whole gain; the transfers net to zero
    total = to(doc["gain_share"]["total_net_gain"])
    for proposal in doc["gain_share"]["proposals"]:
        assert sum(to(p["ends_with"]) for p in proposal["partners"]) == total
        assert sum(to(p["transfer"]) for p in proposal["partners"]) == 0
    assert doc["monte_carlo"]["draws"] == 500 and len(doc["monte_carlo"]["fan"]) == 10
    assert doc["inputs"]["parameters"] and doc["tornado"]


def test_early_help_benefits_fall_on_bodies_that_did_not_pay(hyndburn: Workspace) -> None:
    doc = run_json(hyndburn, EARLY_HELP)
    agencies = {a["agency"]: a for a in doc["agencies"]}
    # the wrong pocket: the council and police pay; DWP, the NHS and the fire service gain
    for outside in ("DWP", "NHS"):
        assert not agencies[outside]["partner"] and Decimal(agencies[outside]["pv_costs"]) == 0
        assert Decimal(agencies[outside]["net_fiscal"]) > 0
    fire = agencies["Lancashire Fire and Rescue Service"]
    assert Decimal(fire["pv_costs"]) == 0 and Decimal(fire["net_fiscal"]) > 0
    payers = doc["payer_beneficiary"]["payers"]
    beneficiaries = doc["payer_beneficiary"]["beneficiaries"]
    council_row = doc["payer_beneficiary"]["present_values"][
        payers.index("Hyndburn Borough Council")
    ]
    assert Decimal(council_row[beneficiaries.index("DWP")]) > 0


def test_the_same_seed_gives_the_same_document_and_another_seed_another_spread(
    hyndburn: Workspace,
) -> None:
    first, again = (
        run_json(hyndburn, EARLY_HELP, "--seed", "3"),
        run_json(hyndburn, EARLY_HELP, "--seed", "3"),
    )
    assert first == again
    other = run_json(hyndburn, EARLY_HELP, "--seed", "4")
    assert other["measures"] == first["measures"]  # the central case does not depend on the draws
    assert other["monte_carlo"]["nppv"] != first["monte_carlo"]["nppv"]


def test_run_exports_a_workbook_with_a_sheet_per_view_and_the_inputs(
    hyndburn: Workspace, tmp_path: Path
) -> None:
    target = tmp_path / "bo.xlsx"
    result = invoke(hyndburn, "run", BACK_OFFICE, "--draws", "200", "--export", str(target))
    assert result.exit_code == 0, result.output
    assert "Who pays, who benefits" in result.output and "Shapley" in result.output
    sheets = CalamineWorkbook.from_path(str(target)).sheet_names
    assert {
        "summary",
        "partners",
        "by_year",
        "streams",
        "payer_beneficiary",
        "gain_share",
        "inputs",
    } <= set(sheets)


def test_compare_puts_the_scenarios_side_by_side(hyndburn: Workspace) -> None:
    result = invoke(hyndburn, "compare", BACK_OFFICE, EARLY_HELP, "--draws", "200", "--json")
    assert result.exit_code == 0, result.output[-2000:]
    doc = json.loads(result.stdout)
    assert doc["scenarios"] == ["Shared back office", "Early help for families"]
    measures = {row["measure"]: row for row in doc["rows"]}
    assert "Hyndburn Borough Council: Shapley share" in measures
    assert invoke(hyndburn, "compare", BACK_OFFICE).exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    "template", ["back-office", "procurement", "early-intervention", "budget-change"]
)
def test_every_template_writes_a_file_that_runs(hyndburn: Workspace, template: str) -> None:
    made = invoke(hyndburn, "new", f"from {template}", "--template", template)
    assert made.exit_code == 0, made.output
    doc = run_json(hyndburn, f"from-{template}", "--draws", "100")
    assert doc["scenario"]["name"] == f"from {template}"
    again = invoke(hyndburn, "new", f"from {template}", "--template", template)
    assert again.exit_code == EXIT_USAGE and "--force" in again.output


def test_payback_waits_for_the_first_cost_and_for_the_last_dip() -> None:
    import numpy as np

    # Costs only in year 1, savings from year 2: nothing has happened in year 0, so no payback there.
    net = np.array([[0.0, -100.0, 60.0, 60.0]])
    costs = np.array([[0.0, 100.0, 0.0, 0.0]])
    assert payback_year(net, costs).tolist() == [3]  # cumulative 0, -100, -40, +20
    # Repaid in year 2, then a second cost pulls it under again in year 3: payback is year 4.
    net = np.array([[-50.0, 30.0, 30.0, -40.0, 50.0]])
    costs = np.array([[50.0, 0.0, 0.0, 40.0, 0.0]])
    assert payback_year(net, costs).tolist() == [4]  # cumulative -50, -20, 10, -30, 20
    assert payback_year(np.array([[-10.0, 5.0]]), np.array([[10.0, 0.0]])).tolist() == [-1]


def test_run_writes_the_four_charts_as_vega_lite_and_svg(
    hyndburn: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "charts"
    result = invoke(hyndburn, "run", EARLY_HELP, "--draws", "200", "--charts", str(folder))
    assert result.exit_code == 0, result.output[-2000:]
    for name in ("waterfall", "payer_beneficiary", "fan", "tornado"):
        spec = json.loads((folder / f"{name}.vl.json").read_text())
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert "<svg" in (folder / f"{name}.svg").read_text()[:500]
    fan = json.loads((folder / "fan.vl.json").read_text())
    assert (
        len(
            fan["layer"][0]["data"]["values"]
            if "data" in fan["layer"][0]
            else fan["data"]["values"]
        )
        == 10
    )


def test_a_cut_shows_the_jobs_it_touches_once_the_economy_has_run(hyndburn: Workspace) -> None:
    made = invoke(hyndburn, "new", "cut", "--template", "budget-change")
    assert made.exit_code == 0, made.output
    before = run_json(hyndburn, "cut", "--draws", "50")["local_economy"]
    assert len(before) == 1 and "totalplace economy" in before[0]["note"]
    from totalplace.economy import economy

    economy(hyndburn)
    after = run_json(hyndburn, "cut", "--draws", "50")["local_economy"][0]
    assert after["direction"] == "cut" and "total_jobs" in after["effect"]
    assert Decimal(after["effect"]["output"]) > 0
