"""Fixtures of the coverage tests: the Hyndburn example imported once, and independent readers.

The readers here go back to the published files in ../shared/realdata with
python-calamine and the csv module, not through ``totalplace.coverage.sources``, so a
test comparing the two can fail if the shipped reference is wrong.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

import pytest
import python_calamine

from tests.workspaces import imported_example
from totalplace.count import count
from totalplace.coverage import Coverage, coverage
from totalplace.workspace import Workspace

CRA = "finance_returns/CRA_2018_Database_for_Publication_rvsd.xlsx"
RS17 = "finance_returns/RS_2017-18_data_by_LA.xlsx"
RS14 = "finance_returns/Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls"
FILE6 = "reference/deprivation/File_6_-_IoD2019_Population_Denominators.csv.gz"
WARD19 = (
    "reference/geography_ons/Ward19_to_LAD19_to_County19_to_Region19_to_Country19_Dec2019_UK.csv"
)


@pytest.fixture(scope="session")
def sheets(realdata: Path) -> dict[str, list[list[Any]]]:
    """Return the source sheets read straight from the workbooks (index 0 = spreadsheet row 1)."""

    def read(path: str, sheet: str) -> list[list[Any]]:
        book = python_calamine.CalamineWorkbook.from_path(str(realdata / path))
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    return {
        "cra": read(CRA, "CRA 2018 database"),
        "rs17": read(RS17, "RS LA Data 2017-18"),
        "rs14": read(RS14, "RS LA Data 2014-15 (1)"),
    }


@pytest.fixture(scope="session")
def population_2015(realdata: Path) -> dict[str, dict[str, int]]:
    """Return mid-2015 population by district summed from the LSOA rows of IoD2019 File 6."""
    text = gzip.decompress((realdata / FILE6).read_bytes()).decode("utf-8-sig")
    out: dict[str, dict[str, int]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        lad = row["Local Authority District code (2019)"]
        item = out.setdefault(lad, {"all": 0, "0_15": 0, "60_plus": 0})
        item["all"] += int(row["Total population: mid 2015 (excluding prisoners)"].replace(",", ""))
        item["0_15"] += int(
            row["Dependent Children aged 0-15: mid 2015 (excluding prisoners)"].replace(",", "")
        )
        item["60_plus"] += int(
            row["Older population aged 60 and over: mid 2015 (excluding prisoners)"].replace(
                ",", ""
            )
        )
    return out


@pytest.fixture(scope="session")
def north_west(realdata: Path) -> set[str]:
    """Return the North West's district codes from the ONS ward-to-region lookup."""
    with (realdata / WARD19).open(encoding="utf-8-sig") as fh:
        return {r["LAD19CD"] for r in csv.DictReader(fh) if r["RGN19CD"] == "E12000002"}


@pytest.fixture(scope="module")
def hyndburn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Coverage]:
    """Return the bundled Hyndburn example, imported, and its coverage for the default year."""
    ws = imported_example(tmp_path_factory.mktemp("coverage") / "hyndburn")
    count(ws)
    return ws, coverage(ws)
