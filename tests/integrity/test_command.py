"""`totalplace integrity` on a copy of the built Hyndburn example: tables, stage record, outputs, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import python_calamine
from typer.testing import CliRunner

from totalplace import stages, warehouse
from totalplace.cli import app
from totalplace.workspace import open_workspace

ROOT = Path(__file__).resolve().parents[2]
BUILT = Path("/work/main/demo-workspace")
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = ROOT / "demo-workspace" if (ROOT / "demo-workspace").exists() else BUILT
    if not (source / ".totalplace").exists():
        pytest.skip("needs the built demo workspace (make demo)")
    target = tmp_path_factory.mktemp("integrity") / "demo"
    shutil.copytree(source, target)
    return target


def test_the_command_writes_the_tables_records_the_run_and_prints_the_summary(demo: Path):
    result = runner.invoke(app, ["integrity", "-w", str(demo), "--summary"])
    assert result.exit_code == 0, result.output
    assert "Probable errors" in result.output and "Signals to check" in result.output
    ws = open_workspace(demo)
    con = warehouse.connect(ws)
    try:
        stages.require(con, ws, "integrity")
        findings = con.table("integrity_findings").to_pyarrow().to_pylist()
        members = con.table("integrity_members").to_pyarrow().to_pylist()
    finally:
        con.disconnect()
    # every member belongs to a finding, and each finding's rows count its members
    counts: dict[str, int] = {}
    for m in members:
        counts[m["finding_id"]] = counts.get(m["finding_id"], 0) + 1
    assert {f["finding_id"]: f["rows"] for f in findings} == counts


def test_json_and_export_name_the_payments_behind_each_finding(demo: Path, tmp_path: Path):
    out = tmp_path / "integrity.xlsx"
    result = runner.invoke(
        app,
        ["integrity", "-w", str(demo), "--detector", "duplicates", "--json", "--export", str(out)],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert {f["detector"] for f in doc["findings"]} <= {
        "duplicate (exact)",
        "duplicate (likely)",
        "duplicate (possible)",
        "repeated lines in one file",
    }
    book = python_calamine.CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == [
        "summary",
        "findings",
        "payments",
        "repeats",
        "benford",
        "concentration",
        "parameters",
    ]
    header = book.get_sheet_by_name("payments").to_python()[0]
    assert {"finding_id", "source_file", "row_number"} <= set(header)


def test_an_unknown_partner_or_detector_lists_the_valid_ones(demo: Path):
    result = runner.invoke(app, ["integrity", "-w", str(demo), "--partner", "Nobody"])
    assert result.exit_code == 2 and "hyndburn-borough-council" in result.output
    result = runner.invoke(app, ["integrity", "-w", str(demo), "--detector", "nope"])
    assert result.exit_code == 2 and "'duplicates', 'splits'" in result.output


def test_a_bad_integrity_toml_stops_the_command_with_the_line(demo: Path):
    bad = demo / "integrity.toml"
    bad.write_text("likely_days = 'soon'\n")
    try:
        result = runner.invoke(app, ["integrity", "-w", str(demo)])
    finally:
        bad.unlink()
    assert result.exit_code == 6, result.output
    assert "line 1" in result.output and "likely_days" in result.output
