"""The three journeys of issue 10 in a real browser (Debian's chromium), each page checked by axe and kept
as a screenshot (test-artifacts/screenshots): a partner's analyst uploads a real file and reads the
import report; a board member drills from a theme to a supplier and records a position on a proposal;
a resident balances the budget on a phone."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import (
    Settings,
    axe_check,
    create_app,
    screenshot,
    serve,
    sign_in,
    watch_errors,
)
from totalplace.workspace import Workspace

ANALYST = "analyst@hyndburn.example.org"
BOARD = "board@example.org"


@pytest.fixture
def own_site(web_workspace: Workspace, tmp_path: Path) -> Iterator[str]:
    """Yield the base URL of the app on a private copy of the counted workspace: an import
    changes the sources, which makes the shared copy's count stale for every other test."""
    shutil.copytree(web_workspace.root, tmp_path / "ws")
    settings = Settings(
        workspace=tmp_path / "ws",
        database_url=f"sqlite:///{tmp_path / 'state.sqlite'}",
        secret_key="journey-test-key-not-secret",
        demo=True,
    )
    with serve(create_app(settings)) as url:
        yield url


def test_an_analyst_uploads_a_real_file_and_reads_the_import_report(
    browser: Any, own_site: str, realdata: Path
) -> None:
    # A real Hyndburn file the example does not hold (January 2017), as published.
    ledger = realdata / "lancashire" / "hyndburn_bc" / "hyndburn_2017-01_1701.csv"
    context = browser.new_context(
        base_url=own_site, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = watch_errors(page)
    sign_in(page, ANALYST)
    page.goto("/upload")
    axe_check(page)
    page.set_input_files("#file", str(ledger))
    page.get_by_role("button", name="Upload and import").click()
    page.get_by_text("Import complete").wait_for(timeout=60_000)  # the job page refreshes itself
    report = page.locator("main").inner_text()
    loaded = int(re.search(r"([0-9,]+) rows loaded", report).group(1).replace(",", ""))  # type: ignore[union-attr]
    data_rows = (
        sum(1 for line in ledger.read_bytes().replace(b"\r", b"\n").split(b"\n") if line.strip())
        - 1
    )
    assert 0 < loaded <= data_rows  # every row loaded or quarantined with a reason, never more
    assert "quarantined" in report
    axe_check(page)
    screenshot(page, "journey-upload-report")
    context.close()
    assert not errors, errors


def test_a_board_member_drills_to_a_supplier_and_records_a_position(page: Any) -> None:
    errors = watch_errors(page)
    sign_in(page, BOARD)
    page.goto("/")
    axe_check(page)
    page.get_by_role("link", name="Place and environment").first.click()
    page.get_by_role("heading", level=1).filter(has_text="Place and environment").wait_for()
    page.get_by_role("link", name="Hyndburn Borough Council").first.click()  # the partner
    services = page.locator("table a.govuk-link")
    services.first.click()  # the largest service
    page.locator("caption", has_text="Suppliers paid").wait_for()
    supplier = page.locator("table a.govuk-link").first
    name = supplier.inner_text()
    supplier.click()
    page.get_by_role("heading", level=1).filter(has_text=name).wait_for()
    axe_check(page)
    screenshot(page, "journey-drill-supplier")
    # A proposal, then the board member's organisation records its position on it.
    page.goto("/proposals/new")
    page.fill("#title", "Share one back office")
    page.fill("#summary", "Finance, HR and ICT shared by the three bodies.")
    page.fill("#who_pays", "Each body pays its share of the set-up cost.")
    page.fill("#who_benefits", "Each body saves a share of its back-office spend.")
    page.get_by_role("button", name="Make the proposal").click()
    page.get_by_role("heading", level=1).filter(has_text="Share one back office").wait_for()
    page.get_by_role("radio", name="Agree", exact=True).check()
    page.get_by_role("button", name="Record the position").click()
    table = page.locator("table", has_text="Hyndburn Borough Council")
    table.wait_for()
    assert "Agree" in table.inner_text()
    axe_check(page)
    screenshot(page, "journey-proposal-position")
    assert not errors, errors


def test_a_resident_balances_the_budget_on_a_phone(phone_page: Any) -> None:
    page = phone_page
    errors = watch_errors(page)
    page.goto("/residents")
    axe_check(page)
    page.get_by_role("button", name=re.compile("balancing the budget")).click()
    page.get_by_role("heading", name="Balance the budget").wait_for()
    axe_check(page)
    inputs = page.locator("input[name^='theme-']")
    values = [Decimal(inputs.nth(i).input_value()) for i in range(inputs.count())]
    # Cut the largest theme by a fifth: more than the 5% target overall, above its floor.
    largest = max(range(len(values)), key=lambda i: values[i])
    inputs.nth(largest).fill(f"{values[largest] * Decimal('0.8'):.2f}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the simulator is {width}px wide on a 390px phone"
    page.get_by_role("button", name="Send my plan").click()
    page.get_by_text("Your plan has been sent").wait_for()
    axe_check(page)
    screenshot(page, "journey-simulator-phone")
    assert not errors, errors
