"""Suppliers and opportunities pages and the review queue: who sees what, decisions in the overrides."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.test_foundation import sign_in, token
from tests.workspaces import counted_example
from totalplace.web import Settings, create_app

ANALYST = "analyst@hyndburn.example.org"
POLICE = "analyst@police.example.org"
ADMIN = "admin@example.org"
BOARD = "board@example.org"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from totalplace.link import link
    from totalplace.opportunities import opportunities

    ws = counted_example(tmp_path_factory.mktemp("suppliers") / "hyndburn")
    link(ws)
    opportunities(ws)  # again: with the register
    return ws.root


def client(root: Path, email: str | None) -> TestClient:
    site = TestClient(create_app(Settings(workspace=root, demo=True)))
    if email:
        sign_in(site, email)
    return site


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        ("/suppliers", None, 303),
        ("/suppliers", BOARD, 200),
        ("/suppliers", ADMIN, 200),
        ("/suppliers", ANALYST, 200),
        ("/suppliers/review", None, 303),
        ("/suppliers/review", BOARD, 403),
        ("/suppliers/review", ADMIN, 403),
        ("/suppliers/review", ANALYST, 200),
        ("/api/v1/suppliers/shared", None, 401),
        ("/api/v1/suppliers/shared", BOARD, 200),
        ("/api/v1/opportunities", None, 401),
        ("/api/v1/opportunities", POLICE, 200),
    ],
)
def test_who_may_see_the_supplier_pages(
    root: Path, path: str, who: str | None, status: int
) -> None:
    assert client(root, who).get(path, follow_redirects=False).status_code == status


def test_the_page_shows_shared_suppliers_categories_and_back_office(root: Path) -> None:
    page = client(root, BOARD).get("/suppliers")
    assert "Suppliers paid by two or more partners" in page.text
    assert "Back office" in page.text and "govuk-table" in page.text
    shared = client(root, BOARD).get("/api/v1/suppliers/shared").json()
    assert shared["shared_suppliers"]
    first = shared["shared_suppliers"][0]
    assert first["amount"] is None or re.fullmatch(r"-?\d+\.\d\d", first["amount"])
    summary = client(root, BOARD).get("/api/v1/opportunities").json()
    assert summary["back_office"] and summary["categories"]


def test_a_review_decision_lands_in_the_overrides_file(root: Path) -> None:
    site = client(root, ANALYST)
    page = site.get("/suppliers/review").text
    pairs = re.findall(r'name="pair" value="(P[0-9a-f]{8})"', page)
    if not pairs:
        pytest.skip("the example's register has no uncertain pair")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = site.post(
        "/suppliers/review",
        data={"pair": pairs[0], "decision": "different", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    overrides = (root / "supplier_overrides.toml").read_text()
    assert f"[[apart]]  # review pair {pairs[0]}" in overrides
    assert pairs[0] not in site.get("/suppliers/review").text.split("pairs to review")[1]
    board = client(root, BOARD)
    refused = board.post(
        "/suppliers/review", data={"pair": pairs[1] if len(pairs) > 1 else pairs[0],
                                   "decision": "same", "csrf_token": token(board, "/sign-out")},
    )  # fmt: skip
    assert refused.status_code == 403
