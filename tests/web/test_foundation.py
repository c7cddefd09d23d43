"""The web service's foundation: sign-in with argon2, throttling, CSRF on every form, security
headers, sessions renewed at sign-in, no open redirects, migrations safe to re-run."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.workspaces import EXAMPLE
from totalplace.cli import app as cli
from totalplace.web import Settings, create_app
from totalplace.web.demo import DEMO_PASSWORD
from totalplace.web.state import Database

BOARD = "board@example.org"


@pytest.fixture
def site(tmp_path: Path) -> TestClient:
    """Return a client of the service on a copy of the example (nothing imported), demo accounts on."""
    shutil.copytree(EXAMPLE, tmp_path / "ws")
    return TestClient(create_app(Settings(workspace=tmp_path / "ws", demo=True)))


def token(client: TestClient, path: str = "/sign-in") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, "the form has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str = BOARD, password: str = DEMO_PASSWORD, next: str = "/"):
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token(client), "next": next},
        follow_redirects=False,
    )


def test_a_demo_account_signs_in_and_the_api_knows_who_it_is(site: TestClient) -> None:
    assert site.get("/api/v1/me").json()["role"] == "public"
    answer = sign_in(site)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert site.get("/api/v1/me").json() == {
        "role": "board",
        "partner": "Hyndburn Borough Council",
        "name": "Demo board",
    }


def test_passwords_are_stored_as_argon2_hashes(site: TestClient, tmp_path: Path) -> None:
    rows = (
        sqlite3.connect(tmp_path / "ws" / ".totalplace" / "web.sqlite")
        .execute("SELECT email, password_hash FROM people")
        .fetchall()
    )
    assert rows and all(h.startswith("$argon2id$") and DEMO_PASSWORD not in h for _, h in rows)


def test_a_form_without_its_csrf_token_is_refused_before_anything_happens(site: TestClient) -> None:
    answer = site.post("/sign-in", data={"email": BOARD, "password": DEMO_PASSWORD})
    assert answer.status_code == 403 and "expired" in answer.text
    assert site.get("/api/v1/me").json()["role"] == "public"
    wrong = site.post(
        "/sign-in", data={"email": BOARD, "password": DEMO_PASSWORD, "csrf_token": "forged"}
    )
    assert wrong.status_code == 403
    assert site.post("/api/v1/me", headers={"X-CSRF-Token": "forged"}).status_code == 403


def test_repeated_failed_sign_ins_are_throttled_whether_or_not_the_account_exists(
    site: TestClient,
) -> None:
    for _ in range(5):
        assert (
            "correct email address and password" in sign_in(site, password="wrong password!").text
        )
    refused = sign_in(site)  # the right password, but too soon
    assert refused.status_code == 400 and "Too many failed sign-ins" in refused.text
    other = sign_in(site, email="nobody@example.org", password="x" * 12)
    assert "Too many failed sign-ins" in other.text  # the same address: throttled too


def test_every_response_carries_the_security_headers(site: TestClient) -> None:
    for path in ("/sign-in", "/accessibility", "/api/v1/health", "/no-such-page"):
        headers = site.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
        assert (
            headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        )


def test_the_session_cookie_is_http_only_and_same_site_and_renewed_at_sign_in(
    site: TestClient,
) -> None:
    first = site.get("/sign-in").headers.get("set-cookie", "")
    assert "httponly" in first.lower() and "samesite=lax" in first.lower()
    before = site.cookies.get("totalplace_session")
    sign_in(site)
    assert site.cookies.get("totalplace_session") != before


@pytest.mark.parametrize(
    "target", ["https://evil.example.org/", "//evil.example.org", "javascript:alert(1)"]
)
def test_sign_in_never_redirects_off_the_service(site: TestClient, target: str) -> None:
    assert sign_in(site, next=target).headers["location"] == "/"


def test_signing_out_is_a_form_and_ends_the_session(site: TestClient) -> None:
    sign_in(site)
    assert site.post("/sign-out", data={"csrf_token": token(site, "/sign-out")}).status_code == 200
    assert site.get("/api/v1/me").json()["role"] == "public"


def test_pages_and_errors_look_like_gov_uk(site: TestClient) -> None:
    page = site.get("/no-such-page")
    assert (
        page.status_code == 404 and "govuk-template" in page.text and "Page not found" in page.text
    )
    assert site.get("/api/v1/nothing").json() == {"error": "Not Found"}


def test_migrations_are_safe_to_run_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    Database(url).close()
    Database(url).close()  # a current database is left as it is
    tables = {
        r[0]
        for r in sqlite3.connect(tmp_path / "state.sqlite").execute(
            "SELECT name FROM sqlite_master"
        )
    }
    assert {
        "people",
        "organisations",
        "proposals",
        "positions",
        "resident_responses",
        "audit_events",
    } <= tables


def test_demo_accounts_are_refused_on_an_address_others_can_reach(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "ws")
    result = CliRunner().invoke(
        cli, ["serve", "--demo", "--host", "0.0.0.0", "-w", str(tmp_path / "ws")]
    )
    assert (
        result.exit_code == 2 and "127.0.0.1" in result.output and "Traceback" not in result.output
    )


def test_demo_accounts_sit_for_the_places_own_partners_elsewhere(tmp_path: Path) -> None:
    from totalplace.web.demo import ensure_demo_accounts
    from totalplace.workspace import Partner, add_partner, init_workspace, open_workspace

    init_workspace(tmp_path / "trafford", "E08000009")
    for name in ("Trafford Council", "Greater Manchester Police"):
        add_partner(open_workspace(tmp_path / "trafford"), Partner(name=name, sector="other"))
    ws = open_workspace(tmp_path / "trafford")
    db = Database(f"sqlite:///{tmp_path / 'state.sqlite'}")
    made = dict(ensure_demo_accounts(db, ws))
    assert set(made.values()) == {"administrator", "analyst", "board"} and len(made) == 4
    rows = (
        sqlite3.connect(tmp_path / "state.sqlite")
        .execute(
            "SELECT p.email, o.partner FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id"
        )
        .fetchall()
    )
    partners = dict(rows)
    # the two analysts sit for the place's two partners, one each; the board member for a partner
    assert {partners["analyst@hyndburn.example.org"], partners["analyst@police.example.org"]} == {
        "Trafford Council",
        "Greater Manchester Police",
    }
    assert partners["board@example.org"] in ("Trafford Council", "Greater Manchester Police")
    assert partners["admin@example.org"] is None
