"""Upload and import in the browser: the CLI's import behind a form, its report, quarantine, the
column-profile form, and who may do what."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.test_foundation import sign_in, token
from tests.workspaces import EXAMPLE
from totalplace.ingest import import_files
from totalplace.web import Settings, create_app
from totalplace.workspace import open_workspace

HBC = "Hyndburn Borough Council"
PCC = "Lancashire Police and Crime Commissioner"
ANALYST = "analyst@hyndburn.example.org"
POLICE = "analyst@police.example.org"
ADMIN = "admin@example.org"
BOARD = "board@example.org"
MONTH = EXAMPLE / "data" / "hyndburn_bc" / "hyndburn_2024-04.csv"


def _site(root: Path, **settings: object) -> TestClient:
    shutil.copytree(EXAMPLE, root)
    return TestClient(create_app(Settings(workspace=root, demo=True, **settings)))  # type: ignore[arg-type]


@pytest.fixture
def site(tmp_path: Path) -> TestClient:
    return _site(tmp_path / "ws")


def upload(client: TestClient, name: str, data: bytes, partner: str | None = None):
    found = re.search(r'action="/upload\?csrf_token=([^"&]+)"', client.get("/upload").text)
    assert found, "the upload form carries no CSRF token in its action"
    csrf = found.group(1)
    return client.post(
        f"/upload?csrf_token={csrf}",
        files={"file": (name, data, "application/octet-stream")},
        data={"partner": partner} if partner else {},
        follow_redirects=False,
    )


def uploads_of(client: TestClient) -> list[Path]:
    root = client.app.state.workspace.root  # type: ignore[attr-defined]
    return [p for p in (root / "uploads").rglob("*") if p.is_file()] if (root / "uploads").exists() else []


def test_an_analyst_uploads_a_month_and_sees_the_same_rows_as_the_cli(site: TestClient, tmp_path: Path) -> None:
    sign_in(site, ANALYST)
    answer = upload(site, "hyndburn_2024-04.csv", MONTH.read_bytes())
    assert answer.status_code == 303
    page = site.get(answer.headers["location"])
    assert page.status_code == 200 and "Import complete" in page.text
    job_id = answer.headers["location"].rsplit("/", 1)[1]
    status = site.get(f"/api/v1/imports/{job_id}").json()
    shutil.copytree(EXAMPLE, tmp_path / "cli")
    cli = import_files(open_workspace(tmp_path / "cli"), HBC, [tmp_path / "cli" / "data" / "hyndburn_bc" / MONTH.name])
    assert status["status"] == "done"
    assert status["totals"]["rows_loaded"] == sum(r.rows_loaded for r in cli) > 0
    assert status["totals"]["rows_quarantined"] == sum(r.rows_quarantined for r in cli)
    assert status["totals"]["amount_loaded"] == f"{sum(r.amount_loaded for r in cli):.2f}"
    [saved] = uploads_of(site)
    assert saved.parent.name == "hyndburn-borough-council" and saved.read_bytes() == MONTH.read_bytes()
    if status["totals"]["rows_quarantined"]:
        rows = site.get(f"/upload/{job_id}/quarantine")
        assert rows.status_code == 200 and "blank row" in rows.text
