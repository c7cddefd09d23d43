"""The app state on PostgreSQL (a partnership's server): the same migrations, sign-in and register."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from tests.engines import PostgresServer
from tests.workspaces import EXAMPLE
from totalplace.web import Settings, create_app
from totalplace.web.demo import DEMO_PASSWORD
from totalplace.web.state import Database


def test_the_app_state_migrates_and_serves_on_postgresql(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.new_url().replace("postgresql://", "postgresql+psycopg://", 1)
    Database(url).close()
    Database(url).close()  # the second run finds the schema current
    shutil.copytree(EXAMPLE, tmp_path / "ws")
    site = TestClient(create_app(Settings(workspace=tmp_path / "ws", database_url=url, demo=True)))
    token = re.search(r'name="csrf_token" value="([^"]+)"', site.get("/sign-in").text).group(1)  # type: ignore[union-attr]
    signed = site.post("/sign-in", data={"email": "board@example.org", "password": DEMO_PASSWORD, "csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303
    # signing in starts a new session, with its own CSRF token
    token = re.search(r'name="csrf_token" value="([^"]+)"', site.get("/sign-out").text).group(1)  # type: ignore[union-attr]
    made = site.post("/api/v1/proposals", json={"title": "Share a back office", "summary": "Finance and HR"},
                     headers={"X-CSRF-Token": token})  # fmt: skip
    assert made.status_code == 201, made.text
    assert [p["title"] for p in site.get("/api/v1/proposals").json()] == ["Share a back office"]
