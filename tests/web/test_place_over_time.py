"""The place over time on the web: /trends, /outcomes, /journeys and the pooled budgets on the overview.

Figures are checked against hand arithmetic from the published files (the example's ledgers,
outturn series, outcome files, journey files and pooled_budgets.toml), each sum beside its
assertion; who sees what is checked per role; stages not run give the 409 page; bad query
values give 400/404/422, never 500.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from totalplace.web import Settings, create_app
from totalplace.web.access import Viewer
from totalplace.web.demo import DEMO_PASSWORD
from totalplace.web.views.trends import _hide, _withheld
from totalplace.workspace import Workspace

HYNDBURN = "analyst@hyndburn.example.org"
POLICE = "analyst@police.example.org"
BOARD = "board@example.org"
ADMIN = "admin@example.org"
POLICE_NAME = "Lancashire Police and Crime Commissioner"


def _client(app: Any, email: str | None) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    if email is not None:
        page = client.get("/sign-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
    return client


@pytest.fixture(scope="module")
def clients(web_app: Any) -> dict[str | None, TestClient]:
    return {who: _client(web_app, who) for who in (None, HYNDBURN, POLICE, BOARD, ADMIN)}


def _app_on(root: Path, tmp: Path) -> Any:
    return create_app(
        Settings(workspace=root, database_url=f"sqlite:///{tmp / 'state.db'}", demo=True)
    )


# --- trends ------------------------------------------------------------------------------


def _row(doc: dict[str, Any], body: str, series: str, year: str) -> dict[str, Any]:
    return next(
        r
        for r in doc["rows"]
        if r["body_name"] == body and r["series"] == series and r["financial_year"] == year
    )


def test_trends_in_cash_and_real_terms_with_part_years_flagged(clients: dict) -> None:
    doc = clients[BOARD].get("/api/v1/trends").json()
    assert doc["prices"] == "2024-25 prices"
    police = _row(doc, POLICE_NAME, "Community safety", "2018-19")
    # Police counted cash 2018-19 £3,373,673.60 x GDP deflator 2024 / 2018 = 100 / 79.1606
    # = £4,261,809.03 (README: £4,261,809).
    assert Decimal(police["cash"]) == Decimal("3373673.60")
    assert Decimal(police["real"]) == Decimal("4261809.03")
    part = _row(doc, POLICE_NAME, "Community safety", "2024-25")
    # The police ledger of 2024-25 has April to January: 10 of 12 months, flagged, not compared.
    assert (part["months_loaded"], part["complete"], part["change_real"]) == (10, False, None)
    assert "part year: 10 of 12 months" in part["flag"]
    fire = _row(doc, "Lancashire Fire and Rescue Service", "Community safety", "2024-25")
    # Fire 2023-24 real £1,364,411.46 -> 2024-25 £1,318,337.35: -£46,074.11, -46,074.11 /
    # 1,364,411.46 = -3.38% -> -3.4%.
    assert Decimal(fire["change_real"]) == Decimal("-46074.11")
    assert Decimal(fire["change_real_pct"]) == Decimal("-3.4")
    page = clients[BOARD].get("/trends")
    assert page.status_code == 200
    assert "Part year: 10 of 12 months" in page.text and "£4,261,809.03" in page.text
    assert 'class="tp-chart"' in page.text  # the small multiples, with the tables beside them


def test_cost_shunting_findings_with_evidence_and_caveat(clients: dict) -> None:
    shunting = clients[HYNDBURN].get("/api/v1/trends").json()["shunting"]
    found = {(f["theme"], f["previous_year"], f["falling"]) for f in shunting["findings"]}
    # README: four co-movements over the Hyndburn and Lancashire County Council outturns
    # (health and wellbeing since the county's service outturn, budgets_govuk.json, is read).
    assert found == {
        ("Health and wellbeing", "2022-23", "Hyndburn Borough Council"),
        ("Corporate and democratic", "2017-18", "Lancashire County Council"),
        ("Corporate and democratic", "2021-22", "Hyndburn Borough Council"),
        ("Culture and leisure", "2023-24", "Lancashire County Council"),
    }
    culture = next(f for f in shunting["findings"] if f["theme"] == "Culture and leisure")
    # The ratio is the rise over the fall, in the place at 2024-25 prices.
    assert Decimal(culture["ratio"]) == round(
        Decimal(culture["rise"]) / Decimal(culture["fall"]), 2
    )
    assert all(e.startswith("outturns/") for e in culture["evidence"])  # no server paths
    assert "not proof" in shunting["caveat"]
    page = clients[HYNDBURN].get("/trends").text
    assert "Cost-shunting monitor" in page and "signal to discuss, not proof" in page


def test_residents_get_the_public_summary_only(clients: dict) -> None:
    doc = clients[None].get("/api/v1/trends").json()
    assert doc["public_summary"] and doc["shunting"] is None
    # Counted figures: each partner over every theme only; outturn by theme (published by MHCLG).
    assert {(r["source"], r["level"]) for r in doc["rows"]} == {
        ("ledger", "all"),
        ("outturn", "theme"),
    }
    page = clients[None].get("/trends").text
    assert "Cost-shunting monitor" not in page and "public summary" in page


def test_an_analyst_links_to_its_own_payments_only(clients: dict) -> None:
    police = clients[POLICE].get("/trends").text
    hyndburn = clients[HYNDBURN].get("/trends").text
    assert "partner=Lancashire+Police" in police and "partner=Hyndburn" not in police
    assert "partner=Hyndburn" in hyndburn and "partner=Lancashire+Police" not in hyndburn
    assert "partner=" not in clients[BOARD].get("/trends").text  # the board reads aggregates


def _rows(cells: list[tuple[str, str, int, str]]) -> list[dict[str, Any]]:
    out = []
    for partner, theme, year, cash in cells:
        level = "all" if theme == "All themes" else "theme"
        out.append({"source": "ledger", "body": partner, "body_name": partner, "level": level,
                    "series": theme, "theme": None if level == "all" else theme,
                    "fy_start_year": year, "financial_year": f"{year}-{(year + 1) % 100:02d}",
                    "cash": Decimal(cash), "real": Decimal(cash), "per_head_cash": None,
                    "per_head_real": None, "annualised_real": None, "change_real": Decimal(1),
                    "change_real_pct": None, "change_note": None})  # fmt: skip
    return out


def test_another_partners_small_cells_are_withheld_with_a_complement() -> None:
    rows = _rows([("hyndburn", "Housing", 2023, "900"), ("hyndburn", "Housing", 2024, "950"),
                  ("hyndburn", "Leisure", 2024, "5000"), ("hyndburn", "Parks", 2024, "7000"),
                  ("hyndburn", "All themes", 2024, "12950"), ("police", "Safety", 2024, "100")])  # fmt: skip
    lines = {("hyndburn", "Housing", 2023): 40, ("hyndburn", "Housing", 2024): 3,
             ("hyndburn", "Leisure", 2024): 50, ("hyndburn", "Parks", 2024): 60,
             ("police", "Safety", 2024): 2}  # fmt: skip
    police = Viewer("analyst", "police")
    hidden = _withheld(rows, lines, police)
    # Housing 2024 (3 payments < 10) is withheld; with the partner's 2024 total shown, one more
    # 2024 cell must go too: the smaller by payments, Leisure (50 < 60). The police's own
    # 2-payment cell is the viewer's own: shown.
    assert hidden == {1, 2}
    _hide(rows, hidden)
    assert rows[1]["real"] is None and rows[2]["cash"] is None and rows[3]["real"] == 7000
    assert rows[5]["cash"] == Decimal("100")
    # Hyndburn's analyst sees all of Hyndburn's own cells; the police's 2-payment cell is withheld.
    assert _withheld(rows, lines, Viewer("analyst", "hyndburn")) == {5}
    assert _withheld(_rows([("police", "Safety", 2024, "1")]), lines, Viewer("board")) == {0}


def test_a_change_from_a_withheld_year_is_withheld() -> None:
    rows = _rows([("hyndburn", "Housing", 2023, "900"), ("hyndburn", "Housing", 2024, "950")])
    _hide(rows, {0})
    # 2024's change (950 - 900) would give 2023 away.
    assert rows[1]["change_real"] is None and rows[1]["real"] == Decimal("950")


# --- outcomes ----------------------------------------------------------------------------


def test_outcomes_beside_spend_for_every_role(clients: dict) -> None:
    for who in (None, HYNDBURN, BOARD):
        assert clients[who].get("/outcomes").status_code == 200
    code = "preventable-cardiovascular-mortality-england"
    doc = clients[None].get(f"/api/v1/outcomes?indicator={code}").json()
    place = next(r for r in doc["summary"] if r["role"] == "place")
    # The ONS file (to 1 decimal place): Hyndburn 2022-2024 51.4 (95% interval 42.2-61.9), England 30.2 (outside
    # the interval, and lower is better: worse); first value 79.5 (2001-2003): improving.
    latest = (place["latest_value"], place["latest_lci_95"], place["latest_uci_95"])
    assert tuple(round(v, 1) for v in latest) == (
        51.4,
        42.2,
        61.9,
    )
    assert (round(place["first_value"], 1), place["direction"], place["against_benchmark"]) == (
        79.5,
        "improving",
        "worse",
    )
    # Health and wellbeing counted in 2024-25 £56,615.91 / 86,058 residents = £0.658 -> £0.66.
    assert Decimal(place["count_per_head"]) == Decimal("0.66")
    assert any("Different geographies" in n for n in doc["notes"])
    page = clients[None].get(f"/outcomes?indicator={code}").text
    assert 'class="tp-chart"' in page and "42.2–61.9" in page and "lower is better" in page


# --- journeys ----------------------------------------------------------------------------


def test_journeys_listed_and_costed_per_agency(clients: dict) -> None:
    listed = clients[BOARD].get("/api/v1/journeys").json()["journeys"]
    assert {j["slug"] for j in listed} == {
        "older-people-after-a-fall",
        "family-with-multiple-needs",
    }
    doc = clients[BOARD].get("/api/v1/journeys/older-people-after-a-fall").json()
    agencies = {a["agency"]: a for a in doc["agencies"]}
    # README's table: NHS £813,875.63 + county £1,129,828.05 + police £19,837.20 + fire £0 +
    # district £0 = £1,963,540.88 today; the police's difference 7,934.88 - 19,837.20 = -11,902.32.
    assert sum(Decimal(a["current"]) for a in doc["agencies"]) == Decimal("1963540.88")
    assert Decimal(doc["totals"]["current"]) == Decimal("1963540.88")
    assert Decimal(agencies[POLICE_NAME]["difference"]) == Decimal("-11902.32")
    first = doc["contacts"][0]
    # GMCA HE3.0.2 £231.00 (2013-14) x 1.360924 = £314.37 a call-out at 2024-25 prices.
    assert (first["unit_cost_code"], Decimal(first["unit_cost"])) == ("HE3.0.2", Decimal("314.37"))
    assert doc["journey"]["file"] == "journeys/older-people-after-a-fall.toml"
    page = clients[POLICE].get("/journeys/older-people-after-a-fall").text
    assert "−£217,340.85" in page and "GMCA HE3.0.2" in page
    assert clients[None].get("/journeys", follow_redirects=False).status_code == 303
    assert clients[None].get("/api/v1/journeys").status_code == 401


@pytest.mark.parametrize(
    "name", ["nope", "..%2F..%2Fplace", "place.toml", "%2Fetc%2Fpasswd.toml", "a" * 101]
)
def test_a_journey_is_only_a_file_of_the_journeys_folder(clients: dict, name: str) -> None:
    assert clients[BOARD].get(f"/journeys/{name}").status_code in (404, 422)
    assert clients[BOARD].get(f"/api/v1/journeys/{name}").status_code in (404, 422)


# --- pooled budgets ------------------------------------------------------------------------


def test_a_declared_pool_shows_in_the_themes_pooled_share(clients: dict) -> None:
    doc = clients[None].get("/api/v1/pooled").json()
    safety = next(t for t in doc["themes"] if t["theme"] == "Community safety")
    # pooled_budgets.toml: the community safety partnership fund, £4,000 from the district and
    # £36,000 from the police = £40,000 of the theme's counted £7,274,430.20: 0.55%.
    assert Decimal(safety["theme_pooled"]) == Decimal("40000.00")
    assert abs(safety["pooled_share"] - 40000 / 7274430.20) < 1e-12
    page = clients[None].get("/").text
    assert "Pooled and aligned budgets" in page and "£40,000.00 (0.5%)" in page


# --- not ready, bad values ---------------------------------------------------------------


@pytest.fixture(scope="module")
def stale_app(web_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An app on a copy whose outcome file and pooled budgets changed since they were read."""
    root = tmp_path_factory.mktemp("stale") / "ws"
    shutil.copytree(web_workspace.root, root)
    outcome = sorted((root / "outcomes").glob("*.csv"))[0]
    outcome.write_text(outcome.read_text() + "\n", encoding="utf-8")
    toml = root / "pooled_budgets.toml"
    toml.write_text(toml.read_text() + "\n# changed\n", encoding="utf-8")
    return _app_on(root, root.parent)


def test_stages_not_current_give_the_409_page(stale_app: Any, tmp_path: Path) -> None:
    from totalplace.warehouse import connect
    from totalplace.workspace import init_workspace, open_workspace

    client = _client(stale_app, BOARD)
    page = client.get("/outcomes")
    assert page.status_code == 409 and "totalplace outcomes" in page.text
    assert client.get("/api/v1/outcomes").status_code == 409
    assert client.get("/api/v1/pooled").status_code == 409
    init_workspace(tmp_path / "empty", "E07000120")
    connect(open_workspace(tmp_path / "empty")).disconnect()  # an empty warehouse: nothing run
    empty = _client(_app_on(tmp_path / "empty", tmp_path), BOARD)
    for path in ("/trends", "/api/v1/trends", "/outcomes", "/api/v1/pooled"):
        answer = empty.get(path)
        assert answer.status_code == 409, path
        assert "totalplace" in answer.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/trends?min_fall=-1", 422),
        ("/trends?min_fall_share=2", 422),
        ("/trends?ratio_low=abc", 422),
        ("/api/v1/trends?ratio_low=3&ratio_high=1", 400),
        ("/trends?base_year=1850-51", 400),
        ("/trends?base_year=<b>", 422),
        ("/outcomes?lag=11", 422),
        ("/outcomes?indicator=no-such-thing", 404),
        ("/api/v1/outcomes?theme=No+such+theme", 404),
        ("/api/v1/pooled?year=1999-00", 404),
    ],
)
def test_bad_query_values_are_refused_plainly(clients: dict, path: str, status: int) -> None:
    assert clients[BOARD].get(path).status_code == status


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(max_size=40))
def test_any_query_value_is_never_a_500(clients: dict, value: str) -> None:
    client = clients[HYNDBURN]
    for path, key in (
        ("/trends", "base_year"),
        ("/outcomes", "indicator"),
        ("/api/v1/outcomes", "theme"),
    ):
        assert client.get(path, params={key: value}).status_code < 500, (path, value)
