"""Jobs behind a cut against hand-computed multiplier arithmetic on Hyndburn's published figures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from totalplace.economy import load_economy_assumptions, spread_jobs
from totalplace.economy.local_figures import local_figures
from totalplace.workspace import open_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"
SECTIONS = "ABCDEFGHIJKLMNOPQRS"


@pytest.fixture(scope="module")
def figures():
    return local_figures(open_workspace(EXAMPLE), load_economy_assumptions(None))


def _published(sector: str) -> dict[str, float]:
    # Read independently of the code: the JSON file as econstack-data publishes it.
    data = json.loads((EXAMPLE / "local_economy/hyndburn/multipliers.json").read_text())
    return next(row for row in data["multipliers"] if row["sector"] == sector)


def test_a_cut_all_in_construction_with_local_suppliers(figures):
    construction = _published("Construction")
    # Hyndburn Construction: 3.4 direct jobs per £1m, employment multiplier 1.13,
    # output multiplier 1.09, £29,575 per job.
    assert (
        construction["directEmploymentPerMillion"],
        construction["employmentMultiplier"],
        construction["outputMultiplier"],
        construction["averageEarningsPerJob"],
    ) == (3.4, 1.13, 1.09, 29575)
    spend = np.zeros(19)
    spend[SECTIONS.index("F")] = 500.0
    local = spend.copy()  # every supplier local
    r = spread_jobs(Decimal("1000000"), spend, local, np.zeros(19), figures)
    f = SECTIONS.index("F")
    # direct = 1,000,000 / 1e6 x 3.4 = 3.4; total = 3.4 x 1.13 = 3.842
    assert r["direct"][f] == pytest.approx(3.4)
    assert r["total"][f] == pytest.approx(3.842)
    # output = 1,000,000 x 1.09 = 1,090,000; income = 3.842 x 29,575 = 113,627.15
    assert r["output"][f] == pytest.approx(1_090_000)
    assert r["income"][f] == pytest.approx(113_627.15)


def test_a_cut_split_over_two_sectors_with_half_local(figures):
    retail, care = _published("Wholesale & Retail"), _published("Health & Social Work")
    assert (retail["directEmploymentPerMillion"], retail["employmentMultiplier"]) == (10.2, 1.05)
    assert (care["directEmploymentPerMillion"], care["employmentMultiplier"]) == (11.6, 1.04)
    spend = np.zeros(19)
    g, q = SECTIONS.index("G"), SECTIONS.index("Q")
    spend[g], spend[q] = 300.0, 100.0  # 3/4 retail, 1/4 care
    local = np.zeros(19)
    local[g], local[q] = 150.0, 100.0  # half of retail local, all care local
    r = spread_jobs(Decimal("2000000"), spend, local, np.zeros(19), figures)
    # X_G = 1.5m, local 0.75m: direct 0.75 x 10.2 = 7.65, total 7.65 x 1.05 = 8.0325
    # X_Q = 0.5m, all local: direct 0.5 x 11.6 = 5.8, total 5.8 x 1.04 = 6.032
    assert r["x"][g] == pytest.approx(1_500_000)
    assert r["total"][g] == pytest.approx(8.0325)
    assert r["total"][q] == pytest.approx(6.032)
    assert r["total"].sum() == pytest.approx(14.0645)
    # All jobs, wherever the suppliers: 1.5 x 10.2 x 1.05 + 0.5 x 11.6 x 1.04 = 16.065 + 6.032
    assert r["total_all"].sum() == pytest.approx(22.097)


def test_the_employment_mix_is_the_place_employment_share(figures):
    data = json.loads((EXAMPLE / "local_economy/hyndburn/employment.json").read_text())
    # Manufacturing 5,345 of 29,180 jobs in Hyndburn (totalLocal)
    assert data["totalLocal"] == 29180
    assert figures.employment_mix()[SECTIONS.index("C")] == pytest.approx(5345 / 29180, rel=1e-3)
