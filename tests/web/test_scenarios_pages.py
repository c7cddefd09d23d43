"""Scenario pages, the builder and their API: who may see them, figures equal to the CLI's
``scenario run --json``, and a builder that writes only files the scenario reader accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.workspaces import counted_example
from totalplace.cli import app as cli
from totalplace.web import Settings, create_app
from totalplace.web.demo import DEMO_PASSWORD

ACCOUNTS = {
    "administrator": "admin@example.org",
    "analyst": "analyst@hyndburn.example.org",
    "board": "board@example.org",
}
PAGES = ["/scenarios", "/scenarios/shared-back-office", "/scenarios/compare?name=shared-back-office&name=early-help-for-families",
         "/scenarios/early-help-for-families/build", "/board-pack"]  # fmt: skip
API = ["/api/v1/scenarios", "/api/v1/scenarios/shared-back-office?draws=500",
       "/api/v1/scenarios/compare?name=shared-back-office&name=early-help-for-families&draws=500"]  # fmt: skip


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a counted copy of the example (its two scenarios), shared by this module's tests."""
    return counted_example(tmp_path_factory.mktemp("scenarios") / "ws").root


@pytest.fixture(scope="module")
def app(root: Path):
    return create_app(Settings(workspace=root, demo=True))


def signed_in(app, role: str) -> TestClient:
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)
    assert token
    answer = client.post("/sign-in", data={"email": ACCOUNTS[role], "password": DEMO_PASSWORD,
                                           "csrf_token": token.group(1), "next": "/"},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    return client


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


@pytest.mark.parametrize("path", PAGES + API)
def test_the_public_is_refused_every_scenario_page_and_endpoint(app, path: str) -> None:
    answer = TestClient(app).get(path, follow_redirects=False)
    if path.startswith("/api/"):
        assert answer.status_code == 401
    else:
        assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize("role", list(ACCOUNTS))
@pytest.mark.parametrize("path", PAGES + API)
def test_every_signed_in_role_sees_the_scenario_pages(app, role: str, path: str) -> None:
    answer = signed_in(app, role).get(path)
    assert answer.status_code == 200, answer.text[:500]


def test_the_scenario_page_shows_the_figures_of_the_cli_run_for_the_same_draws_and_seed(
    app, root: Path
) -> None:
    result = CliRunner().invoke(cli, ["scenario", "run", "shared-back-office", "--json",
                                      "--draws", "2000", "-w", str(root)])  # fmt: skip
    assert result.exit_code == 0, result.output
    expected = json.loads(result.output)
    client = signed_in(app, "board")
    page = client.get("/scenarios/shared-back-office").text
    api = client.get("/api/v1/scenarios/shared-back-office?draws=2000").json()
    for key in (
        "measures",
        "partners",
        "payer_beneficiary",
        "gain_share",
        "monte_carlo",
        "tornado",
    ):
        assert api[key] == expected[key], key

    def shown(amount: str) -> str:
        value = round(float(amount))
        return f"−£{-value:,}" if value < 0 else f"£{value:,}"

    figures = [expected["measures"]["net_present_public_value"], expected["monte_carlo"]["nppv"]["p10"],
               *(p["net"] for p in expected["partners"]), *(p["shapley_transfer"] for p in expected["partners"]),
               expected["payer_beneficiary"]["present_values"][0][1], expected["monte_carlo"]["fan"][-1]["p90"]]  # fmt: skip
    for amount in figures:
        assert shown(amount) in page, amount
    assert 'data-chart-for="chart-' in page and "<svg" in page


def test_the_comparison_needs_two_scenarios_and_names_only_the_workspaces_files(app) -> None:
    client = signed_in(app, "analyst")
    assert client.get("/scenarios/compare?name=shared-back-office").status_code == 400
    assert client.get("/scenarios/compare?name=../../place").status_code == 404
    assert client.get("/api/v1/scenarios/..%2F..%2Fplace").status_code == 404


def test_the_builder_writes_a_new_scenario_the_reader_accepts_and_leaves_the_old_one(
    app, root: Path
) -> None:
    client = signed_in(app, "board")
    before = (root / "scenarios" / "early-help-for-families.toml").read_text()
    form = client.get("/scenarios/early-help-for-families/build").text
    data = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form))
    data |= {"name": "Early help, bigger cohort", "f-levers-0-cohort-high": "200", "draws": "500",
             "csrf_token": csrf(client, "/scenarios/early-help-for-families/build")}  # fmt: skip
    answer = client.post(
        "/scenarios/early-help-for-families/build", data=data, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["location"] == "/scenarios/early-help-bigger-cohort"
    written = (root / "scenarios" / "early-help-bigger-cohort.toml").read_text()
    assert "cohort = [80, 100, 200]" in written and "# families in need" in written
    assert (root / "scenarios" / "early-help-for-families.toml").read_text() == before
    assert client.get("/scenarios/early-help-bigger-cohort").status_code == 200
    again = client.post("/scenarios/early-help-for-families/build", data=data)
    assert again.status_code == 400 and "already a scenario file" in again.text


def test_the_builder_refuses_a_bad_value_with_the_readers_message_against_its_field(
    app, root: Path
) -> None:
    client = signed_in(app, "analyst")
    form = client.get("/scenarios/early-help-for-families/build").text
    data = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form))
    data |= {"name": "Impossible engagement", "f-levers-0-engagement-high": "70",
             "csrf_token": csrf(client, "/scenarios/early-help-for-families/build")}  # fmt: skip
    answer = client.post("/scenarios/early-help-for-families/build", data=data)
    assert answer.status_code == 400
    assert "govuk-error-summary" in answer.text
    message = "engagement = 70 is above the allowed range: a rate from 0 to 1 (write 0.7 for 70%)"
    assert message in answer.text
    assert 'href="#f-levers-0-engagement-low"' in answer.text
    assert 'id="f-levers-0-engagement-error"' in answer.text
    assert not (root / "scenarios" / "impossible-engagement.toml").exists()


def test_the_builder_form_is_refused_without_its_csrf_token(app) -> None:
    client = signed_in(app, "analyst")
    answer = client.post("/scenarios/early-help-for-families/build", data={"name": "x"})
    assert answer.status_code == 403


@pytest.mark.parametrize("path", ["/board-pack.pdf", "/api/v1/board-pack.pdf"])
def test_the_board_pack_pdf_is_for_signed_in_people_only(app, path: str) -> None:
    assert TestClient(app).get(path, follow_redirects=False).status_code in (303, 401)
    answer = signed_in(app, "analyst").get(path + "?scenario=shared-back-office")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
