"""People administration: only administrators reach /admin; an invitation's one-time link
sets a password once and expires; deactivated people cannot sign in; the audit log pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.web.test_proposals import ROLES, csrf, form, outcome, signed_in
from tests.workspaces import EXAMPLE
from totalplace.web import Settings, create_app, invites
from totalplace.web.people import audit
from totalplace.web.state import AuditEvent, Invitation, Organisation, Person

LOGIN = "sign-in"
NEW_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """Return the service on a copy of the example (nothing imported), with demo accounts."""
    root = tmp_path_factory.mktemp("admin") / "ws"
    shutil.copytree(EXAMPLE, root)
    return create_app(Settings(workspace=root, demo=True, secret_key="test-only-key"))


@pytest.fixture(scope="module")
def clients(app: FastAPI) -> dict[str, TestClient]:
    """Return a client for each role, signed in once."""
    return {role: signed_in(app, email) for role, email in ROLES.items()}


_count = iter(range(1_000_000))


def email() -> str:
    return f"person{next(_count)}@example.org"


def throwaway(app: FastAPI) -> int:
    """Return the id of a newly invited board member (to deactivate)."""
    with app.state.db.session() as session:
        return invites.invite(session, "test", email(), "Someone", "board", None)[0]


Request = Callable[[FastAPI, TestClient], object]
ADMIN_ONLY = (LOGIN, 403, 403, 403)
CASES: dict[str, tuple[Request, tuple[object, ...]]] = {
    "GET /admin": (lambda a, c: c.get("/admin", follow_redirects=False), (*ADMIN_ONLY, 200)),
    "GET /admin/people/invite": (
        lambda a, c: c.get("/admin/people/invite", follow_redirects=False), (*ADMIN_ONLY, 200)),
    "POST /admin/people/invite": (
        lambda a, c: form(c, "/admin/people/invite", email=email(), name="New person",
                          role="board", organisation=""), (*ADMIN_ONLY, 200)),
    "POST /admin/organisations": (
        lambda a, c: form(c, "/admin/organisations", name=f"Secretariat {next(_count)}"),
        (*ADMIN_ONLY, 303)),
    "POST /admin/people/{id}/deactivate": (
        lambda a, c: form(c, f"/admin/people/{throwaway(a)}/deactivate"), (*ADMIN_ONLY, 303)),
    "POST /admin/people/{id}/new-link": (
        lambda a, c: form(c, f"/admin/people/{throwaway(a)}/new-link"), (*ADMIN_ONLY, 200)),
    "GET /admin/audit": (
        lambda a, c: c.get("/admin/audit", follow_redirects=False), (*ADMIN_ONLY, 200)),
    "GET /set-password (no valid link)": (
        lambda a, c: c.get("/set-password?token=not-a-real-token"), (400,) * 5),
}  # fmt: skip


@pytest.mark.parametrize("route", list(CASES))
@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_gets_exactly_what_it_should(
    app: FastAPI, clients: dict[str, TestClient], route: str, role: str
) -> None:
    call, expected = CASES[route]
    assert outcome(call(app, clients[role])) == expected[list(ROLES).index(role)]


def test_the_admin_page_offers_the_partners_not_yet_added(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    admin = clients["administrator"]
    page = admin.get("/admin").text
    partners = [p.name for p in app.state.workspace.partners]
    with app.state.db.session() as session:
        linked = set(session.scalars(select(Organisation.partner)).all())
    missing = [p for p in partners if p not in linked]
    assert missing and all(f'name="partner" value="{p}"' in page for p in missing)
    assert form(admin, "/admin/organisations", partner=missing[0]).status_code == 303  # type: ignore[attr-defined]
    with app.state.db.session() as session:
        made = session.scalar(select(Organisation).where(Organisation.name == missing[0]))
        assert made is not None and made.partner == missing[0]
    assert f'name="partner" value="{missing[0]}"' not in admin.get("/admin").text
    forged = form(admin, "/admin/organisations", partner="Not a partner of this place")
    assert forged.status_code == 400  # type: ignore[attr-defined]
    too_long = form(admin, "/admin/organisations", name="x" * 201)
    assert too_long.status_code == 400 and "200 characters" in too_long.text  # type: ignore[attr-defined]


def test_an_invitation_sets_a_password_once_and_then_the_person_signs_in(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    admin, address = clients["administrator"], email()
    with app.state.db.session() as session:
        org = session.scalar(select(Organisation.id).where(Organisation.partner.is_not(None)))
    page = form(admin, "/admin/people/invite", email=address, name="Pat Analyst", role="analyst",
                organisation=str(org))  # fmt: skip
    token = re.search(r"/set-password\?token=([\w-]+)", page.text).group(1)  # type: ignore[attr-defined, union-attr]
    with app.state.db.session() as session:
        stored = session.scalars(select(Invitation.token_hash)).all()
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored
    before = TestClient(app)  # no password yet: no sign-in with anything
    assert signed_in_status(before, address, "") == 400
    stranger = TestClient(app)
    assert stranger.get(f"/set-password?token={token}").status_code == 200
    short = set_password(stranger, token, "too short", "too short")
    assert short.status_code == 400 and "at least 12 characters" in short.text
    differ = set_password(stranger, token, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert differ.status_code == 400 and "same password twice" in differ.text
    done = set_password(stranger, token, NEW_PASSWORD, NEW_PASSWORD)
    assert done.status_code == 200 and "Your password is set" in done.text
    again = set_password(TestClient(app), token, "another long password", "another long password")
    assert again.status_code == 400 and "already been used" in again.text
    assert TestClient(app).get(f"/set-password?token={token}").status_code == 400
    person = signed_in(app, address, NEW_PASSWORD)
    me = person.get("/api/v1/me").json()
    assert me["role"] == "analyst" and me["name"] == "Pat Analyst" and me["partner"]


def test_a_new_link_replaces_a_lost_one_for_someone_without_a_password(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    admin = clients["administrator"]
    with app.state.db.session() as session:
        pid, old = invites.invite(session, "test", email(), "Forgetful", "board", None)
    page = form(admin, f"/admin/people/{pid}/new-link")
    assert page.status_code == 200 and "New link made" in page.text  # type: ignore[attr-defined]
    token = re.search(r"/set-password\?token=([\w-]+)", page.text).group(1)  # type: ignore[attr-defined, union-attr]
    assert TestClient(app).get(f"/set-password?token={old}").status_code == 400
    assert set_password(TestClient(app), token, NEW_PASSWORD, NEW_PASSWORD).status_code == 200
    again = form(admin, f"/admin/people/{pid}/new-link")  # has a password now: no new link
    assert again.status_code == 400 and "not chosen a password" in again.text  # type: ignore[attr-defined]


def test_an_expired_link_does_nothing(app: FastAPI, clients: dict[str, TestClient]) -> None:
    address = email()
    page = form(clients["administrator"], "/admin/people/invite", email=address, name="Late",
                role="board", organisation="")  # fmt: skip
    token = re.search(r"/set-password\?token=([\w-]+)", page.text).group(1)  # type: ignore[attr-defined, union-attr]
    with app.state.db.session() as session:
        session.execute(update(Invitation).where(
            Invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        ).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))  # fmt: skip
    assert TestClient(app).get(f"/set-password?token={token}").status_code == 400
    late = set_password(TestClient(app), token, NEW_PASSWORD, NEW_PASSWORD)
    assert late.status_code == 400 and "expired" in late.text
    assert signed_in_status(TestClient(app), address, NEW_PASSWORD) == 400


def test_invitations_are_checked(app: FastAPI, clients: dict[str, TestClient]) -> None:
    admin = clients["administrator"]
    for data, message in [
        ({"email": "not-an-email", "name": "X", "role": "board"}, "correct format"),
        ({"email": email(), "name": "X" * 201, "role": "board"}, "200 characters or fewer"),
        ({"email": email(), "name": "X", "role": "owner"}, "Select a role"),
        ({"email": email(), "name": "X", "role": "analyst"}, "partner organisation"),
        ({"email": "admin@example.org", "name": "X", "role": "board"}, "already has an account"),
        (
            {"email": email(), "name": "X", "role": "analyst", "organisation": "9" * 20},
            "partner organisation",
        ),
        (
            {"email": email(), "name": "X", "role": "analyst", "organisation": "²"},
            "partner organisation",
        ),
    ]:
        page = form(admin, "/admin/people/invite", **{"organisation": "", **data})
        assert page.status_code == 400 and message in page.text, message  # type: ignore[attr-defined]


def test_a_deactivated_person_cannot_sign_in_and_their_session_ends(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    address = email()
    with app.state.db.session() as session:
        pid, token = invites.invite(session, "test", address, "Soon gone", "board", None)
    set_password(TestClient(app), token, NEW_PASSWORD, NEW_PASSWORD)
    person = signed_in(app, address, NEW_PASSWORD)
    assert person.get("/api/v1/proposals").status_code == 200
    admin = clients["administrator"]
    assert form(admin, f"/admin/people/{pid}/deactivate").status_code == 303  # type: ignore[attr-defined]
    assert person.get("/api/v1/proposals").status_code == 401
    assert signed_in_status(TestClient(app), address, NEW_PASSWORD) == 400
    assert "Deactivated" in admin.get("/admin").text
    with app.state.db.session() as session:
        me = session.scalar(select(Person.id).where(Person.email == "admin@example.org"))
    assert form(admin, f"/admin/people/{2**40}/deactivate").status_code == 422  # type: ignore[attr-defined]
    own = form(admin, f"/admin/people/{me}/deactivate")
    assert own.status_code == 400 and "your own account" in own.text  # type: ignore[attr-defined]


def test_changes_are_audited_and_the_log_pages(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    address = email()
    admin = clients["administrator"]
    form(admin, "/admin/people/invite", email=address, name="Audited", role="board",
         organisation="")  # fmt: skip
    with app.state.db.session() as session:
        pid = session.scalar(select(Person.id).where(Person.email == address))
    form(admin, f"/admin/people/{pid}/deactivate")
    with app.state.db.session() as session:
        actions = [(e.actor, e.action) for e in session.scalars(select(AuditEvent)).all()
                   if e.detail.get("email") == address]  # fmt: skip
        assert actions == [("admin@example.org", "person invited"),
                           ("admin@example.org", "person deactivated")]  # fmt: skip
        for n in range(120):
            audit(session, "test", "filler", n=n)
    first = admin.get("/admin/audit").text
    assert "page 1 of" in first and first.count("govuk-table__row") == 51  # a header row and 50
    assert "filler" in first and 'href="/admin/audit?page=2"' in first
    last = admin.get("/admin/audit?page=99999").text  # clamped to the last page
    assert "Previous" in last and "Next" not in last
    assert admin.get("/admin/audit?page=0").status_code == 422


def set_password(client: TestClient, token: str, password: str, confirm: str) -> object:
    return client.post("/set-password", data={"token": token, "password": password,
                       "confirm": confirm, "csrf_token": csrf(client, "/sign-in")})  # fmt: skip


def signed_in_status(client: TestClient, address: str, password: str) -> int:
    answer = client.post("/sign-in", follow_redirects=False, data={
        "email": address, "password": password, "csrf_token": csrf(client, "/sign-in")})  # fmt: skip
    return int(answer.status_code)
