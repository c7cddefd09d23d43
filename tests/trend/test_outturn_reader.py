"""The Revenue Outturn series reader: every published value loaded once, £ thousands to pounds, themed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pytest

from totalplace.trend import OutturnFileError, outturn_series, read_outturn_series
from totalplace.workspace import WorkspaceError, init_workspace, open_workspace

TRENDS = "finance_returns/lancashire_trends"


def _leaves(data: dict) -> list[float]:
    """Every value of a file, walked independently of the reader (submitted years only)."""
    values = []
    for year in data["by_year"].values():
        if year.get("status") != "submitted":
            continue
        for section, lines in year.items():
            if section != "status":
                values.extend(lines.values())
    return values


def test_every_value_of_every_lancashire_file_is_loaded_in_pounds(realdata: Path):
    files = sorted((realdata / TRENDS).glob("*/revenue_trends.json"))
    assert (
        len(files) == 7
    )  # MANIFEST: Hyndburn, Burnley, Pendle, Rossendale, Ribble Valley, BwD, LCC
    for path in files:
        data = json.loads(path.read_text())
        table = read_outturn_series([path])
        leaves = _leaves(data)
        assert table.num_rows == len(leaves), path
        # values read = values loaded: the file's sum in £k, times 1,000
        expected = sum(Decimal(str(v)) for v in leaves) * 1000
        assert sum(table.column("amount").to_pylist()) == expected, path
        assert set(table.column("body_code").to_pylist()) == {data["ons_code"]}
        assert len(set(table.column("source_key").to_pylist())) == table.num_rows


def test_hyndburn_culture_2017_18_by_hand(realdata: Path):
    table = read_outturn_series([realdata / TRENDS / "hyndburn" / "revenue_trends.json"])
    rows = [
        r
        for r in table.to_pylist()
        if r["financial_year"] == "2017-18" and r["service"] == "Cultural Services"
    ]
    (row,) = rows
    # the file: by_year["2017-18"].summary["Cultural Services"] = 1714.0 (£ thousands)
    assert row["amount"] == Decimal("1714000.00")
    assert row["fy_start_year"] == 2017 and row["body_code"] == "E07000120"
    assert row["rs_line"] == "509" and row["theme"] == "Culture and leisure"
    assert row["source_key"] == '$.by_year["2017-18"]["summary"]["Cultural Services"]'
    # sub-lines carry the service they are inside, no theme: a theme sum counts each pound once
    tourism = [
        r
        for r in table.to_pylist()
        if r["financial_year"] == "2017-18" and r["service"] == "Tourism"
    ]
    assert tourism[0]["part_of"] == "Cultural Services" and tourism[0]["theme"] is None
    themed = table.filter(
        pc.and_(pc.equal(table["fy_start_year"], 2017), pc.is_valid(table["theme"]))
    )
    # 2017-18 service lines: housing 959 + culture 1714 + env 3332 + planning 570 + central 3041
    # + other 0 + HB rent allowances 25663 = 35,279 (£k)
    assert sum(themed.column("amount").to_pylist()) == Decimal("35279000.00")


def test_a_year_not_submitted_has_no_rows_not_zeros(realdata: Path):
    table = read_outturn_series([realdata / TRENDS / "pendle" / "revenue_trends.json"])
    years = set(table.column("financial_year").to_pylist())
    assert "2023-24" not in years  # Pendle: "status": "not submitted"
    assert {"2022-23", "2024-25"} <= years


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", r"bad\.json: not JSON"),
        ("[1, 2]", r"bad\.json: the file is not a JSON object"),
        ('{"ons_code": "E07000120", "by_year": {}}', r"bad\.json: no 'units'"),
        (
            '{"ons_code": "E07000120", "units": "GBP", "by_year": {}}',
            r"bad\.json: units 'GBP' \(only £ thousands",
        ),
        (
            '{"ons_code": "E07000120", "units": "£ thousands", "by_year": {"2017": '
            '{"summary": {"Cultural Services": "lots"}}}}',
            r"bad\.json: .*Cultural Services.* is 'lots', not a number",
        ),
        (
            '{"ons_code": "E07000120", "units": "£ thousands", "by_year": {"someday": {}}}',
            r"bad\.json: by_year has 'someday', not a financial year",
        ),
    ],
)
def test_a_file_of_another_layout_is_refused_by_name(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OutturnFileError, match=message) as caught:
        read_outturn_series([path])
    assert "expected" in str(caught.value) or "not a number" in str(caught.value)


def _declare(root: Path, block: str) -> None:
    with (root / "place.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\n[[outturns]]\n{block}\n")


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            'body = "Hyndburn"\nfile = ["x.json"]',
            r"line \d+: unknown key 'file'.*did you mean 'files'",
        ),
        ('files = ["x.json"]', r"line \d+: \[\[outturns\]\] number 1 has no body"),
        ('body = "Hyndburn"', r"line \d+: \[\[outturns\]\] number 1 has no files"),
        ('body = "Hyndburn"\nfiles = "x.json"', r"line \d+: .*files must be a list"),
        ('body = ""\nfiles = ["x.json"]', r"line \d+: .*body is empty"),
    ],
)
def test_a_bad_outturns_block_is_named_with_its_line(tmp_path, block, message):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    _declare(root, block)
    with pytest.raises(WorkspaceError, match=message) as caught:
        outturn_series(open_workspace(root))
    assert "place.toml" in str(caught.value)


def test_a_declared_file_that_is_missing_or_of_another_body_is_named(tmp_path, realdata: Path):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    _declare(root, 'body = "E07000120"\nfiles = ["outturns/none.json"]')
    with pytest.raises(OutturnFileError, match=r"'outturns/none\.json'.*matches no file"):
        outturn_series(open_workspace(root))
    root2 = tmp_path / "ws2"
    init_workspace(root2, "E07000120")
    (root2 / "o").mkdir()
    source = realdata / TRENDS / "burnley" / "revenue_trends.json"
    (root2 / "o" / "b.json").write_bytes(source.read_bytes())
    _declare(root2, 'body = "E07000120"\nfiles = ["o/b.json"]')
    with pytest.raises(OutturnFileError, match=r"b\.json: its ons_code is E07000117"):
        outturn_series(open_workspace(root2))


def test_a_declared_series_is_named_as_declared(tmp_path, realdata: Path):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    (root / "o").mkdir()
    source = realdata / TRENDS / "lancashire_cc" / "revenue_trends.json"
    (root / "o" / "lcc.json").write_bytes(source.read_bytes())
    _declare(root, 'body = "Lancashire County Council"\nfiles = ["o/*.json"]')
    table = outturn_series(open_workspace(root))
    assert set(table.column("body_name").to_pylist()) == {"Lancashire County Council"}
    assert set(table.column("body_code").to_pylist()) == {"E10000017"}
