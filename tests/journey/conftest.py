"""Fixtures of the journey tests: a constructed place whose count is written by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from totalplace import stages
from totalplace.warehouse import connect, replace_table
from totalplace.workspace import Workspace, open_workspace

PLACE = """
[place]
code = "E07000120"
name = "Hyndburn"
population_year = 2024

[[partners]]
name = "Borough Council"
sector = "district_council"
areas = ["E07000120"]
aliases = ["The Borough"]

[[partners]]
name = "Police"
sector = "police"
areas = ["E23000003"]
"""

#: The constructed count: (partner slug, theme, year, lines, base, share of the place, counted, months).
COUNT = [
    ("borough-council", "Housing and homelessness", 2024, 40, "90000.00", "1", "90000.00", 12),
    ("police", "Community safety", 2024, 900, "2000000.00", "0.05", "100000.00", 10),
    ("police", "Community safety", 2023, 950, "1800000.00", "0.05", "90000.00", 12),
]


def write_count(ws: Workspace) -> None:
    """Write ``count_by_partner_theme_year`` with the COUNT rows and record the count's run."""
    table = pa.table(
        {
            "partner": [r[0] for r in COUNT],
            "theme": [r[1] for r in COUNT],
            "fy_start_year": pa.array([r[2] for r in COUNT], pa.int64()),
            "lines": pa.array([r[3] for r in COUNT], pa.int64()),
            "base_amount": pa.array([Decimal(r[4]) for r in COUNT], pa.decimal128(18, 2)),
            "share": pa.array([Decimal(r[5]) for r in COUNT], pa.decimal128(18, 15)),
            "counted_amount": pa.array([Decimal(r[6]) for r in COUNT], pa.decimal128(18, 2)),
            "months_loaded": pa.array([r[7] for r in COUNT], pa.int64()),
        }
    )
    con = connect(ws)
    try:
        replace_table(con, "count_by_partner_theme_year", table)
        stages.record(con, ws, "count")  # stands in for the count's run (stage contract)
    finally:
        con.disconnect()


@pytest.fixture
def place(tmp_path: Path) -> Workspace:
    """Return a two-partner workspace with a constructed count."""
    (tmp_path / "place.toml").write_text(PLACE, encoding="utf-8")
    ws = open_workspace(tmp_path)
    write_count(ws)
    (tmp_path / "journeys").mkdir()
    return ws
