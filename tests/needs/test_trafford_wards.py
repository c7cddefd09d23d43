"""A Trafford workspace (council spending 2024-25) gets its ward count from mid-2024 ward populations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from totalplace.needs import NeedsError, count_by_ward

from .rawfiles import read_raw


def test_trafford_ward_count_uses_the_mid_2024_ward_populations(trafford, realdata):
    result = count_by_ward(trafford)
    raw = {
        r["area_code"]: int(r["all_ages"])
        for r in read_raw(realdata / "reference/population/trafford_mid-2024_population_wards.csv")
        if r["sex"] == "Persons"
    }
    assert result.reconciles
    assert {w.code for w in result.wards} == set(raw) and len(raw) == 21
    assert all(
        w.population_year == 2024 and "mid-2024" in w.population_source for w in result.wards
    )
    year = [r for r in result.rows if r["financial_year"] == "2024-25"]
    assert year
    for row in year:
        assert row["ward_code"].startswith("E05015")
        assert row["driver_value"] == raw[row["ward_code"]]
        # Ward estimates sum to the district's mid-2024 population, so nothing is rescaled.
        assert row["population"] == raw[row["ward_code"]] and row["population_year"] == 2024
        assert "mid-2024" in row["source"]
    cells = {(r["partner"], r["theme"]) for r in year}
    total = sum((r["counted_amount"] for r in year), Decimal(0))
    assert total == sum(
        (c["counted_amount"] for c in _count_rows(trafford) if c["financial_year"] == "2024-25"),
        Decimal(0),
    )
    assert len(year) == len(cells) * 21


def test_trafford_cannot_be_deprivation_weighted_without_a_lookup_for_its_2023_wards(trafford):
    with pytest.raises(NeedsError, match="IMD"):
        count_by_ward(trafford, default_driver="deprivation")


def _count_rows(ws):
    import duckdb

    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        cursor = con.execute(
            "SELECT financial_year, counted_amount FROM count_by_partner_theme_year"
        )
        return [{"financial_year": y, "counted_amount": a} for y, a in cursor.fetchall()]
    finally:
        con.close()
