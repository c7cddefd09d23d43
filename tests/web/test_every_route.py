"""Every route and API endpoint, for every role: exactly the answer it should give.

The table below names every GET path of the app (a new route fails the test until it is added
here, with what each role gets), and every POST path must refuse a request without its CSRF
token whoever sends it. Another partner's analyst is a role of its own: an upload job of
Hyndburn's is "not found" to the police's analyst, and no partner's payments reach another.
Finer rules (suppression, whose transactions) are tested beside each page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from totalplace.web import Settings, create_app
from totalplace.web.demo import DEMO_PASSWORD
from totalplace.workspace import Workspace

#: The roles, in the order of each row below.
ROLES = (
    None,
    "analyst@hyndburn.example.org",
    "analyst@police.example.org",
    "board@example.org",
    "admin@example.org",
)
#: Path -> (public, Hyndburn's analyst, the police's analyst, board member, administrator).
#: 303 is the sign-in page for a signed-out visitor; the API says 401 instead.
EXPECTED: dict[str, tuple[int, int, int, int, int]] = {
    "/": (200, 200, 200, 200, 200),
    "/accessibility": (200, 200, 200, 200, 200),
    "/admin": (303, 403, 403, 403, 200),
    "/admin/audit": (303, 403, 403, 403, 200),
    "/admin/people/invite": (303, 403, 403, 403, 200),
    "/api/v1/board-pack.pdf": (401, 200, 200, 200, 200),
    "/api/v1/decisions": (200, 200, 200, 200, 200),
    "/api/v1/docs": (200, 200, 200, 200, 200),
    "/api/v1/drill": (200, 200, 200, 200, 200),
    "/api/v1/health": (200, 200, 200, 200, 200),
    "/api/v1/imports/{job_id}": (401, 200, 404, 403, 200),  # Hyndburn's upload
    "/api/v1/integrity": (401, 200, 200, 200, 200),
    "/api/v1/integrity/{finding_id}": (401, 200, 404, 404, 404),  # Hyndburn's finding
    "/api/v1/me": (200, 200, 200, 200, 200),
    "/api/v1/journeys": (401, 200, 200, 200, 200),
    "/api/v1/journeys/{name}": (401, 200, 200, 200, 200),
    "/api/v1/opportunities": (401, 200, 200, 200, 200),
    "/api/v1/outcomes": (200, 200, 200, 200, 200),  # published statistics and aggregates
    "/api/v1/pooled": (200, 200, 200, 200, 200),  # as the overview
    "/api/v1/overview": (200, 200, 200, 200, 200),
    "/api/v1/proposals": (401, 200, 200, 200, 200),
    "/api/v1/proposals/{proposal_id}": (401, 200, 200, 200, 200),
    "/api/v1/residents": (200, 200, 200, 200, 200),
    "/api/v1/scenarios": (401, 200, 200, 200, 200),
    "/api/v1/scenarios/compare": (401, 200, 200, 200, 200),
    "/api/v1/scenarios/{name}": (401, 200, 200, 200, 200),
    "/api/v1/simulator": (200, 200, 200, 200, 200),
    "/api/v1/simulator/responses": (401, 200, 200, 200, 200),
    "/api/v1/suppliers/shared": (401, 200, 200, 200, 200),
    "/api/v1/trends": (200, 200, 200, 200, 200),  # residents: the public summary
    "/api/v1/wards": (200, 200, 200, 200, 200),
    "/api/v1/wards/boundaries": (200, 200, 200, 200, 200),
    "/board-pack": (303, 200, 200, 200, 200),
    "/board-pack.pdf": (303, 200, 200, 200, 200),
    "/decisions": (200, 200, 200, 200, 200),
    "/drill": (200, 200, 200, 200, 200),
    "/integrity": (303, 200, 200, 200, 200),
    "/integrity/download": (303, 200, 200, 403, 403),  # an analyst's own findings
    "/integrity/{finding_id}": (303, 200, 404, 404, 404),  # Hyndburn's: not found by others
    "/journeys": (303, 200, 200, 200, 200),
    "/journeys/{name}": (303, 200, 200, 200, 200),
    "/outcomes": (200, 200, 200, 200, 200),
    "/proposals": (303, 200, 200, 200, 200),
    "/proposals/new": (303, 200, 200, 200, 403),
    "/proposals/{proposal_id}": (303, 200, 200, 200, 200),
    "/residents": (200, 200, 200, 200, 200),
    "/residents/responses": (303, 200, 200, 200, 200),
    "/residents/simulator": (200, 200, 200, 200, 200),
    "/scenarios": (303, 200, 200, 200, 200),
    "/scenarios/compare": (303, 200, 200, 200, 200),
    "/scenarios/{name}": (303, 200, 200, 200, 200),
    "/scenarios/{name}/build": (303, 200, 200, 200, 200),
    "/set-password": (400, 400, 400, 400, 400),  # a token that is not one
    "/sign-in": (200, 200, 200, 200, 200),
    "/sign-out": (200, 200, 200, 200, 200),
    "/suppliers": (303, 200, 200, 200, 200),
    "/suppliers/review": (303, 200, 200, 403, 403),
    "/trends": (200, 200, 200, 200, 200),  # residents: the public summary
    "/upload": (303, 200, 200, 403, 200),
    "/upload/{job_id}": (303, 200, 404, 403, 200),
    "/upload/{job_id}/profile": (303, 404, 404, 403, 404),  # its columns were recognised: no form
    "/upload/{job_id}/quarantine": (303, 200, 404, 403, 403),  # payments: its own analysts only
    "/upload/{job_id}/status": (303, 200, 404, 403, 200),
    "/wards": (200, 200, 200, 200, 200),
}
QUERIES = {
    "/drill": "?theme=Community+safety",
    "/api/v1/drill": "?theme=Community+safety",
    "/scenarios/compare": "?name=shared-back-office&name=early-help-for-families",
    "/api/v1/scenarios/compare": "?name=shared-back-office&name=early-help-for-families",
    "/set-password": "?token=not-a-token",
}
#: A journey of the example (``{name}`` elsewhere is a scenario's).
JOURNEY = "older-people-after-a-fall"
EXAMPLE_LEDGER = (
    Path(__file__).resolve().parents[2] / "examples" / "hyndburn" / "data" / "hyndburn_bc"
)


def _client(app: Any, email: str | None) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    if email is not None:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(
            1
        )  # type: ignore[union-attr]
        client.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
    return client


def _token(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-out").text).group(1)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def answers(
    web_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, ...]]:
    """Return what each role gets at each GET path (the workspace read, never changed)."""
    state = tmp_path_factory.mktemp("routes") / "state.sqlite"
    app = create_app(
        Settings(workspace=web_workspace.root, database_url=f"sqlite:///{state}", demo=True)
    )
    clients = [_client(app, email) for email in ROLES]
    board, hyndburn = clients[3], clients[1]
    made = board.post("/api/v1/proposals", json={"title": "A plan", "summary": "A change"},
                      headers={"X-CSRF-Token": _token(board)})  # fmt: skip
    assert made.status_code == 201, made.text
    # An upload of Hyndburn's that is refused before any import (wrong type): a job others may not see.
    job = hyndburn.post(
        "/api/v1/uploads",
        files={"file": ("notes.csv", b"\x00\x01binary", "text/csv")},
        data={"partner": "Hyndburn Borough Council"},
        headers={"X-CSRF-Token": _token(hyndburn)},
    )
    job_id = job.json().get("id") if job.status_code == 202 else None
    own = hyndburn.get("/api/v1/integrity").json()["own"]["findings"]
    samples = {"{name}": "shared-back-office", "{proposal_id}": str(made.json()["id"]), "{person_id}": "1",
               "{job_id}": job_id or _first_job(hyndburn),
               "{finding_id}": quote(own[0]["finding_id"])}  # fmt: skip
    paths = sorted(p for p, ops in app.openapi()["paths"].items() if "get" in ops)
    found = {}
    for path in paths:
        url = path.replace("{name}", JOURNEY) if "/journeys/" in path else path
        for key, value in samples.items():
            url = url.replace(key, value)
        url += QUERIES.get(path, "")
        found[path] = tuple(c.get(url, follow_redirects=False).status_code for c in clients)
    found["post paths"] = tuple(
        sorted(p for p, ops in app.openapi()["paths"].items() if "post" in ops)
    )  # type: ignore[arg-type]
    found["unprotected posts"] = tuple(  # type: ignore[assignment]
        f"{path} ({ROLES[i] or 'public'}: {status})"
        for path in found["post paths"]  # type: ignore[union-attr]
        for i, client in enumerate(clients)
        if (status := client.post(path.replace("{proposal_id}", samples["{proposal_id}"])
                                      .replace("{person_id}", "1").replace("{job_id}", samples["{job_id}"])
                                      .replace("{name}", "shared-back-office"), data={}).status_code) != 403
    )  # fmt: skip
    return found


def _first_job(client: TestClient) -> str:
    """Return the id of an upload of a real month (the example's April ledger) by Hyndburn's analyst."""
    ledger = EXAMPLE_LEDGER / "hyndburn_2024-04.csv"
    answer = client.post("/api/v1/uploads", files={"file": (ledger.name, ledger.read_bytes(), "text/csv")},
                         data={"partner": "Hyndburn Borough Council"}, headers={"X-CSRF-Token": _token(client)})  # fmt: skip
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def test_every_get_path_is_in_the_table(answers: dict[str, Any]) -> None:
    paths = {p for p in answers if p.startswith("/")}
    assert paths == set(EXPECTED), (
        f"new paths, add them to EXPECTED: {sorted(paths - set(EXPECTED))}; "
        f"gone: {sorted(set(EXPECTED) - paths)}"
    )


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_each_role_gets_exactly_what_it_should(answers: dict[str, Any], path: str) -> None:
    got = answers[path]
    wanted = EXPECTED[path]
    shown = ", ".join(
        f"{r or 'public'}: {g} (want {w})"
        for r, g, w in zip(ROLES, got, wanted, strict=True)
        if g != w
    )
    assert got == wanted, f"{path}: {shown}"


def test_no_form_or_api_change_is_accepted_without_its_csrf_token(answers: dict[str, Any]) -> None:
    assert len(answers["post paths"]) >= 15
    assert not answers["unprotected posts"], answers["unprotected posts"]
