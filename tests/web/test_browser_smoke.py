"""Each page the foundation serves loads in chromium, looks like a GOV.UK service and passes axe.

For every page: a 200 answer, a GOV.UK header, a skip link to the main content that
works from the keyboard, one h1, no script or CSP errors, no serious or critical axe
violations, and a full-page screenshot kept (test-artifacts/screenshots).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import DEMO_ACCOUNTS, axe_check, serve, sign_in, watch_errors

#: (path, demo account to sign in as or None for anonymous); the id names the screenshot.
PAGES = [
    pytest.param("/sign-in", None, id="sign-in"),
    pytest.param("/residents", None, id="residents"),
    pytest.param("/accessibility", None, id="accessibility"),
    pytest.param("/", "board@example.org", id="overview-board"),
    pytest.param("/", "analyst@hyndburn.example.org", id="overview-analyst"),
    pytest.param("/", None, id="overview-public"),
    pytest.param("/drill?theme=Community+safety", "board@example.org", id="drill-theme"),
    pytest.param(
        "/drill?theme=Community+safety&partner=Lancashire+Fire+and+Rescue+Service",
        "analyst@hyndburn.example.org",
        id="drill-other-partner",
    ),
    pytest.param("/wards", None, id="wards"),
    pytest.param("/residents/simulator", None, id="simulator"),
    pytest.param("/residents/responses", "board@example.org", id="responses"),
    pytest.param("/suppliers", "board@example.org", id="suppliers"),
    pytest.param("/suppliers/review", "analyst@hyndburn.example.org", id="supplier-review"),
    pytest.param("/integrity", "analyst@hyndburn.example.org", id="integrity-analyst"),
    pytest.param("/integrity", "board@example.org", id="integrity-board"),
    pytest.param("/upload", "analyst@hyndburn.example.org", id="upload"),
    pytest.param("/scenarios", "board@example.org", id="scenarios"),
    pytest.param("/scenarios/shared-back-office", "board@example.org", id="scenario"),
    pytest.param(
        "/scenarios/compare?name=shared-back-office&name=early-help-for-families",
        "board@example.org",
        id="scenario-compare",
    ),
    pytest.param(
        "/scenarios/shared-back-office/build", "analyst@hyndburn.example.org", id="scenario-builder"
    ),
    pytest.param("/board-pack", "board@example.org", id="board-pack"),
    pytest.param("/proposals", "board@example.org", id="proposals"),
    pytest.param("/proposals/new", "analyst@hyndburn.example.org", id="proposal-new"),
    pytest.param("/decisions", None, id="decisions"),
    pytest.param("/admin", "admin@example.org", id="admin"),
    pytest.param("/admin/people/invite", "admin@example.org", id="admin-invite"),
    pytest.param("/admin/audit", "admin@example.org", id="admin-audit"),
    pytest.param("/api/v1/docs", None, id="api-docs"),
    pytest.param("/trends", "analyst@hyndburn.example.org", id="trends-analyst"),
    pytest.param("/trends", None, id="trends-public"),
    pytest.param("/outcomes", None, id="outcomes"),
    pytest.param("/journeys", "board@example.org", id="journeys"),
    pytest.param("/journeys/older-people-after-a-fall", "board@example.org", id="journey"),
]


def _check_page(page: Any, path: str) -> None:
    errors = watch_errors(page)
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    # GOV.UK Frontend 6: the template's header landmark holds the (generic) header.
    header = page.locator("header.govuk-template__header, header.govuk-header")
    assert header.count() == 1, f"{path}: no GOV.UK header"
    # GOV.UK Frontend's stylesheet is applied, not just its class names: its page width.
    width = page.locator(".govuk-width-container").first.evaluate(
        "element => getComputedStyle(element).maxWidth"
    )
    assert width == "960px", f"{path}: GOV.UK Frontend's styles are not applied ({width})"
    skip = page.locator("a.govuk-skip-link")
    assert skip.count() == 1, f"{path}: no skip link"
    target = skip.get_attribute("href") or ""
    assert target.startswith("#") and page.locator(target).count() == 1, (
        f"{path}: the skip link points at {target!r}, which is not on the page"
    )
    assert page.locator("h1").count() == 1, f"{path}: expected one h1"
    assert page.title().strip(), f"{path}: no title"
    # The skip link is the first thing a keyboard user reaches.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement && document.activeElement.className")
    assert "govuk-skip-link" in (focused or ""), f"{path}: Tab first reaches {focused!r}"
    page.evaluate("document.activeElement.blur()")  # screenshots show the page at rest
    axe_check(page)
    assert not errors, f"{path}: " + "; ".join(errors)


@pytest.mark.parametrize(("path", "account"), PAGES)
def test_page_loads_and_is_accessible(page: Any, path: str, account: str | None) -> None:
    if account is not None:
        assert account in DEMO_ACCOUNTS
        sign_in(page, account)
    _check_page(page, path)


def test_an_integrity_finding_page_is_accessible(page: Any) -> None:
    sign_in(page, "analyst@hyndburn.example.org")
    page.goto("/integrity")
    link = page.locator('a[href^="/integrity/"]:not([href^="/integrity/download"])').first
    _check_page(page, link.get_attribute("href"))


@pytest.mark.parametrize("path", ["/residents", "/sign-in"])
def test_public_page_on_a_phone(phone_page: Any, path: str) -> None:
    _check_page(phone_page, path)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path}: the page is {width}px wide on a 390px phone (sideways scroll)"


def test_axe_check_reports_a_serious_violation(page: Any) -> None:
    """The harness itself: a page with an unlabelled image and input fails axe_check, readably."""
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>t</h1><img src="data:,">'
        '<input type="text"></main></html>'
    )
    with pytest.raises(AssertionError) as failure:
        axe_check(page)
    assert "image-alt (critical)" in str(failure.value)
    assert "label (critical)" in str(failure.value)


def test_serve_answers_on_loopback_and_stops() -> None:
    """The harness itself: serve() listens on 127.0.0.1 only and frees its port when done."""
    import threading

    import httpx
    from fastapi import FastAPI

    tiny = FastAPI()
    tiny.get("/ping")(lambda: {"pong": True})
    before = set(threading.enumerate())
    with serve(tiny) as url:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url + "/ping").json() == {"pong": True}
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/ping", timeout=2)
    assert set(threading.enumerate()) <= before, "the server thread is still running"
