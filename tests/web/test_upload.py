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
    return (
        [p for p in (root / "uploads").rglob("*") if p.is_file()]
        if (root / "uploads").exists()
        else []
    )


def test_an_analyst_uploads_a_month_and_sees_the_same_rows_as_the_cli(
    site: TestClient, tmp_path: Path
) -> None:
    sign_in(site, ANALYST)
    answer = upload(site, "hyndburn_2024-04.csv", MONTH.read_bytes())
    assert answer.status_code == 303
    page = site.get(answer.headers["location"])
    assert page.status_code == 200 and "Import complete" in page.text
    job_id = answer.headers["location"].rsplit("/", 1)[1]
    status = site.get(f"/api/v1/imports/{job_id}").json()
    shutil.copytree(EXAMPLE, tmp_path / "cli")
    cli = import_files(
        open_workspace(tmp_path / "cli"),
        HBC,
        [tmp_path / "cli" / "data" / "hyndburn_bc" / MONTH.name],
    )
    assert status["status"] == "done"
    assert status["totals"]["rows_loaded"] == sum(r.rows_loaded for r in cli) > 0
    assert status["totals"]["rows_quarantined"] == sum(r.rows_quarantined for r in cli)
    assert status["totals"]["amount_loaded"] == f"{sum(r.amount_loaded for r in cli):.2f}"
    [saved] = uploads_of(site)
    assert (
        saved.parent.name == "hyndburn-borough-council" and saved.read_bytes() == MONTH.read_bytes()
    )
    if status["totals"]["rows_quarantined"]:
        rows = site.get(f"/upload/{job_id}/quarantine")
        assert rows.status_code == 200 and "blank row" in rows.text


def test_a_file_over_the_limit_is_refused_with_a_message_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    site = _site(tmp_path / "ws", upload_limit=10_000)
    sign_in(site, ANALYST)
    answer = upload(site, "hyndburn_2024-04.csv", MONTH.read_bytes())
    assert answer.status_code == 413 and "smaller than" in answer.text
    assert uploads_of(site) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", b"MZ\x90\x00" + bytes(2000), "must be a CSV, XLSX, XLS, ODS or ZIP"),
        ("notes.txt", b"just some words\n", "must be a CSV, XLSX, XLS, ODS or ZIP"),
        ("ledger.csv", b"MZ\x90\x00" + bytes(2000), "binary"),
        ("ledger.xlsx", b"date,amount\n2024-04-01,1.00\n", "contents are CSV"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_with_a_message_and_nothing_is_stored(
    site: TestClient, name: str, data: bytes, message: str
) -> None:
    sign_in(site, ANALYST)
    answer = upload(site, name, data)
    assert answer.status_code == 400 and message in answer.text
    assert "govuk-error-summary" in answer.text
    assert uploads_of(site) == []


def test_an_analyst_cannot_upload_for_another_partner_nor_see_its_uploads(site: TestClient) -> None:
    sign_in(site, ANALYST)
    assert upload(site, "m.csv", MONTH.read_bytes(), partner=PCC).status_code == 403
    assert uploads_of(site) == []
    mine = upload(site, "m.csv", MONTH.read_bytes()).headers["location"]
    job_id = mine.rsplit("/", 1)[1]
    site.post("/sign-out", headers={"X-CSRF-Token": token(site, "/sign-out")})
    sign_in(site, POLICE)
    for path in (mine, f"{mine}/quarantine", f"{mine}/status", f"/api/v1/imports/{job_id}"):
        assert site.get(path).status_code == 404, path


def test_an_administrator_uploads_for_a_partner_they_name(site: TestClient) -> None:
    sign_in(site, ADMIN)
    assert upload(site, "m.csv", MONTH.read_bytes()).status_code == 400  # no partner chosen
    answer = upload(site, "m.csv", MONTH.read_bytes(), partner=HBC)
    assert (
        answer.status_code == 303 and "Import complete" in site.get(answer.headers["location"]).text
    )
    # administrators see no partner's transactions: not the quarantined rows either
    assert site.get(answer.headers["location"] + "/quarantine").status_code == 403


def test_the_public_and_the_board_cannot_upload(site: TestClient) -> None:
    assert site.get("/upload", follow_redirects=False).status_code == 303
    assert site.post("/api/v1/uploads", files={"file": ("m.csv", b"x")},
                     headers={"X-CSRF-Token": token(site)}).status_code == 401  # fmt: skip
    sign_in(site, BOARD)
    assert site.get("/upload").status_code == 403
    assert site.post("/api/v1/uploads", files={"file": ("m.csv", b"x")},
                     headers={"X-CSRF-Token": token(site, "/sign-out")}).status_code == 403  # fmt: skip
    assert uploads_of(site) == []


def test_the_api_uploads_and_reports_the_import(site: TestClient) -> None:
    sign_in(site, ANALYST)
    answer = site.post(
        "/api/v1/uploads",
        files={"file": ("m.csv", MONTH.read_bytes(), "text/csv")},
        headers={"X-CSRF-Token": token(site, "/sign-out")},
    )
    assert answer.status_code == 202
    job = site.get(answer.json()["status_url"]).json()
    assert job["status"] == "done" and int(job["totals"]["rows_loaded"]) > 0
    assert site.post("/api/v1/uploads", files={"file": ("x.exe", b"MZ")},
                     headers={"X-CSRF-Token": token(site, "/sign-out")}).status_code == 400  # fmt: skip


def test_a_file_whose_columns_are_not_recognised_leads_to_the_profile_form_and_then_imports(
    site: TestClient,
) -> None:
    # No header and two money columns (net and gross): the values alone cannot say which.
    lines = [
        f"0{d % 9 + 1}/04/2024,SUPPLIER {d} LTD,{d * 10}.50,REF{d},{d * 12}.60"
        for d in range(1, 30)
    ]
    sign_in(site, ANALYST)
    answer = upload(site, "no-header.csv", ("\n".join(lines) + "\n").encode())
    page = site.get(answer.headers["location"])
    assert "were not recognised" in page.text
    job_id = answer.headers["location"].rsplit("/", 1)[1]
    form = site.get(f"/upload/{job_id}/profile")
    assert form.status_code == 200 and "SUPPLIER 1 LTD" in form.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    missing = site.post(f"/upload/{job_id}/profile", data={"csrf_token": csrf, "date": "0"})
    assert missing.status_code == 400 and "Select the column that holds the amount" in missing.text
    done = site.post(
        f"/upload/{job_id}/profile",
        data={"csrf_token": csrf, "date": "0", "supplier_name": "1", "amount": "2"},
    )
    assert done.status_code == 200 and "Import complete" in done.text
    job = site.get(f"/api/v1/imports/{job_id}").json()
    assert job["totals"]["rows_loaded"] == 29
    place = (site.app.state.workspace.root / "place.toml").read_text()  # type: ignore[attr-defined]
    assert "[[partners.profiles]]" in place and "no-header.csv" in place
    assert open_workspace(site.app.state.workspace.root).partner(HBC).profiles  # type: ignore[attr-defined,union-attr]


def test_uploads_and_their_results_are_audited(site: TestClient, tmp_path: Path) -> None:
    import sqlite3

    sign_in(site, ANALYST)
    upload(site, "m.csv", MONTH.read_bytes())
    upload(site, "x.exe", b"MZ")
    actions = [a for (a,) in sqlite3.connect(tmp_path / "ws" / ".totalplace" / "web.sqlite")
               .execute("SELECT action FROM audit_events")]  # fmt: skip
    assert {"uploaded", "import finished", "upload refused"} <= set(actions)
