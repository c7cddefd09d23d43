"""The payment integrity page, a finding's page, the download and the API: who sees what.

Expectations are read from the integrity tables with plain SQL (never through the view
code), so the tests hold whatever detectors the stage runs: an analyst of Hyndburn sees
exactly the findings whose partners include Hyndburn, their own transactions and no other
partner's; the board reads the summary and totals only; suppression leaves no cell to be
worked out by subtraction (checked on hand-made and generated totals).
"""

from __future__ import annotations

import io
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.web.test_foundation import sign_in
from totalplace.web import Settings, create_app
from totalplace.web.access import Viewer
from totalplace.web.views import integrity as view
from totalplace.workspace import Workspace

HYNDBURN = "analyst@hyndburn.example.org"
POLICE = "analyst@police.example.org"
ADMIN = "admin@example.org"
BOARD = "board@example.org"
OWN = "hyndburn-borough-council"


@pytest.fixture(scope="module")
def app(web_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Any:
    state = tmp_path_factory.mktemp("integrity-state") / "app.db"
    return create_app(Settings(workspace=web_workspace.root, database_url=f"sqlite:///{state}",
                               demo=True))  # fmt: skip


def client(app: Any, email: str | None) -> TestClient:
    site = TestClient(app, raise_server_exceptions=False)
    if email:
        sign_in(site, email)
    return site


@pytest.fixture(scope="module")
def tables(web_workspace: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Return the integrity tables and the transactions' partners, read with plain SQL."""
    con = duckdb.connect(str(web_workspace.warehouse_path), read_only=True)
    try:

        def rows(sql: str) -> list[dict[str, Any]]:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

        return {
            "findings": rows("select * from integrity_findings"),
            "members": rows(
                "select m.*, t.source_file, t.supplier_name from integrity_members m "
                "join transactions t using (txn_key)"
            ),  # fmt: skip
        }
    finally:
        con.close()


def _involves(finding: dict[str, Any], slug: str) -> bool:
    return slug in finding["partners"].split(", ")


def _mine(tables: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in tables["findings"] if _involves(f, OWN)]


def _known_as(finding: dict[str, Any], tables: dict[str, Any]) -> str:
    """Return a finding's id as Hyndburn knows it: the stage's for its own findings; for one
    across partners, the detector and Hyndburn's first payment in it (the stage's id names the
    finding's first payment, which may be another partner's source row)."""
    if finding["partners"] == OWN:
        return str(finding["finding_id"])
    own = [m["txn_key"] for m in tables["members"]
           if m["finding_id"] == finding["finding_id"] and m["partner"] == OWN]  # fmt: skip
    return f"{finding['detector']}:{min(own)}"


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        ("/integrity", None, 303),
        ("/integrity", BOARD, 200),
        ("/integrity", ADMIN, 200),
        ("/integrity", HYNDBURN, 200),
        ("/integrity", POLICE, 200),
        ("/api/v1/integrity", None, 401),
        ("/api/v1/integrity", BOARD, 200),
        ("/integrity/download", BOARD, 403),
        ("/integrity/download", ADMIN, 403),
        ("/integrity/download", HYNDBURN, 200),
        ("/integrity/no-such-finding", HYNDBURN, 404),
        ("/api/v1/integrity/no-such-finding", HYNDBURN, 404),
        ("/api/v1/integrity/no-such-finding", None, 401),
    ],
)
def test_who_may_see_the_integrity_pages(app: Any, path: str, who: str | None, status: int) -> None:
    assert client(app, who).get(path, follow_redirects=False).status_code == status


def test_a_finding_is_not_found_by_anyone_but_its_partners_analysts(
    app: Any, tables: dict[str, Any]
) -> None:
    hyndburn_only = [f for f in _mine(tables) if f["partners"] == OWN]
    assert hyndburn_only, "the example has findings of Hyndburn's own"
    url = quote(hyndburn_only[0]["finding_id"])
    assert client(app, HYNDBURN).get(f"/integrity/{url}").status_code == 200
    # Not Hyndburn's police, board, administrator: told it does not exist (no leak by a 403).
    for who in (POLICE, BOARD, ADMIN):
        assert client(app, who).get(f"/integrity/{url}").status_code == 404, who
        assert client(app, who).get(f"/api/v1/integrity/{url}").status_code == 404, who


def test_the_analyst_sees_exactly_their_own_findings_and_others_only_as_totals(
    app: Any, tables: dict[str, Any]
) -> None:
    site = client(app, HYNDBURN)
    answer = site.get("/api/v1/integrity").json()
    mine = _mine(tables)
    assert answer["own"]["total"] == len(mine)
    shown = {f["finding_id"] for f in answer["own"]["findings"]}
    top = sorted(mine, key=lambda f: (-f["money_at_stake"], f["finding_id"]))[: view.PER_PAGE]
    assert shown == {_known_as(f, tables) for f in top}
    # The others' totals add up, unsuppressed, to the findings without Hyndburn.
    others = [f for f in tables["findings"] if not _involves(f, OWN)]
    assert sum(r["findings"] for r in answer["others"]) == len(others)
    assert sum(r["payments"] for r in answer["others"]) == sum(f["rows"] for f in others)
    # No supplier of a finding without Hyndburn, nor any other partner's payment, reaches it.
    own_suppliers = {f["supplier"] for f in mine}
    foreign = {f["supplier"] for f in others if f["supplier"]} - own_suppliers
    foreign |= {m["supplier_name"] for m in tables["members"] if m["partner"] != OWN
                and m["supplier_name"]} - own_suppliers  # fmt: skip
    # A name inside one Hyndburn publishes itself ("Corona Energy" in its "Corona Energy -
    # 60161120 Oswaldtwistle Civic Theat") is its own detail, not a leak.
    own_names = {
        m["supplier_name"] for m in tables["members"] if m["partner"] == OWN and m["supplier_name"]
    }
    foreign = {s for s in foreign if not any(s in name for name in own_names)}
    foreign_files = {m["source_file"] for m in tables["members"] if m["partner"] != OWN}
    foreign_keys = {m["txn_key"] for m in tables["members"] if m["partner"] != OWN}
    assert foreign and foreign_files
    page = site.get("/integrity").text + str(answer)
    for finding in answer["own"]["findings"][:10]:
        detail = site.get(f"/api/v1/integrity/{quote(finding['finding_id'])}")
        assert detail.status_code == 200
        page += detail.text + site.get(f"/integrity/{quote(finding['finding_id'])}").text
    page += site.get("/integrity/download?format=csv").text
    leaked = [s for s in foreign if s in page] + [f for f in foreign_files if f in page]
    leaked += [k for k in foreign_keys if k in page]
    assert not leaked, leaked[:5]


def test_a_cross_partner_finding_shows_the_other_side_as_a_total(
    app: Any, tables: dict[str, Any]
) -> None:
    crossing = [f for f in _mine(tables) if f["partners"] != OWN]
    if not crossing:
        pytest.skip("the example has no finding across Hyndburn and another partner")
    finding = crossing[0]
    members = [m for m in tables["members"] if m["finding_id"] == finding["finding_id"]]
    own = [m for m in members if m["partner"] == OWN]
    known_as = _known_as(finding, tables)
    detail = client(app, HYNDBURN).get(f"/api/v1/integrity/{quote(known_as)}").json()
    assert detail["finding_id"] == known_as and detail["rule"] == finding["rule"]
    assert {t["txn_key"] for t in detail["transactions"]} == {m["txn_key"] for m in own}
    assert Decimal(detail["own_amount"]) == sum((m["amount"] for m in own), Decimal(0))
    for side in detail["other_sides"]:
        theirs = [m for m in members if m["partner"] == side["partner"]]
        assert side["payments"] == len(theirs)
        # Fewer than 10 of another partner's payments: the amount is withheld (access.SMALL_CELL).
        if len(theirs) < 10:
            assert side["amount"] is None and side["suppressed"]
        else:
            assert Decimal(side["amount"]) == sum((m["amount"] for m in theirs), Decimal(0))
    words = client(app, HYNDBURN).get(f"/integrity/{quote(known_as)}").text
    assert "Other partners&#39; side" in words or "Other partners' side" in words


def test_the_board_reads_the_summary_and_totals_only(app: Any, tables: dict[str, Any]) -> None:
    site = client(app, BOARD)
    answer = site.get("/api/v1/integrity").json()
    assert answer["own"] is None and answer["others"] == []
    assert answer["board_summary"], answer["board_summary_note"]
    assert answer["board_summary"][0].startswith("We checked every published payment")
    page = site.get("/integrity").text
    assert "Findings by detector" in page and "/integrity/download" not in page
    assert not re.search(r'href="/integrity/[^"?#]', page), "the board has no finding to open"
    suppliers = {f["supplier"] for f in tables["findings"] if f["supplier"]}
    assert not [s for s in suppliers if s in page]
    # Totals by detector and grade: every finding counted once, in its detector's row.
    assert sum(r["findings"] for r in answer["summary"]) == len(tables["findings"])
    for row in answer["summary"]:
        these = [f for f in tables["findings"]
                 if (f["detector"], f["grade"]) == (row["detector"], row["grade"])]  # fmt: skip
        assert row["findings"] == len(these)
        if not row["suppressed"]:
            assert Decimal(row["money_at_stake"]) == sum(f["money_at_stake"] for f in these)


def test_signals_are_called_signals_not_accusations(app: Any, tables: dict[str, Any]) -> None:
    answer = client(app, HYNDBURN).get("/api/v1/integrity").json()
    for finding in answer["own"]["findings"]:
        wanted = None if finding["grade"] == "probable error" else view.CAUTION
        assert finding["caution"] == wanted
    assert "a signal to check, not an accusation" in client(app, HYNDBURN).get("/integrity").text


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("grade=nonsense", 400),
        ("detector=no+such+detector", 400),
        ("year=1999", 400),  # well formed, but no payment in it
        ("year=last+year", 400),
        ("detector=" + "x" * 200, 422),
        ("page=0", 422),
        ("page=many", 422),
    ],
)
def test_bad_filters_are_refused_with_a_message(app: Any, query: str, status: int) -> None:
    site = client(app, HYNDBURN)
    page = site.get(f"/integrity?{query}")
    assert page.status_code == status and "Traceback" not in page.text
    assert site.get(f"/api/v1/integrity?{query}").status_code == status
    if status == 400:
        assert "There is a problem with the filters" in page.text


def test_filters_keep_the_chosen_detector_grade_and_year(app: Any, tables: dict[str, Any]) -> None:
    site = client(app, HYNDBURN)
    detector = sorted({f["detector"] for f in _mine(tables)})[0]
    answer = site.get("/api/v1/integrity", params={"detector": detector}).json()
    assert answer["own"]["total"] == len([f for f in _mine(tables) if f["detector"] == detector])
    assert {r["detector"] for r in answer["summary"]} == {detector}
    assert answer["board_summary"] == [] and answer["board_summary_note"]
    grade = answer["own"]["findings"][0]["grade"]
    graded = site.get("/api/v1/integrity", params={"grade": grade}).json()
    assert {r["grade"] for r in graded["summary"]} == {grade}
    # Every payment of the example is in 2024-25: that year keeps every finding with payments.
    dated = site.get("/api/v1/integrity", params={"year": "2024-25"}).json()
    assert dated["own"]["total"] == len(_mine(tables))


def test_the_download_holds_the_own_findings_and_their_payments(
    app: Any, tables: dict[str, Any]
) -> None:
    import python_calamine

    site = client(app, HYNDBURN)
    answer = site.get("/integrity/download?format=xlsx")
    assert answer.status_code == 200
    assert 'filename="integrity-findings.xlsx"' in answer.headers["content-disposition"]
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(answer.content))
    assert book.sheet_names == ["findings", "payments"]

    def rows(sheet: str) -> int:  # less the header
        return len(book.get_sheet_by_name(sheet).to_python()) - 1

    assert rows("findings") == len(_mine(tables))
    own_members = [m for m in tables["members"] if m["partner"] == OWN
                   and _involves(next(f for f in tables["findings"]
                                      if f["finding_id"] == m["finding_id"]), OWN)]  # fmt: skip
    assert rows("payments") == len(own_members)


def test_the_download_neutralises_formulas(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    planted = pa.table({"finding_id": ["f:1"], "supplier_name": ["=HYPERLINK(\"http://x\")"],
                        "amount": [Decimal("1.00")]})  # fmt: skip
    monkeypatch.setattr(view, "own_findings_tables",
                        lambda *_: {"findings": planted, "payments": planted})  # fmt: skip
    text = client(app, HYNDBURN).get("/integrity/download?format=csv").text
    assert "'=HYPERLINK" in text  # report.neutralise: a leading ' makes it text


def test_before_integrity_runs_the_page_says_what_to_run(
    web_workspace: Workspace, tmp_path: Path
) -> None:
    shutil.copytree(web_workspace.root, tmp_path / "ws")
    con = duckdb.connect(str(tmp_path / "ws" / ".totalplace" / "warehouse.duckdb"))
    con.execute("delete from stage_runs where stage = 'integrity'")
    con.execute("drop table integrity_findings")
    con.close()
    site = TestClient(create_app(Settings(workspace=tmp_path / "ws", demo=True)))
    sign_in(site, HYNDBURN)
    page = site.get("/integrity")
    assert page.status_code == 409 and "totalplace integrity" in page.text
    assert site.get("/api/v1/integrity").status_code == 409
    assert site.get("/integrity/download").status_code == 409


# --- suppression of the totals, by hand and generated --------------------------------------


def _group(detector: str, partners: str, findings: int, payments: int, amount: str,
           mine: bool = False) -> dict[str, Any]:  # fmt: skip
    return {"detector": detector, "grade": "signal to check", "partners": partners,
            "mine": mine, "findings": findings, "payments": payments,
            "amount": Decimal(amount)}  # fmt: skip


def test_totals_suppress_a_small_cell_and_its_complement_by_hand() -> None:
    names = {"a": "A", "b": "B", "c": "C"}
    groups = [
        _group("split", "a", 5, 20, "1000.00", mine=True),  # the viewer's own: never withheld
        _group("split", "b", 2, 4, "300.00"),  # 4 payments < 10: withheld
        _group("split", "c", 6, 30, "900.00"),  # withheld too: else 2200 - 1000 - 900 = 300
        _group("dup", "b", 3, 12, "50.00"),
    ]
    done = view._totals(groups, Viewer("analyst", "A"), names)
    others = {(r["detector"], r["partner_name"]): r for r in done["others"]}
    assert others[("split", "B")]["money_at_stake"] is None
    assert others[("split", "C")]["money_at_stake"] is None
    assert others[("dup", "B")]["money_at_stake"] == Decimal("50.00")
    summary = {r["detector"]: r for r in done["summary"]}
    # split: 1000 + 300 + 900 = 2200 over 20 + 4 + 30 = 54 payments, shown (two cells withheld).
    assert summary["split"]["money_at_stake"] == Decimal("2200.00")
    assert summary["split"]["payments"] == 54
    # The grade: 2200 + 50 = 2250.
    assert done["grades"][0]["money_at_stake"] == Decimal("2250.00")


slugs = st.sampled_from(["a", "b", "c", "a, b", "b, c"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["dup", "split", "odd"]),
            slugs,
            st.integers(1, 25),
            st.integers(0, 10**6),
        ),  # fmt: skip
        min_size=1,
        max_size=12,
        unique_by=lambda g: (g[0], g[1]),
    ),
    st.sampled_from(["a", "b", None]),
)
def test_no_withheld_total_can_be_worked_out_by_subtraction(
    made: list[tuple[str, str, int, int]], own: str | None
) -> None:
    viewer = Viewer("analyst", own.upper()) if own else Viewer("administrator")
    groups = [_group(d, p, 1, n, f"{pence / 100:.2f}", mine=own is not None
                     and own in p.split(", ")) for d, p, n, pence in made]  # fmt: skip
    done = view._totals(groups, viewer, {"a": "A", "b": "B", "c": "C"})
    for detector in {d for d, *_ in made}:
        total = next(r for r in done["summary"] if r["detector"] == detector)
        parts = [r for r in done["others"] if r["detector"] == detector]
        hidden = [r for r in parts if r["suppressed"]]
        # A shown total with exactly one withheld part beside it would give that part away.
        assert total["suppressed"] or len(hidden) != 1
        for part in parts:
            small = part["payments"] < 10 and part["partner_name"] != (own or "").upper()
            assert not small or part["suppressed"]
