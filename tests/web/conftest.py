"""Fixtures for the web tests: a counted example workspace, the app, the app served, browsers.

- ``web_workspace``: a counted copy of examples/hyndburn (import, classify, count,
  opportunities, the count by ward and integrity), built once per test session.
- ``web_app``: the app on that workspace with an app-state SQLite database in tmp and the
  demo accounts (one per role; tests/web/browser.py DEMO_ACCOUNTS).
- ``served``: the app under uvicorn on a free loopback port; its base URL.
- ``browser``: Debian's chromium, headless; ``page`` (desktop, 1280x900) and
  ``phone_page`` (390x844, touch) open paths relative to ``served`` and each keep a
  full-page screenshot, named for the test, in test-artifacts/screenshots when the test
  ends (TOTALPLACE_SCREENSHOTS moves the folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import (
    Settings,
    chromium_or_skip,
    create_app,
    safe_name,
    screenshot,
    serve,
)
from tests.workspaces import counted_example
from totalplace.workspace import Workspace

#: A fixed key, so cookies made by one fixture (session_cookies) are good for the app.
SECRET_KEY = "web-tests-secret-key-not-for-production-0123456789"


@pytest.fixture(scope="session")
def web_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return a counted copy of the example place with its supplier register (so the review
    queue has pairs), opportunities found after it, its count by ward, integrity checked, its pooled budgets set
    against the count and its outcome files read (as `totalplace count` / `outcomes` do)."""
    from totalplace.count.pooled import pooled
    from totalplace.integrity import integrity
    from totalplace.link import link
    from totalplace.needs import count_by_ward
    from totalplace.opportunities import opportunities

    ws = counted_example(tmp_path_factory.mktemp("web") / "hyndburn")
    link(ws)
    opportunities(ws)  # again: it reads the register link has just made
    count_by_ward(ws)
    integrity(ws)
    pooled(ws)
    _read_outcomes(ws)
    return ws


def _read_outcomes(ws: Workspace) -> None:
    """Read the workspace's outcome files into its warehouse (the pages read them, never load them)."""
    from totalplace.outcomes import ensure_loaded
    from totalplace.warehouse import connect

    con = connect(ws)
    try:
        ensure_loaded(con, ws)
    finally:
        con.disconnect()


@pytest.fixture(scope="session")
def web_settings(web_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Return the app's settings: the counted workspace, a fresh SQLite app state, demo accounts."""
    database = tmp_path_factory.mktemp("app-state") / "app.db"
    return Settings(
        workspace=Path(web_workspace.root),
        database_url=f"sqlite:///{database}",
        secret_key=SECRET_KEY,
        demo=True,
    )


@pytest.fixture(scope="session")
def web_app(web_settings: Any) -> Any:
    """Return the FastAPI app on the counted workspace (one per session: its state persists)."""
    return create_app(web_settings)


@pytest.fixture(scope="session")
def served(web_app: Any) -> Iterator[str]:
    """Yield the base URL of the app served by uvicorn on 127.0.0.1 for the whole session."""
    with serve(web_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Yield headless chromium driven by Playwright (skipped outside CI if chromium is missing)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def _page(browser: Any, served: str, request: pytest.FixtureRequest, suffix: str, **options: Any):
    context = browser.new_context(base_url=served, locale="en-GB", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        if not page.is_closed():
            screenshot(page, safe_name(request.node.name) + suffix)
        context.close()


@pytest.fixture
def page(browser: Any, served: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Yield a desktop-sized page on the served app; a screenshot is kept when the test ends."""
    yield from _page(browser, served, request, "", viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser: Any, served: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Yield a phone-sized page (390x844, touch, mobile); a screenshot is kept when the test ends."""
    yield from _page(
        browser,
        served,
        request,
        "-phone",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
