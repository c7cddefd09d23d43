"""The pages' data on a counted copy of the example: answers worked in plain SQL here."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.workspaces import counted_example
from totalplace.money import round_half_up
from totalplace.stages import StageNotRun
from totalplace.web.access import PUBLIC, Viewer
from totalplace.web.views import (
    check_response,
    drill,
    overview,
    resident_summary,
    simulator,
    wards,
)
from totalplace.workspace import Workspace

HBC = "Hyndburn Borough Council"
FIRE = "Lancashire Fire and Rescue Service"
FIRE_KEY = "lancashire-fire-and-rescue-service"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from totalplace.needs.wards import count_by_ward

    found = counted_example(tmp_path_factory.mktemp("views") / "hyndburn")
    count_by_ward(found)
    return found


def sql(ws: Workspace, query: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.sql(query).fetchall()
    finally:
        con.close()


def test_overview_totals_are_the_count_tables(ws: Workspace) -> None:
    seen = overview(ws, PUBLIC)
    [(total, people)] = sql(
        ws,
        "SELECT sum(counted_amount), max(population) FROM count_by_partner_theme_year "
        "WHERE fy_start_year = 2024",
    )
    assert seen["financial_year"] == "2024-25"
    assert seen["total"]["amount"] == total
    assert seen["population"] == people
    assert seen["total"]["per_head"] == round_half_up(Fraction(total) / people)
    by_theme = dict(
        sql(
            ws,
            "SELECT theme, sum(counted_amount) FROM count_by_partner_theme_year "
            "WHERE fy_start_year = 2024 GROUP BY theme",
        )
    )
    assert {t["theme"]: t["amount"] for t in seen["by_theme"]} == by_theme
    by_partner = dict(
        sql(
            ws,
            "SELECT partner, sum(counted_amount) FROM count_by_partner_theme_year "
            "WHERE fy_start_year = 2024 GROUP BY partner",
        )
    )
    assert {p["partner_key"]: p["amount"] for p in seen["by_partner"]} == by_partner
    assert sum(layer["amount"] for layer in seen["layers"]) == total
    assert seen["not_covered"]


def test_drill_reconciles_level_to_level(ws: Workspace) -> None:
    me = Viewer("analyst", HBC)
    theme = "Community safety"
    top = drill(ws, me, 2024, theme)
    assert top["theme"]["amount"] == sum(p["amount"] for p in top["partners"])
    steps = drill(ws, me, 2024, theme, HBC)
    [(ledger,)] = sql(
        ws,
        "SELECT sum(base_amount) FROM count_lines WHERE fy_start_year = 2024 "
        "AND theme = 'Community safety' AND partner = 'hyndburn-borough-council'",
    )
    assert steps["partner"]["ledger_amount"] == ledger
    assert sum(s["ledger_amount"] for s in steps["services"]) == ledger
    service = steps["services"][0]
    down = drill(ws, me, 2024, theme, HBC, service["service"])
    assert sum(s["ledger_amount"] for s in down["suppliers"]) == service["ledger_amount"]
    supplier = down["suppliers"][0]
    payments = drill(ws, me, 2024, theme, HBC, service["service"], supplier["payee"])
    rows = payments["transactions"]
    assert rows and sum(r["amount"] for r in rows) == supplier["ledger_amount"]
    assert len(rows) == supplier["lines"]
    assert {"date", "supplier", "amount", "source_file", "row"} <= set(rows[0])


def test_another_partners_small_cells_are_suppressed(ws: Workspace) -> None:
    me = Viewer("analyst", HBC)
    found = drill(ws, me, 2024, "Community safety", FIRE)
    counts = dict(
        sql(
            ws,
            "SELECT coalesce(t.service_area, t.department, k.subjective, 'Not recorded'), "
            "count(*) FROM count_lines c JOIN transactions t USING (txn_key) "
            "LEFT JOIN classifications k USING (txn_key) WHERE c.fy_start_year = 2024 "
            f"AND c.theme = 'Community safety' AND c.partner = '{FIRE_KEY}' GROUP BY 1",
        )
    )
    services = {s["service"]: s for s in found["services"]}
    assert set(services) == set(counts)
    small = [name for name, n in counts.items() if n < 10]
    assert small, "the example has a service of fire with fewer than 10 payments"
    for name in small:
        assert services[name]["suppressed"] and services[name]["ledger_amount"] is None
        assert services[name]["reason"]
    shown = [s for s in found["services"] if not s["suppressed"]]
    assert shown and all(counts[s["service"]] >= 10 for s in shown)
    assert sum(1 for s in found["services"] if s["suppressed"]) != 1
    # a fire supplier: aggregates for Hyndburn's analyst, payments only for fire's
    big = shown[0]["service"]
    down = drill(ws, me, 2024, "Community safety", FIRE, big)
    named = next(s for s in down["suppliers"] if not s["suppressed"])
    theirs = drill(ws, me, 2024, "Community safety", FIRE, big, named["payee"])
    assert theirs["transactions"] is None and FIRE in theirs["transactions_note"]
    fire = Viewer("analyst", FIRE)
    own = drill(ws, fire, 2024, "Community safety", FIRE, big, named["payee"])
    assert own["transactions"] and all(not s["suppressed"] for s in own["suppliers"])


def test_public_sees_no_transactions(ws: Workspace) -> None:
    steps = drill(ws, PUBLIC, 2024, "Place and environment", HBC)
    service = next(s for s in steps["services"] if not s["suppressed"])
    down = drill(ws, PUBLIC, 2024, "Place and environment", HBC, service["service"])
    for supplier in down["suppliers"][:3]:
        end = drill(
            ws, PUBLIC, 2024, "Place and environment", HBC, service["service"], supplier["payee"]
        )
        assert end["transactions"] is None


def test_wards_per_head_and_need(ws: Workspace) -> None:
    seen = wards(ws, PUBLIC, 2024)
    expected = {
        code: (amount, people)
        for code, amount, people in sql(
            ws,
            "SELECT ward_code, sum(counted_amount), max(population) FROM count_by_ward "
            "WHERE fy_start_year = 2024 GROUP BY ward_code",
        )
    }
    assert {w["ward_code"]: (w["amount"], w["population"]) for w in seen["wards"]} == expected
    for w in seen["wards"]:
        assert w["per_head"] == round_half_up(Fraction(w["amount"]) / w["population"])
    ranked = [w for w in seen["wards"] if w["need_rank"] is not None]
    assert sorted(w["need_rank"] for w in ranked) == list(range(1, len(ranked) + 1))
    words = resident_summary(ws)
    assert words["wards"] and "per resident" in words["themes"][0]["sentence"]


def test_simulator_accepts_a_plan_and_refuses_floors_and_target(ws: Workspace) -> None:
    start = simulator(ws)
    assert start["savings_target"] == Decimal("0.05")
    floored = [t for t in start["themes"] if t["floor_share"] is not None]
    assert floored and all(t["duty"] for t in floored)
    # every theme at 94% of this year: meets the 5% target, above every floor (<= 90%)
    plan = {t["theme"]: round_half_up(t["amount"] * Decimal("0.94")) for t in start["themes"]}
    assert sum(plan.values()) <= start["target_total"]
    assert check_response(ws, None, plan).ok
    low = next(t for t in floored if t["amount"] > 1000)
    below = {**plan, low["theme"]: low["floor"] - Decimal("0.01")}
    check = check_response(ws, None, below)
    assert not check.ok and "below the floor" in check.messages[low["theme"]]
    same = {t["theme"]: t["amount"] for t in start["themes"]}
    check = check_response(ws, None, same)
    assert not check.ok and any("more than the target" in p for p in check.problems)


def test_missing_stage_is_the_contracts_error(tmp_path: Path) -> None:
    from tests.workspaces import imported_example

    fresh = imported_example(tmp_path / "imported")
    with pytest.raises(StageNotRun):
        overview(fresh, PUBLIC)
