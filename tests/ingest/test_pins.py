"""Pins (issue 7, item 2): a column profile fixes the fields it names and nothing else.

Every combination is run through the CLI, as a user would, with ``--json``: by header
name (which also finds the header row), by column number (on a file without a header),
a partial pin, a per-source profile, and a changed pin (which re-parses). None may print
a traceback; each must load what it says.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.warehouse import connect
from totalplace.workspace import WorkspaceError, open_workspace

runner = CliRunner()

# A Gross / VAT / Net layout under a two-line preamble, paying a firm called "Total
# People Ltd" (a refund, negative) and one called "Total Hygiene".
NET_FILE = """Greater Manchester payments over £500
Period: September 2019
Payment Date,Supplier,Trans No,Gross,VAT,Net
02/09/2019,Total People Ltd,700101,"-10,016.40","-1,669.40","-8,347.00"
03/09/2019,Total Hygiene,700102,120.00,20.00,100.00
04/09/2019,Oyster Partnership,700103,"1,200.00",200.00,"1,000.00"
"""
NET_TOTAL = Decimal("-7247.00")

# The same payments without a header (an export that leaves it off).
HEADERLESS = """02/09/2019,Total People Ltd,700101,-8347.00
03/09/2019,Total Hygiene,700102,100.00
04/09/2019,Oyster Partnership,700103,1000.00
"""


def invoke(*args: str) -> typer.testing.Result:
    return runner.invoke(app, list(args))


def _no_traceback(result: typer.testing.Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert invoke("init", str(root), "--place", "E08000003").exit_code == 0
    (root / "data" / "old").mkdir(parents=True)
    (root / "data" / "net.csv").write_text(NET_FILE)
    (root / "data" / "old" / "headerless.csv").write_text(HEADERLESS)
    return root


def _partner(root: Path, block: str) -> None:
    with (root / "place.toml").open("a") as out:
        out.write(
            '\n[[partners]]\nname = "Manchester City Council"\nsector = "district_council"\n'
            'areas = ["E08000003"]\n' + block
        )


def _import(root: Path) -> dict:
    result = invoke("import", "-w", str(root), "--json")
    _no_traceback(result)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _facts(root: Path, file: str) -> list[tuple]:
    con = connect(open_workspace(root))
    try:
        return con.con.execute(
            "SELECT txn_date, supplier_name, transaction_id, amount FROM transactions "
            "WHERE source_file LIKE ? ORDER BY row_number",
            [f"%{file}"],
        ).fetchall()
    finally:
        con.disconnect()


def test_a_pin_by_header_name_finds_the_header_row_and_keeps_the_other_columns(
    ws: Path,
) -> None:
    _partner(ws, 'sources = ["data/net.csv"]\n[partners.columns]\namount = "Net"\n')
    report = _import(ws)
    [sheet] = report["files"]
    assert sheet["amount_loaded"] == f"{NET_TOTAL:.2f}"
    rows = _facts(ws, "net.csv")
    assert [r[1] for r in rows] == ["Total People Ltd", "Total Hygiene", "Oyster Partnership"]
    assert all(r[0] is not None and r[2] is not None for r in rows), rows
    assert rows[0][3] == Decimal("-8347.00")


def test_a_pin_naming_a_header_the_file_lacks_is_a_clear_error(ws: Path) -> None:
    _partner(ws, 'sources = ["data/net.csv"]\n[partners.columns]\namount = "Nett Total"\n')
    result = invoke("import", "-w", str(ws), "--json")
    _no_traceback(result)
    assert result.exit_code == 7, result.output
    assert "Nett Total" in result.output and "place.toml" in result.output


def test_a_pin_by_number_reads_a_file_without_a_header(ws: Path) -> None:
    _partner(
        ws,
        'sources = ["data/old/headerless.csv"]\n[partners.columns]\n'
        "date = 0\nsupplier_name = 1\ntransaction_id = 2\namount = 3\n",
    )
    report = _import(ws)
    assert report["files"][0]["amount_loaded"] == f"{NET_TOTAL:.2f}"
    rows = _facts(ws, "headerless.csv")
    assert [r[1] for r in rows] == ["Total People Ltd", "Total Hygiene", "Oyster Partnership"]


def test_a_partial_pin_on_a_headerless_file_loads_total_people_ltd(ws: Path) -> None:
    # Only the amount and payee pinned: no date column, so only a whole-cell label may
    # make a row a total, and "Total People Ltd" is a payee.
    _partner(
        ws,
        'sources = ["data/old/headerless.csv"]\n[partners.columns]\namount = 3\nsupplier_name = 1\n',
    )
    report = _import(ws)
    assert report["files"][0]["rows_loaded"] == 3
    assert report["files"][0]["amount_loaded"] == f"{NET_TOTAL:.2f}"


def test_a_per_source_profile_applies_to_its_files_only(ws: Path) -> None:
    _partner(
        ws,
        'sources = ["data/**/*.csv"]\n'
        "[[partners.profiles]]\n"
        'sources = ["data/old/*.csv"]\n'
        "columns = { date = 0, supplier_name = 1, transaction_id = 2, amount = 3 }\n",
    )
    report = _import(ws)
    loaded = {Path(f["file"]).name: f["amount_loaded"] for f in report["files"]}
    assert loaded == {"net.csv": f"{NET_TOTAL:.2f}", "headerless.csv": f"{NET_TOTAL:.2f}"}


def test_a_changed_pin_re_parses_the_file(ws: Path) -> None:
    _partner(ws, 'sources = ["data/net.csv"]\n[partners.columns]\namount = "Net"\n')
    assert _import(ws)["files"][0]["status"] == "loaded"
    assert _import(ws)["files"][0]["status"] == "unchanged"
    text = (ws / "place.toml").read_text().replace('amount = "Net"', 'amount = "Gross"')
    (ws / "place.toml").write_text(text)
    [again] = _import(ws)["files"]
    assert again["status"] == "replaced"
    assert again["amount_loaded"] == "-8696.40"
    assert [r[3] for r in _facts(ws, "net.csv")] == [
        Decimal("-10016.40"),
        Decimal("120.00"),
        Decimal("1200.00"),
    ]


def test_without_a_pin_the_trio_is_read_as_net_with_a_note(ws: Path) -> None:
    _partner(ws, 'sources = ["data/net.csv"]\n')
    [sheet] = _import(ws)["files"]
    assert sheet["amount_loaded"] == f"{NET_TOTAL:.2f}"
    assert any("net amount 'Net' was taken" in n for n in sheet["notes"])
    assert any(e.startswith("amount: 'Net'") for e in sheet["evidence"])


def test_a_summary_period_can_be_pinned_per_source(ws: Path) -> None:
    (ws / "data" / "summary.csv").write_text(
        "Supplier Name,Sum of Invoice Nett Amount\nTotal People Ltd,-8347.00\nAcme Ltd,100.00\n"
    )
    _partner(ws, 'sources = ["data/summary.csv"]\n')
    result = invoke("import", "-w", str(ws), "--json")
    _no_traceback(result)
    assert result.exit_code == 7 and "period" in result.output
    with (ws / "place.toml").open("a") as out:
        out.write('[[partners.profiles]]\nsources = ["data/summary.csv"]\nperiod = "2019-09"\n')
    [sheet] = _import(ws)["files"]
    assert sheet["amount_loaded"] == "-8247.00"
    con = connect(open_workspace(ws))
    try:
        assert con.con.execute(
            "SELECT DISTINCT txn_date::VARCHAR, date_precision FROM transactions"
        ).fetchall() == [("2019-09-01", "period")]
    finally:
        con.disconnect()


@pytest.mark.parametrize(
    ("block", "line", "said"),
    [
        ("[[partners.profiles]]\ncolumns = { amount = 3 }\n", 4, "has no sources"),
        (
            '[[partners.profiles]]\nsources = ["a.csv"]\nperiod = "Sept 2019"\n',
            6,
            'period = "2019-09"',
        ),
        (
            '[[partners.profiles]]\nsources = ["a.csv"]\ncolumns = { amont = 3 }\n',
            6,
            "did you mean 'amount'",
        ),
        (
            '[[partners.profiles]]\nsources = ["a.csv"]\ncolumns = { amount = 3 }\ncolour = 1\n',
            7,
            "colour",
        ),
    ],
)
def test_a_wrong_profile_in_place_toml_is_reported_with_its_line(
    ws: Path, block: str, line: int, said: str
) -> None:
    _partner(ws, 'sources = ["data/*.csv"]\n' + block)
    text = (ws / "place.toml").read_text()
    tomllib.loads(text)  # valid TOML: the schema, not the parser, must catch it
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(ws)
    [problem] = caught.value.problems
    assert said in problem.message
    # Lines from the partner's name: sector, areas, sources, [[partners.profiles]] ...
    first = text.splitlines().index('name = "Manchester City Council"') + 1
    assert problem.line == first + line, (problem, text)
