"""Pooled and aligned budgets: the share of a theme's spend that is pooled, aligned or separate.

A constructed Hyndburn: the borough council (counted in full) and the Lancashire PCC
(police force area E23000003: Hyndburn 86,058 of 1,601,645 people, ONS mid-2024), each
with a small 2024-25 ledger whose themes come from the workspace's rules.toml.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from totalplace.classify import classify
from totalplace.cli import app
from totalplace.count import count
from totalplace.count.pooled import POOLED_TABLE, pooled
from totalplace.ingest import import_files
from totalplace.workspace import Workspace, init_workspace, open_workspace
from totalplace.workspace.pooled_tables import PooledBudgetError

PLACE = """[place]
code = "E07000120"
name = "Hyndburn"

[[partners]]
name = "Hyndburn Borough Council"
sector = "district_council"
areas = ["E07000120"]

[[partners]]
name = "Lancashire Police and Crime Commissioner"
sector = "police"
areas = ["E23000003"]
"""

RULES = """[[rule]]
id = "test.theme.safety"
dimension = "theme"
value = "Community safety"
what = 'community safety|cctv'

[[rule]]
id = "test.theme.waste"
dimension = "theme"
value = "Place and environment"
what = 'waste'
"""

HEADER = "Date,Transaction Number,Supplier Name,Amount,Description\n"
# Council: CCTV 30,000.00 (Community safety), waste 70,000.00 (Place and environment).
COUNCIL = HEADER + (
    "10/05/2024,C1,Acme Cameras Ltd,30000.00,CCTV maintenance\n"
    "10/06/2024,C2,Bins R Us Ltd,70000.00,Waste collection\n"
)
# PCC: patrols 1,601,645.00, Hyndburn's share 1,601,645 × 86,058 / 1,601,645 = 86,058.00;
# a grant paid to the council 160,164.50 (paid to a partner: not counted at the PCC),
# Hyndburn's share 8,605.80.
PCC = HEADER + (
    "10/05/2024,P1,Patrol Services Ltd,1601645.00,Community safety patrols\n"
    "10/06/2024,P2,Hyndburn Borough Council,160164.50,Community safety grant\n"
)

GOOD = """# two arrangements on Community safety in 2024-25
[[pooled_budgets]]
name = "Hyndburn CSP fund"
kind = "community safety partnership fund"
theme = "Community safety"
host = "Hyndburn Borough Council"
year = "2024-25"

[pooled_budgets.contributions]
"Hyndburn Borough Council" = 10000
"Lancashire Police and Crime Commissioner" = 20000.00

[[pooled_budgets]]
name = "Youth diversion"
kind = "aligned"
theme = "community safety"
host = "Lancashire Police and Crime Commissioner"
year = "2024-25"

[pooled_budgets.contributions]
"Hyndburn Borough Council" = 1000
"Lancashire Police and Crime Commissioner" = 5000
"""


def _build(root: Path) -> Workspace:
    init_workspace(root, "E07000120")
    (root / "place.toml").write_text(PLACE)
    (root / "rules.toml").write_text(RULES)
    (root / "council.csv").write_text(COUNCIL)
    (root / "pcc.csv").write_text(PCC)
    ws = open_workspace(root)
    import_files(ws, "Hyndburn Borough Council", [root / "council.csv"])
    import_files(ws, "Lancashire Police and Crime Commissioner", [root / "pcc.csv"])
    classify(ws)
    count(ws)
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return _build(tmp_path / "hyndburn")


def _table(ws: Workspace) -> list[tuple]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {POOLED_TABLE} ORDER BY partner").fetchall()
    finally:
        con.close()


def test_pooled_aligned_and_separate_shares_are_worked_by_hand(ws):
    (ws.root / "pooled_budgets.toml").write_text(GOOD)
    result = pooled(ws)
    (theme,) = result.themes()
    # Theme spend: council 30,000.00 + PCC 86,058.00 = 116,058.00 (the grant is counted at
    # the council only if the council spends it; here it is the PCC's transfer, excluded).
    assert theme["theme_spend"] == Decimal("116058.00")
    assert theme["theme_pooled"] == Decimal("30000.00")  # 10,000 + 20,000
    assert theme["theme_aligned"] == Decimal("6000.00")  # 1,000 + 5,000
    assert theme["theme_separate"] == Decimal("80058.00")  # 116,058 - 30,000 - 6,000
    assert theme["pooled_share"] == pytest.approx(30000 / 116058)  # 25.85%
    assert theme["aligned_share"] == pytest.approx(6000 / 116058)  # 5.17%
    assert theme["separate_share"] == pytest.approx(80058 / 116058)  # 68.98%
    rows = {r["partner"]: r for r in result.rows}
    council = rows["hyndburn-borough-council"]
    pcc = rows["lancashire-police-and-crime-commissioner"]
    assert council["partner_theme_share"] == pytest.approx(30000 / 116058)
    assert council["partner_arrangement_share"] == pytest.approx(11000 / 36000)  # 30.56%
    assert pcc["partner_theme_share"] == pytest.approx(86058 / 116058)
    assert pcc["partner_arrangement_share"] == pytest.approx(25000 / 36000)  # 69.44%
    assert pcc["paid_to_partners"] == Decimal("8605.80")  # 160,164.50 × 86,058 / 1,601,645
    assert "Hyndburn CSP fund" in pcc["arrangements"] and "Youth diversion" in pcc["arrangements"]
    assert "pooled_budgets.toml" in pcc["source"] and "line 2" in pcc["source"]


def test_rerunning_is_harmless(ws):
    (ws.root / "pooled_budgets.toml").write_text(GOOD)
    pooled(ws)
    first = _table(ws)
    count(ws)
    pooled(ws)
    assert _table(ws) == first and len(first) == 2


def test_without_a_file_the_table_is_empty(ws):
    assert pooled(ws).rows == [] and _table(ws) == []


@pytest.mark.parametrize(
    ("change", "wanted"),
    [
        # Council contributes 40,000 > its 30,000.00 counted (+ 0 paid to partners).
        (
            ('"Hyndburn Borough Council" = 10000', '"Hyndburn Borough Council" = 39000'),
            r"line 10: .*£40,000\.00.*£30,000\.00",
        ),
        # PCC 95,000 + 5,000 = 100,000 > its 86,058.00 counted + 8,605.80 paid to partners.
        (("= 20000.00", "= 95000.00"), r"line 11: .*£100,000\.00.*£94,663\.80"),
        (
            (
                'year = "2024-25"\n\n[pooled_budgets.contributions]\n"Hyndburn Borough Council" = 10000',
                'year = "2023-24"\n\n[pooled_budgets.contributions]\n"Hyndburn Borough Council" = 10000',
            ),
            r"line 2: .*no spending on Community safety in 2023-24",
        ),
    ],
)
def test_money_the_count_cannot_hold_is_refused_and_nothing_written(ws, change, wanted):
    (ws.root / "pooled_budgets.toml").write_text(GOOD)
    pooled(ws)
    before = _table(ws)
    (ws.root / "pooled_budgets.toml").write_text(GOOD.replace(*change))
    with pytest.raises(PooledBudgetError, match=wanted):
        pooled(ws)
    assert _table(ws) == before


def test_arrangements_above_the_themes_spend_are_refused(ws):
    # Council 30,000 (= its spend) and PCC 90,000 (≤ 86,058.00 + 8,605.80 = 94,663.80) pooled,
    # plus 6,000 aligned: 126,000.00 > the theme's 116,058.00.
    text = GOOD.replace('"Hyndburn Borough Council" = 10000', '"Hyndburn Borough Council" = 29000')
    text = text.replace("= 20000.00", "= 85000.00")
    (ws.root / "pooled_budgets.toml").write_text(text)
    with pytest.raises(
        PooledBudgetError,
        match=r"total £120,000\.00, more than the theme's counted spend in the place, £116,058\.00",
    ):
        pooled(ws)


BAD = """[[pooled_budgets]]
name = "Fund"
kind = "section 76 pool"
theme = "Safety"
host = "Lancashire Constabulary"
year = "2024"
colour = "red"

[pooled_budgets.contributions]
"Hyndburn Borough Council" = "10000"
"Blackburn Council" = 5
"Lancashire Police and Crime Commissioner" = 10.005
"""


def test_faults_in_the_file_are_each_named_with_their_line(ws):
    (ws.root / "pooled_budgets.toml").write_text(BAD)
    with pytest.raises(PooledBudgetError) as caught:
        pooled(ws)
    lines = {p.line for p in caught.value.problems}
    # kind (3), theme (4), host (5), unknown key (7), quoted amount (10), unknown
    # partner (11), a fraction of a penny (12); "2024" is a valid year (2024-25).
    assert lines == {3, 4, 5, 7, 10, 11, 12}
    message = str(caught.value)
    assert "did you mean 'section 75 pool'" in message
    assert "without quotes" in message and "whole pennies" in message
    assert "Nothing was written" in message


def test_the_count_command_shows_and_exports_the_pooled_share(ws, tmp_path):
    (ws.root / "pooled_budgets.toml").write_text(GOOD)
    runner = CliRunner()
    shown = runner.invoke(app, ["count", "-w", str(ws.root), "--json", "--no-layers"])
    assert shown.exit_code == 0, shown.output
    (theme,) = json.loads(shown.output)["pooled"]["themes"]
    assert (theme["theme_pooled"], theme["theme_separate"]) == ("30000.00", "80058.00")
    target = tmp_path / "count.csv"
    exported = runner.invoke(app, ["count", "-w", str(ws.root), "--export", str(target)])
    assert exported.exit_code == 0, exported.output
    assert "Pooled and aligned budgets" in exported.output and "25.8%" in exported.output
    assert (tmp_path / "count_pooled.csv").exists()


def test_a_bad_file_gives_a_message_and_exit_code_not_a_traceback(ws):
    (ws.root / "pooled_budgets.toml").write_text(BAD)
    shown = CliRunner().invoke(app, ["count", "-w", str(ws.root)])
    assert shown.exit_code == 6
    assert "pooled_budgets.toml has 7 problems" in shown.output and "Traceback" not in shown.output
