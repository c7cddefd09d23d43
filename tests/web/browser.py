"""Helpers for the web tests: the app's interface, a served copy, signing in, axe, screenshots.

Browser journeys use the fixtures in tests/web/conftest.py (``served``, ``page``,
``phone_page``) and these functions::

    from tests.web.browser import axe_check, screenshot, sign_in

    def test_board_member_drills_down(page):
        sign_in(page, "board@example.org")
        page.goto("/")
        axe_check(page)
        screenshot(page, "overview-board")   # the page fixture also keeps one at the end

Pages are opened by path: the browser contexts carry the served app's base URL.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from totalplace.web import Settings, create_app
from totalplace.web.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

__all__ = [
    "CHROMIUM",
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "SCREENSHOTS",
    "Settings",
    "axe_check",
    "create_app",
    "screenshot",
    "serve",
    "session_cookies",
    "sign_in",
    "watch_errors",
]

ROOT = Path(__file__).resolve().parents[2]
#: Debian's chromium; Playwright cannot download its own browsers here.
CHROMIUM = Path(os.environ.get("TOTALPLACE_CHROMIUM", "/usr/bin/chromium"))
#: Where every browser test keeps its full-page PNGs (git-ignored; CI keeps them as artefacts).
SCREENSHOTS = Path(
    os.environ.get("TOTALPLACE_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots")
)
#: axe impacts that fail a test; "minor" and "moderate" ones are left to review.
BLOCKING_IMPACTS = ("serious", "critical")


@contextmanager
def serve(app: Any, *, timeout: float = 20.0) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port in a thread; yield its base URL.

    The socket is bound here (port 0) and handed to uvicorn, so no other process can
    take the port between choosing and listening. Stops with ``should_exit`` and joins.
    """
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the web app did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


def chromium_or_skip() -> Path:
    """Return Debian's chromium; skip outside CI if it is missing, fail under CI=true."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = (
        f"chromium not found at {CHROMIUM}: the browser tests drive Debian's chromium "
        "(bash scripts/install-browser.sh as root, or set TOTALPLACE_CHROMIUM)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


def sign_in(page: Any, email: str, password: str | None = None) -> None:
    """Sign ``page`` in through the sign-in form as a demo account; raise if refused."""
    if email not in DEMO_ACCOUNTS and password is None:
        raise ValueError(f"{email} is not a demo account: {sorted(DEMO_ACCOUNTS)}")
    page.goto("/sign-in")
    page.locator('input[name="email"]').fill(email)
    password_box = page.locator('input[name="password"]')
    password_box.fill(password if password is not None else DEMO_PASSWORD)
    with page.expect_navigation():
        password_box.press("Enter")
    if page.url.rstrip("/").endswith("/sign-in"):
        text = page.locator("main").inner_text()
        raise AssertionError(f"sign-in as {email} refused: {text[:500]}")


def session_cookies(app: Any, email: str) -> dict[str, str]:
    """Return the cookies of ``email`` (a demo account) signed in to ``app`` in process.

    For tests that call the ASGI app without a browser (schemathesis, the API tests).
    HTTPS so that cookies marked Secure come back to the sign-in POST.
    """
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver") as client:
        form = client.get("/sign-in")
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', form.text
        )
        assert match, f"no csrf_token field on /sign-in ({form.status_code})"
        answer = client.post(
            "/sign-in",
            data={"email": email, "password": DEMO_PASSWORD, "csrf_token": match.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code in (302, 303), (
            f"sign-in as {email}: {answer.status_code} {answer.text[:300]}"
        )
        return {cookie.name: cookie.value or "" for cookie in client.cookies.jar}


def axe_check(page: Any, context: Any = None, options: dict[str, Any] | None = None) -> None:
    """Run axe-core on the page as it stands; fail listing each serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context, options=options or {"resultTypes": ["violations"]})
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [f"axe: {len(blocking)} serious or critical violation(s) on {page.url}"]
    for violation in blocking:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    raise AssertionError("\n".join(lines))


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG of ``page`` as SCREENSHOTS/NAME.png; return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe_name(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def safe_name(name: str) -> str:
    """Return ``name`` (e.g. a parametrised test id) as a file name: letters, digits, - _ ."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"


def watch_errors(page: Any) -> list[str]:
    """Return a list that fills with the page's script errors and console errors (CSP refusals)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))

    def on_console(message: Any) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            errors.append(f"console: {message.text} ({where})")

    page.on("console", on_console)
    return errors
