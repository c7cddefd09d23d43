"""The place's pages and API on the counted example: figures equal plain SQL, the access rules hold
for every role, the simulator stores only valid plans and nothing personal."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from tests.workspaces import counted_example
from totalplace.web import Settings, create_app
from totalplace.web.demo import DEMO_PASSWORD
from totalplace.workspace import Workspace, open_workspace

ROLES = {
    "public": None,
    "analyst-hyndburn": "analyst@hyndburn.example.org",
    "analyst-police": "analyst@police.example.org",
    "board": "board@example.org",
    "admin": "admin@example.org",
}


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return the example counted, with opportunities and the count by ward."""
    from totalplace.needs import count_by_ward

    ws = counted_example(tmp_path_factory.mktemp("pages") / "hyndburn")
    count_by_ward(ws)
    return ws


@pytest.fixture
def site(counted: Workspace, tmp_path: Path) -> TestClient:
    shutil.copytree(counted.root, tmp_path / "ws")
    return TestClient(create_app(Settings(workspace=tmp_path / "ws", demo=True)))


def as_role(client: TestClient, role: str) -> TestClient:
    email = ROLES[role]
    if email is not None:
        page = client.get("/sign-in").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        answer = client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf},
                             follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303
    return client


def sql(ws: Workspace | Path, query: str) -> list[tuple]:
    root = ws.root if isinstance(ws, Workspace) else ws
    con = duckdb.connect(str(open_workspace(root).warehouse_path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def money_in(text: str) -> set[Decimal]:
    return {
        Decimal(m.replace(",", ""))
        for m in re.findall(r"£([0-9,]+\.[0-9]{2})", html.unescape(text))
    }


@pytest.mark.parametrize("role", list(ROLES))
def test_the_overview_shows_the_count_to_every_role(
    site: TestClient, counted: Workspace, role: str
) -> None:
    page = as_role(site, role).get("/")
    assert page.status_code == 200
    (total,) = sql(
        counted,
        "SELECT sum(counted_amount) FROM count_by_partner_theme_year WHERE fy_start_year = 2024",
    )[0]
    themes = sql(
        counted,
        "SELECT theme, sum(counted_amount) FROM count_by_partner_theme_year WHERE fy_start_year = 2024 GROUP BY theme",
    )
    shown = money_in(page.text)
    assert Decimal(total) in shown
    assert {Decimal(amount) for _, amount in themes} <= shown
    assert (
        page.text.count("<svg") >= 2 and 'data-chart-for="chart-' in page.text
    )  # treemap and Sankey


def test_no_page_carries_an_inline_script_of_ours(site: TestClient) -> None:
    for path in ("/", "/residents", "/residents/simulator", "/drill?theme=Community+safety"):
        text = site.get(path).text
        for attributes, _body in re.findall(r"<script([^>]*)>(.*?)</script>", text, flags=re.S):
            allowed = (
                "src=" in attributes or "application/json" in attributes or "nonce=" in attributes
            )
            assert allowed, f"{path}: an inline script {attributes!r}"
        assert " onclick=" not in text and " style=" not in text


def test_a_partners_analyst_drills_down_to_its_own_payments_only(
    site: TestClient, counted: Workspace
) -> None:
    as_role(site, "analyst-hyndburn")
    theme, service, supplier, count = sql(counted, """
        SELECT c.theme, coalesce(t.service_area, 'x'), t.supplier_name, count(*)
        FROM count_lines c JOIN transactions t USING (txn_key)
        WHERE c.partner = 'hyndburn-borough-council' AND c.fy_start_year = 2024 AND t.service_area IS NOT NULL
        GROUP BY ALL ORDER BY 4 DESC LIMIT 1""")[0]  # fmt: skip
    own = site.get("/api/v1/drill", params={"theme": theme, "partner": "Hyndburn Borough Council",
                                            "service": service, "supplier": supplier}).json()  # fmt: skip
    assert own["transactions"] is not None and len(own["transactions"]) == count
    as_role(site, "analyst-police")  # the same session, now another partner's analyst
    other = site.get("/api/v1/drill", params={"theme": theme, "partner": "Hyndburn Borough Council",
                                              "service": service, "supplier": supplier})  # fmt: skip
    assert other.status_code in (200, 404)
    if other.status_code == 200:
        assert (
            other.json()["transactions"] is None
            and "own analysts" in other.json()["transactions_note"]
        )


@pytest.mark.parametrize("role", ["public", "board", "admin", "analyst-police"])
def test_no_one_but_the_partners_own_analysts_sees_its_payments(
    site: TestClient, counted: Workspace, role: str
) -> None:
    as_role(site, role)
    partner = "Hyndburn Borough Council"
    theme = "Place and environment"
    services = site.get("/api/v1/drill", params={"theme": theme, "partner": partner}).json()[
        "services"
    ]
    service = (
        next(s["service"] for s in services if not s["suppressed"])
        if any(not s["suppressed"] for s in services)
        else None
    )
    if service is None:
        return  # everything below withheld: nothing to leak
    suppliers = site.get(
        "/api/v1/drill", params={"theme": theme, "partner": partner, "service": service}
    ).json()["suppliers"]
    shown = [s for s in suppliers if not s["suppressed"]]
    for supplier in shown[:2]:
        doc = site.get("/api/v1/drill", params={"theme": theme, "partner": partner, "service": service,
                                                "supplier": supplier["payee"]}).json()  # fmt: skip
        assert doc["transactions"] is None


def test_the_residents_page_is_public_and_in_plain_words(
    site: TestClient, counted: Workspace
) -> None:
    page = site.get("/residents")
    assert page.status_code == 200 and "for each of Hyndburn" in html.unescape(page.text)
    (people,) = sql(
        counted,
        "SELECT max(population) FROM count_by_partner_theme_year WHERE fy_start_year = 2024",
    )[0]
    assert f"{people:,}" in page.text


def test_a_valid_plan_is_stored_with_nothing_personal_and_a_bad_one_is_not(
    site: TestClient,
) -> None:
    form = site.get("/residents/simulator").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    values = dict(re.findall(r'name="(theme-\d+)"[^>]*value="([^"]*)"', form))
    refused = site.post("/residents/simulator", data={**values, "csrf_token": csrf})
    assert refused.status_code == 400 and "more than the target" in refused.text  # no saving made
    below = dict(values, **{"theme-0": "0.00"})
    assert (
        "below the floor"
        in site.post("/residents/simulator", data={**below, "csrf_token": csrf}).text
    )
    assert (
        "Enter an amount in pounds"
        in site.post(
            "/residents/simulator", data={**values, "theme-1": "lots", "csrf_token": csrf}
        ).text
    )
    assert (
        "from the list"
        in site.post(
            "/residents/simulator", data={**values, "ward": "E99999999", "csrf_token": csrf}
        ).text
    )
    largest = max(values, key=lambda k: Decimal(values[k]))
    plan = dict(values, **{largest: f"{Decimal(values[largest]) * Decimal('0.8'):.2f}"})
    done = site.post(
        "/residents/simulator", data={**plan, "csrf_token": csrf, "comment": "More for parks"}
    )
    assert done.status_code == 200 and "Your plan has been sent" in done.text
    state = Path(site.app.state.settings.database.removeprefix("sqlite:///"))  # type: ignore[attr-defined]
    rows = (
        sqlite3.connect(state)
        .execute("SELECT financial_year, ward, comment FROM resident_responses")
        .fetchall()
    )
    assert rows == [("2024-25", None, "More for parks")]


@pytest.mark.parametrize(
    "role, page, api",
    [
        ("public", 303, 401),
        ("analyst-hyndburn", 200, 200),
        ("board", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_the_responses_summary_is_for_the_partnership_only(
    site: TestClient, role: str, page: int, api: int
) -> None:
    as_role(site, role)
    assert site.get("/residents/responses", follow_redirects=False).status_code == page
    assert site.get("/api/v1/simulator/responses").status_code == api


@pytest.mark.parametrize(
    "path", ["/?year=1999-00", "/drill?theme=Nothing", "/api/v1/drill?theme=Nothing"]
)
def test_an_unknown_year_or_theme_is_a_clear_404(site: TestClient, path: str) -> None:
    answer = site.get(path)
    assert answer.status_code == 404 and "Traceback" not in answer.text
