"""Spend per head against need: Hyndburn, its wards and its nearest neighbours."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from totalplace.needs import NeedsError, compare, nearest_neighbours
from totalplace.needs.compare import NO_COUNT

from .conftest import HYNDBURN
from .rawfiles import read_raw

ROOT = Path(__file__).resolve().parents[2]


def test_hyndburns_nearest_neighbours_are_deterministic_and_similar(realdata):
    first, method = nearest_neighbours(HYNDBURN, 5)
    again, _ = nearest_neighbours(HYNDBURN, 5)
    assert first == again
    assert [n["lad_name"] for n in first] == [
        "Pendle",
        "Hastings",
        "Great Yarmouth",
        "Hartlepool",
        "Burnley",
    ]
    assert all(n["lad_code"][:3] in ("E06", "E07", "E08", "E09") for n in first)
    distances = [n["distance"] for n in first]
    assert distances == sorted(distances)
    for n in first:  # similar: within 20% of Hyndburn's 86,058 people and 4 IMD points of 35.43
        assert abs(n["population"] - 86058) / 86058 < 0.2
        assert abs(n["imd_score"] - 35.43) < 4
    assert "standardised" in method and "natural log" in method and "IoD2025" in method


def test_nearest_neighbours_match_a_hand_computation_from_the_published_files(realdata):
    scores = {
        r["area_code"]: float(r["average_score"])
        for r in read_raw(realdata / "reference/deprivation/IoD2025_LAD_summaries_tidy.csv")
        if r["index_domain"] == "Index of Multiple Deprivation"
    }
    population = {
        r["area_code"]: int(r["population"])
        for r in read_raw(ROOT / "src/totalplace/data/reference/population_lad.csv")
        if r["year"] == "2024"
    }
    pool = sorted(c for c in scores if c in population and c.startswith("E0"))
    logs = [math.log(population[c]) for c in pool]
    imd = [scores[c] for c in pool]

    def z(values):
        mean = sum(values) / len(values)
        sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        return [(v - mean) / sd for v in values]

    points = dict(zip(pool, zip(z(logs), z(imd), strict=True), strict=True))
    me = points[HYNDBURN]
    expected = sorted(
        (c for c in pool if c != HYNDBURN), key=lambda c: (math.dist(me, points[c]), c)
    )
    found, _ = nearest_neighbours(HYNDBURN, 8)
    assert [n["lad_code"] for n in found] == expected[:8]


def test_compare_sets_the_place_its_wards_and_comparators_side_by_side(hyndburn):
    result = compare(hyndburn)
    assert result.financial_year == "2024-25"
    place = result.place
    assert place["spend_status"] == "counted" and place["population"] == 86058
    assert place["per_head"] == (place["spend"] / 86058).quantize(Decimal("0.01"))
    assert (place["imd2019_rank"], place["imd2025_rank"]) == (16, 14)
    assert len(result.wards) == 16
    assert sum(w["spend"] for w in result.wards) == place["spend"]
    assert sum(w["population"] for w in result.wards) == 86058
    central = next(w for w in result.wards if w["name"] == "Central")
    assert central["ward_imd_rank"] == pytest.approx(948, abs=1)
    assert len(result.comparators) == 5
    for c in result.comparators:
        assert c["spend"] is None and c["per_head"] is None and c["spend_status"] == NO_COUNT
        assert c["imd2025_score"] is not None and c["population"] > 0
    assert any("no count loaded" in note for note in result.notes)


def test_a_theme_with_a_cohort_gets_spend_per_head_of_the_cohort(hyndburn):
    result = compare(hyndburn, theme="Older people")
    assert result.cohort == "65+"
    place = result.place
    assert place["cohort_population"] == round(86058 * 18.0 / 100)
    assert place["cohort_per_head"] == (place["spend"] / place["cohort_population"]).quantize(
        Decimal("0.01")
    )
    assert sum(w["cohort_population"] for w in result.wards) == place["cohort_population"]
    assert all(c["cohort_population"] for c in result.comparators)


def test_user_given_comparators_replace_the_neighbours(hyndburn):
    result = compare(hyndburn, comparators=["E06000008", "e07000117"], n=3)
    assert [c["code"] for c in result.comparators] == ["E06000008", "E07000117"]
    assert result.method == "user-given comparators"
    assert result.comparators[1]["distance"] == pytest.approx(0.4715, abs=1e-4)
    with pytest.raises(NeedsError, match="E99"):
        compare(hyndburn, comparators=["E99999999"])


def test_an_unknown_year_is_refused(hyndburn):
    with pytest.raises(NeedsError, match="2031-32"):
        compare(hyndburn, year="2031-32")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_the_comparison_exports(hyndburn, tmp_path, suffix):
    from totalplace.report import export_table

    result = compare(hyndburn)
    path = export_table(result.to_arrow(), tmp_path / f"compare{suffix}")
    assert path.stat().st_size > 0
    if suffix == ".csv":
        table = pacsv.read_csv(path)
        assert table.num_rows == 1 + 16 + 5
        assert table.column("kind").to_pylist()[0] == "place"
    if suffix == ".parquet":
        assert pq.read_table(path).num_rows == 22
