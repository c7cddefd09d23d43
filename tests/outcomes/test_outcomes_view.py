"""Outcomes beside spend per head on the example (Hyndburn): arithmetic by hand, caveats, bad input."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from tests.workspaces import EXAMPLE
from totalplace import stages
from totalplace.cli import app
from totalplace.errors import BadInputError
from totalplace.outcomes import outcomes
from totalplace.outcomes.spend import outturn_spend
from totalplace.warehouse import connect, replace_table
from totalplace.workspace import Workspace, open_workspace

_COUNT = pa.schema(
    [
        ("partner", pa.string()),
        ("fy_start_year", pa.int64()),
        ("theme", pa.string()),
        ("counted_amount", pa.decimal128(18, 2)),
        ("population", pa.int64()),
        ("population_year", pa.int64()),
        ("months_loaded", pa.int64()),
        ("months_in_year", pa.string()),
        ("financial_year", pa.string()),
    ]
)


def _example(root: Path, url: str | None = None) -> Workspace:
    """The example's place.toml, outcome and outturn files, and a small count set down by hand
    (on the engine at ``url``: default, the workspace's DuckDB file)."""
    root.mkdir()
    for part in ("place.toml", "outcomes", "outturns"):
        source = EXAMPLE / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    if url is not None:
        with (root / "place.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[warehouse]\nurl = "{url}"\n')
    ws = open_workspace(root)
    rows = [
        # partner, year, theme, counted, population, months
        ("hyndburn-borough-council", 2024, "Health and wellbeing", "56615.91", 12, "Apr–Mar"),
        (
            "lancashire-police-and-crime-commissioner",
            2024,
            "Health and wellbeing",
            "1000.00",
            10,
            "Apr–Jan",
        ),
        ("hyndburn-borough-council", 2024, "Worklessness and skills", "175596.22", 12, "Apr–Mar"),
    ]
    table = pa.Table.from_pylist(
        [
            {
                "partner": p,
                "fy_start_year": y,
                "theme": t,
                "counted_amount": Decimal(a),
                "population": 86058,
                "population_year": 2024,
                "months_loaded": m,
                "months_in_year": w,
                "financial_year": "2024-25",
            }
            for p, y, t, a, m, w in rows
        ],
        schema=_COUNT,
    )
    con = connect(ws)
    try:
        replace_table(con, "count_by_partner_theme_year", table)
        stages.record(con, ws, "count")
    finally:
        con.disconnect()
    return ws


def test_spend_per_head_beside_outcomes_worked_by_hand(tmp_path: Path) -> None:
    view = outcomes(_example(tmp_path / "ws"))
    place = [r for r in view.summary if r["area_code"] == "E07000120"]
    cvd = next(
        r for r in place if r["indicator_code"] == "preventable-cardiovascular-mortality-england"
    )
    # Health and wellbeing counted 2024-25: 56,615.91 + 1,000.00 = 57,615.91; / 86,058 = 0.6695 -> £0.67
    assert cvd["count_per_head"] == Decimal("0.67")
    assert "Lancashire Police and Crime Commissioner: 10 of 12 months" in cvd["count_partial"]
    claimant = next(r for r in place if r["indicator_code"] == "claimant-count")
    # Worklessness and skills: 175,596.22 / 86,058 = 2.0404 -> £2.04
    assert claimant["count_per_head"] == Decimal("2.04")
    # The same-year row: claimant count 2024-01-01/P1Y ends 31 Dec 2024, in FY 2024-25.
    same_year = next(
        r
        for r in view.series
        if r["indicator_code"] == "claimant-count"
        and r["area_code"] == "E07000120"
        and r["period"] == "2024-01-01/P1Y"
    )
    assert (same_year["spend_year"], same_year["count_per_head"]) == ("2024-25", Decimal("2.04"))
    # claimant-count.csv (the example's copy): line 111 Hyndburn 2024-01-01/P1Y 5.8, line 10
    # England 4.0; lower is better and no interval is given, so worse.
    assert same_year["value"] == pytest.approx(5.8) and same_year["benchmark"] == pytest.approx(4.0)
    assert same_year["against_benchmark"] == "worse (no CI)"


def test_lancashire_adult_social_care_beside_the_district_count_says_the_geographies_differ(
    tmp_path: Path,
) -> None:
    view = outcomes(_example(tmp_path / "ws"), theme="Older people")
    lancs = [r for r in view.summary if r["area_code"] == "E10000017"]
    assert sorted(r["indicator_code"] for r in lancs) == [f"ASC{i}" for i in range(1, 8)]
    asc5 = next(r for r in lancs if r["indicator_code"] == "ASC5")
    # ASC_data.csv: Lancashire ASC5 69.6 in 2015-16, 98.4 in 2022-23; higher is better.
    assert (asc5["first_value"], asc5["latest_value"], asc5["direction"]) == (
        69.6,
        98.4,
        "improving",
    )
    # No partner's spend is classified to Older people in the 2024-25 count: £0.00, not missing.
    assert (asc5["count_per_head"], asc5["count_year"]) == (Decimal("0.00"), "2024-25")
    assert asc5["role"] == "place upper tier" and asc5["geography_level"] == "upper tier"
    assert any(n.startswith("Different geographies: Lancashire (E10000017)") for n in view.notes)
    assert any("No year has both" in n for n in view.notes)  # Oflog stops in 2022-23
    roles = {r["role"] for r in view.summary}
    assert "comparator upper tier" in roles or "comparator" in roles


def test_outturn_per_head_by_hand(tmp_path: Path) -> None:
    rows = outturn_spend(_example(tmp_path / "ws"))
    culture = next(
        r
        for r in rows
        if r["body_code"] == "E07000120"
        and r["theme"] == "Culture and leisure"
        and r["fy_start_year"] == 2024
    )
    # revenue_trends.json 2024-25 "Cultural Services" 3821.0 (£k) = £3,821,000; / 86,058 = 44.4002 -> £44.40
    assert (culture["amount"], culture["per_head"]) == (Decimal("3821000.00"), Decimal("44.40"))


def test_a_changed_file_is_read_again_and_an_unknown_layout_changes_nothing(tmp_path: Path) -> None:
    ws = _example(tmp_path / "ws")
    first = outcomes(ws)
    assert not any(f["rows_rejected"] != f["rows_read"] - f["rows_loaded"] for f in first.files)
    (ws.root / "outcomes" / "zz-bad.csv").write_text(
        "Date,Supplier,Amount\n1,2,3\n", encoding="utf-8"
    )
    with pytest.raises(BadInputError, match="zz-bad.csv"):
        outcomes(ws)
    con = connect(ws)
    try:
        stored = con.table("outcome_files").count().to_pyarrow().as_py()
    finally:
        con.disconnect()
    assert stored == len(first.files)  # the tables are as they were


def test_the_command_refuses_bad_input_with_a_message(tmp_path: Path) -> None:
    ws = _example(tmp_path / "ws")
    runner = CliRunner()
    (ws.root / "outcomes" / "zz-bad.csv").write_text(
        "Date,Supplier,Amount\n1,2,3\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["outcomes", "--workspace", str(ws.root)])
    assert result.exit_code == 7 and "Traceback" not in result.output
    assert "not an outcome indicator file" in result.output
    (ws.root / "outcomes" / "zz-bad.csv").unlink()
    result = runner.invoke(app, ["outcomes", "--workspace", str(ws.root), "--indicator", "nope"])
    assert result.exit_code == 2 and "no indicator 'nope'" in result.output
