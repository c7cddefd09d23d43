"""The trade-off register: each role gets exactly what it should from every page and endpoint,
positions keep their history, one decision closes a proposal, the public sees only decisions,
forms need their CSRF token, over-long inputs are refused with a message, every change audited."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.workspaces import EXAMPLE
from totalplace.web import Settings, create_app, register
from totalplace.web.demo import DEMO_PASSWORD
from totalplace.web.state import AuditEvent, Person

ANALYST_A = "analyst@hyndburn.example.org"
ANALYST_B = "analyst@police.example.org"
BOARD = "board@example.org"
ADMIN = "admin@example.org"
ROLES = {"public": None, "analyst A": ANALYST_A, "analyst B": ANALYST_B, "board": BOARD,
         "administrator": ADMIN}  # fmt: skip
LOGIN = "sign-in"  # the outcome of a page asked for by someone not signed in


def csrf(client: TestClient, path: str = "/sign-out") -> str:
    """Return the client's session CSRF token, read from a page's form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def signed_in(app: FastAPI, email: str | None, password: str = DEMO_PASSWORD) -> TestClient:
    """Return a client signed in as ``email`` (None: the public), its CSRF header set."""
    client = TestClient(app)
    if email is not None:
        answer = client.post("/sign-in", follow_redirects=False, data={
            "email": email, "password": password, "csrf_token": csrf(client, "/sign-in")})  # fmt: skip
        assert answer.status_code == 303, answer.text
    client.headers["X-CSRF-Token"] = csrf(client, "/sign-in" if email is None else "/sign-out")
    return client


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """Return the service on a copy of the example (nothing imported), with demo accounts."""
    root = tmp_path_factory.mktemp("register") / "ws"
    shutil.copytree(EXAMPLE, root)
    return create_app(Settings(workspace=root, demo=True, secret_key="test-only-key"))


@pytest.fixture(scope="module")
def clients(app: FastAPI) -> dict[str, TestClient]:
    """Return a client for each role, signed in once."""
    return {role: signed_in(app, email) for role, email in ROLES.items()}


def person_id(app: FastAPI, email: str) -> int:
    with app.state.db.session() as session:
        return int(session.scalar(select(Person.id).where(Person.email == email)) or 0)


def new_proposal(app: FastAPI, title: str = "Share one vehicle fleet") -> int:
    """Return the id of a new open proposal by analyst A (through the library)."""
    with app.state.db.session() as session:
        return register.propose(session, person_id(app, ANALYST_A), title,
                                "Run one fleet for the council and the police.",
                                "The council buys the vehicles", "The police save on leases")  # fmt: skip


def outcome(answer: object) -> object:
    """Return the status, or LOGIN for a redirect to the sign-in page."""
    status = answer.status_code  # type: ignore[attr-defined]
    if status == 303 and answer.headers["location"].startswith("/sign-in"):  # type: ignore[attr-defined]
        return LOGIN
    return status


def form(client: TestClient, path: str, **data: str) -> object:
    return client.post(path, data={**data, "csrf_token": client.headers["X-CSRF-Token"]},
                       follow_redirects=False)  # fmt: skip


# route -> what each role gets: (public, analyst A, analyst B, board, administrator)
Request = Callable[[TestClient, int], object]
CASES: dict[str, tuple[Request, tuple[object, ...]]] = {
    "GET /proposals": (
        lambda c, p: c.get("/proposals", follow_redirects=False),
        (LOGIN, 200, 200, 200, 200)),
    "GET /proposals/new": (
        lambda c, p: c.get("/proposals/new", follow_redirects=False),
        (LOGIN, 200, 200, 200, 403)),
    "POST /proposals": (
        lambda c, p: form(c, "/proposals", title="A plan", summary="What changes"),
        (LOGIN, 303, 303, 303, 403)),
    "GET /proposals/{id}": (
        lambda c, p: c.get(f"/proposals/{p}", follow_redirects=False),
        (LOGIN, 200, 200, 200, 200)),
    "POST /proposals/{id}/comments": (
        lambda c, p: form(c, f"/proposals/{p}/comments", text="A comment"),
        (LOGIN, 303, 303, 303, 403)),
    "POST /proposals/{id}/positions": (
        lambda c, p: form(c, f"/proposals/{p}/positions", position="agree", reason="Cheaper"),
        # the demo board member sits for Hyndburn Borough Council: a partner records its position
        (LOGIN, 303, 303, 303, 403)),
    "POST /proposals/{id}/decision": (
        lambda c, p: form(c, f"/proposals/{p}/decision", outcome="agreed", reason="Saves money"),
        (LOGIN, 403, 403, 303, 303)),
    "GET /decisions": (
        lambda c, p: c.get("/decisions"),
        (200, 200, 200, 200, 200)),
    "GET /api/v1/proposals": (
        lambda c, p: c.get("/api/v1/proposals"),
        (401, 200, 200, 200, 200)),
    "GET /api/v1/proposals/{id}": (
        lambda c, p: c.get(f"/api/v1/proposals/{p}"),
        (401, 200, 200, 200, 200)),
    "POST /api/v1/proposals": (
        lambda c, p: c.post("/api/v1/proposals", json={"title": "A plan", "summary": "Change"}),
        (401, 201, 201, 201, 403)),
    "POST /api/v1/proposals/{id}/comments": (
        lambda c, p: c.post(f"/api/v1/proposals/{p}/comments", json={"text": "A comment"}),
        (401, 201, 201, 201, 403)),
    "POST /api/v1/proposals/{id}/positions": (
        lambda c, p: c.post(f"/api/v1/proposals/{p}/positions", json={"position": "object"}),
        (401, 201, 201, 201, 403)),
    "POST /api/v1/proposals/{id}/decision": (
        lambda c, p: c.post(f"/api/v1/proposals/{p}/decision",
                            json={"outcome": "rejected", "reason": "Too costly"}),
        (401, 403, 403, 201, 201)),
    "GET /api/v1/decisions": (
        lambda c, p: c.get("/api/v1/decisions"),
        (200, 200, 200, 200, 200)),
}  # fmt: skip


@pytest.mark.parametrize("route", list(CASES))
@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_gets_exactly_what_it_should(
    app: FastAPI, clients: dict[str, TestClient], route: str, role: str
) -> None:
    call, expected = CASES[route]
    wanted = expected[list(ROLES).index(role)]
    assert outcome(call(clients[role], new_proposal(app))) == wanted


def test_an_organisations_position_keeps_its_history(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    pid = new_proposal(app)
    a, b = clients["analyst A"], clients["analyst B"]
    form(a, f"/proposals/{pid}/positions", position="agree", reason="It is cheaper")
    form(a, f"/proposals/{pid}/positions", position="object", reason="On reflection, no")
    form(b, f"/proposals/{pid}/positions", position="abstain")
    found = a.get(f"/api/v1/proposals/{pid}").json()
    current = {p["organisation"]: p["position"] for p in found["current"]}
    assert current == {"Hyndburn Borough Council": "object",
                       "Lancashire Police and Crime Commissioner": "abstain"}  # fmt: skip
    history = found["history"]["Hyndburn Borough Council"]
    assert [(h["position"], h["reason"]) for h in history] == [
        ("object", "On reflection, no"), ("agree", "It is cheaper")]  # fmt: skip
    line = next(p for p in a.get("/api/v1/proposals").json() if p["id"] == pid)
    assert line["positions"] == {"agree": 0, "object": 1, "abstain": 1}
    page = a.get(f"/proposals/{pid}").text
    assert "On reflection, no" in page and "It is cheaper" in page and "Objects" in page


def test_one_decision_closes_the_proposal_and_the_public_sees_only_the_decision(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    pid = new_proposal(app, "Close the shared depot")
    a, board = clients["analyst A"], clients["board"]
    form(a, f"/proposals/{pid}/comments", text="A private worry about staffing")
    form(a, f"/proposals/{pid}/positions", position="object", reason="Our own reason")
    assert outcome(form(board, f"/proposals/{pid}/decision", outcome="rejected",
                        reason="The depot serves two wards")) == 303  # fmt: skip
    again = board.post(f"/api/v1/proposals/{pid}/decision",
                       json={"outcome": "agreed", "reason": "Changed our minds"})  # fmt: skip
    assert again.status_code == 409 and "rejected" in again.json()["error"]
    assert form(a, f"/proposals/{pid}/comments", text="Late").status_code == 409  # type: ignore[attr-defined]
    late = a.post(f"/api/v1/proposals/{pid}/positions", json={"position": "agree"})
    assert late.status_code == 409
    assert a.get(f"/api/v1/proposals/{pid}").json()["status"] == "rejected"
    public = clients["public"]
    decided = [d for d in public.get("/api/v1/decisions").json() if d["proposal_id"] == pid]
    assert [(d["outcome"], d["reason"]) for d in decided] == [
        ("rejected", "The depot serves two wards")]  # fmt: skip
    page = public.get("/decisions").text
    assert "Close the shared depot" in page and "The depot serves two wards" in page
    for secret in ("A private worry", "Our own reason", "Demo analyst", "Demo board"):
        assert secret not in page and secret not in str(decided)
    assert public.get(f"/api/v1/proposals/{pid}").status_code == 401


def test_a_form_without_its_csrf_token_is_refused(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    pid = new_proposal(app)
    client = signed_in(app, ANALYST_A)
    del client.headers["X-CSRF-Token"]
    answer = client.post(f"/proposals/{pid}/comments", data={"text": "Sneaky"})
    assert answer.status_code == 403 and "expired" in answer.text
    forged = client.post(f"/api/v1/proposals/{pid}/comments", json={"text": "Sneaky"},
                         headers={"X-CSRF-Token": "forged"})  # fmt: skip
    assert forged.status_code == 403
    assert clients["analyst A"].get(f"/api/v1/proposals/{pid}").json()["comments"] == []


def test_inputs_over_their_limits_are_refused_with_a_message(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    a = clients["analyst A"]
    long_title = "x" * (register.LIMITS["title"] + 1)
    page = form(a, "/proposals", title=long_title, summary="ok")
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert "Title must be 200 characters or fewer" in page.text  # type: ignore[attr-defined]
    assert "govuk-error-summary" in page.text  # type: ignore[attr-defined]
    assert form(a, "/proposals", title="", summary="ok").status_code == 400  # type: ignore[attr-defined]
    api = a.post("/api/v1/proposals", json={"title": long_title, "summary": "ok"})
    assert api.status_code == 422 and "title" in str(api.json()["problems"])
    pid = new_proposal(app)
    comment = form(a, f"/proposals/{pid}/comments", text="y" * (register.LIMITS["text"] + 1))
    assert comment.status_code == 400  # type: ignore[attr-defined]
    assert "Comment must be 5000 characters or fewer" in comment.text  # type: ignore[attr-defined]
    huge = form(a, f"/proposals/{pid}/comments", text="z" * 30_000)
    assert huge.status_code == 422  # type: ignore[attr-defined]
    extra = a.post(f"/api/v1/proposals/{pid}/comments", json={"text": "ok", "author": "someone"})
    assert extra.status_code == 422
    assert a.get(f"/api/v1/proposals/{pid}").json()["comments"] == []


def test_a_scenario_is_linked_by_name_and_an_unknown_one_refused(
    clients: dict[str, TestClient],
) -> None:
    a = clients["analyst A"]
    assert "shared-back-office" in a.get("/proposals/new").text
    made = a.post("/api/v1/proposals",
                  json={"title": "Fleet", "summary": "One fleet", "scenario": "shared-back-office"})  # fmt: skip
    assert made.status_code == 201
    page = a.get(f"/proposals/{made.json()['id']}").text
    assert 'href="/scenarios/shared-back-office"' in page
    unknown = form(a, "/proposals", title="Fleet", summary="One", scenario="no-such-scenario")
    assert unknown.status_code == 400 and "Select a scenario" in unknown.text  # type: ignore[attr-defined]


def test_every_change_is_audited(app: FastAPI, clients: dict[str, TestClient]) -> None:
    a, board = clients["analyst A"], clients["board"]
    pid = a.post("/api/v1/proposals", json={"title": "Audited", "summary": "x"}).json()["id"]
    a.post(f"/api/v1/proposals/{pid}/comments", json={"text": "noted"})
    a.post(f"/api/v1/proposals/{pid}/positions", json={"position": "agree"})
    board.post(f"/api/v1/proposals/{pid}/decision", json={"outcome": "agreed", "reason": "ok"})
    with app.state.db.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        mine = [(e.actor, e.action) for e in rows if e.detail.get("proposal") == str(pid)]
    assert mine == [(ANALYST_A, "proposal made"), (ANALYST_A, "comment added"),
                    (ANALYST_A, "position recorded"), (BOARD, "decision recorded")]  # fmt: skip


def test_a_missing_proposal_is_not_found(clients: dict[str, TestClient]) -> None:
    a = clients["analyst A"]
    assert a.get("/proposals/999999").status_code == 404
    assert a.get("/api/v1/proposals/999999").status_code == 404
    assert a.post("/api/v1/proposals/999999/comments", json={"text": "x"}).status_code == 404
    assert (
        a.get(f"/api/v1/proposals/{2**63}").status_code == 422
    )  # no number the database cannot hold
