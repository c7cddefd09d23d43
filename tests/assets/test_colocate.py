"""Pairs within the radius, clusters, the BNG and WGS84 forms of one register, and running costs."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tests.assets.helpers import TC_HEADER, declare, write_csv
from totalplace.assets import assets
from totalplace.assets.colocate import cluster_labels
from totalplace.assets.costs import PremisesSpend, spread_costs
from totalplace.assets.geodesy import wgs84_to_bng
from totalplace.errors import UsageError
from totalplace.workspace import init_workspace, open_workspace


def _two_bodies(root: Path, second: tuple[str, str]) -> None:
    """A Hyndburn workspace with one building of each of two bodies (National Grid metres)."""
    init_workspace(root, "E07000120")
    write_csv(
        root / "data" / "a.csv",
        TC_HEADER,
        [
            [
                "A",
                "1",
                "A1",
                "Library",
                "BB5 1AA",
                "OSGB36",
                "375000",
                "430000",
                "",
                "Buildings",
                "100",
            ]
        ],
    )
    write_csv(
        root / "data" / "b.csv",
        TC_HEADER,
        [["B", "2", "B1", "Clinic", "BB5 2BB", "OSGB36", *second, "", "Buildings", "50"]],
    )
    declare(
        root,
        [
            ("Body A", ["data/a.csv"], ["E07000120"]),
            ("Body B", ["data/b.csv"], ["E07000120"]),
        ],
    )


def test_a_pair_300_m_apart_is_found_at_400_m_and_not_at_250_m(tmp_path):
    # B is 180 m east and 240 m north of A: sqrt(180^2 + 240^2) = 300 m exactly.
    _two_bodies(tmp_path / "ws", ("375180", "430240"))
    ws = open_workspace(tmp_path / "ws")
    found = assets(ws, radius_m=400)
    assert found.pairs == 1
    (cluster,) = found.clusters
    assert cluster["bodies"] == "Body A, Body B" and cluster["buildings"] == 2
    assert cluster["span_m"] == 300.0
    assert cluster["size_m2"] == 150.0  # 100 + 50
    assert assets(ws, radius_m=250).clusters == []


def test_buildings_of_one_body_are_never_a_pair(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    write_csv(
        root / "data" / "a.csv",
        TC_HEADER,
        [
            ["A", "1", "A1", "One", "", "OSGB36", "375000", "430000", "", "Buildings", ""],
            ["A", "2", "A2", "Two", "", "OSGB36", "375010", "430000", "", "Buildings", ""],
        ],
    )
    declare(root, [("Body A", ["data/a.csv"], ["E07000120"])])
    assert assets(open_workspace(root)).pairs == 0


def test_a_building_located_only_by_postcode_pairs_at_the_same_full_postcode(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root, "E07000120")
    write_csv(
        root / "data" / "a.csv",
        TC_HEADER,
        [["A", "1", "A1", "One", "BB5 1LA", "OSGB36", "375000", "430000", "", "Buildings", ""]],
    )
    write_csv(
        root / "data" / "b.csv",
        TC_HEADER,
        [["B", "2", "B1", "Two", "bb51la", "", "", "", "", "Buildings", ""]],
    )
    declare(
        root,
        [("Body A", ["data/a.csv"], ["E07000120"]), ("Body B", ["data/b.csv"], ["E07000120"])],
    )
    (cluster,) = assets(open_workspace(root)).clusters
    assert cluster["confidence"] == "postcode" and cluster["buildings"] == 2


def test_clusters_are_the_connected_components_of_the_pairs():
    # Edges 1-2, 2-3 and 7-9: components {1, 2, 3} and {7, 9}, labelled by their smallest node.
    nodes, labels = cluster_labels(np.array([1, 2, 7]), np.array([2, 3, 9]))
    assert dict(zip(nodes.tolist(), labels.tolist(), strict=True)) == {
        1: 1,
        2: 1,
        3: 1,
        7: 7,
        9: 7,
    }


def test_a_long_chain_is_one_cluster():
    a = np.arange(0, 500)
    _, labels = cluster_labels(a, a + 1)
    assert set(labels.tolist()) == {0}


def test_premises_spend_is_spread_by_floor_area_with_the_median_for_the_unsized():
    table = pa.table(
        {
            "partner": ["hbc", "hbc", "hbc", None, "hbc"],
            "place_status": ["in place", "in place", "in place", "in place", "outside the place"],
            "is_building": [True, True, True, True, True],
            "located_by": ["coordinates", "coordinates", "postcode", "coordinates", "coordinates"],
            "size_m2": [100.0, 300.0, None, 80.0, 999.0],
        }
    )
    spend = PremisesSpend("2024-25", {"hbc": Decimal("1200.00")})
    cost, method = spread_costs(table, spend)
    # Sizes 100 and 300 known; the third gets their median, 200: weights 100:300:200 of
    # £1,200 = £200, £600, £400 (adding to £1,200.00). The non-partner and the building
    # outside the place get nothing.
    assert cost.to_pylist() == [Decimal("200.00"), Decimal("600.00"), Decimal("400.00"), None, None]
    assert (
        method[0].as_py()
        == "estimate: 2024-25 premises spend by floor area (median for those without)"
    )
    assert method[3].as_py() == "not a partner: no counted spend"


def test_premises_spend_falls_back_to_equal_shares_without_floor_areas():
    table = pa.table(
        {
            "partner": ["p", "p", "p"],
            "place_status": ["in place"] * 3,
            "is_building": [True] * 3,
            "located_by": ["postcode"] * 3,
            "size_m2": pa.array([None, None, None], pa.float64()),
        }
    )
    cost, _ = spread_costs(table, PremisesSpend("2024-25", {"p": Decimal("100.00")}))
    # £100.00 in three: 33.34 + 33.33 + 33.33 (largest remainder, the first penny first).
    assert cost.to_pylist() == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_a_radius_that_is_no_walking_distance_is_refused(tmp_path):
    _two_bodies(tmp_path / "ws", ("375180", "430240"))
    with pytest.raises(UsageError, match="--radius 0"):
        assets(open_workspace(tmp_path / "ws"), radius_m=0)


@pytest.fixture
def trafford(realdata: Path, tmp_path: Path):
    root = tmp_path / "trafford"
    init_workspace(root, "E08000009")
    (root / "data").mkdir()
    shutil.copy(
        realdata / "trafford_council/trafford_land_and_building_assets.csv",
        root / "data" / "tmbc.csv",
    )
    shutil.copy(
        realdata / "reference/nhs_need/aif_gp_practice_weighted_population_2024_2025.csv",
        root / "data" / "gp.csv",
    )
    declare(
        root,
        [
            ("Trafford Council", ["data/tmbc.csv"], ["E08000009"]),
            ("NHS GP practices", ["data/gp.csv"], []),
        ],
    )
    return root


def _to_bng(source: Path, target: Path) -> None:
    """Rewrite a WGS84 Transparency Code file with National Grid GeoX/GeoY, as other councils publish."""
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with_xy = [r for r in rows if r["GeoX"].strip()]
    lon = np.array([float(r["GeoX"]) for r in with_xy])
    lat = np.array([float(r["GeoY"]) for r in with_xy])
    swapped = lon > 40  # the register's one row with latitude in GeoX
    lat, lon = np.where(swapped, lon, lat), np.where(swapped, lat, lon)
    east, north = wgs84_to_bng(lat, lon)
    for row, e, n in zip(with_xy, east, north, strict=True):
        row["GeoX"], row["GeoY"] = f"{e:.2f}", f"{n:.2f}"
        row["CoordinateReferenceSystem"] = "OSGB36"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _clusters(result) -> set[frozenset[tuple[str, str]]]:
    by_cluster: dict[int, set[tuple[str, str]]] = {}
    for m in result.members:
        by_cluster.setdefault(m["cluster_id"], set()).add((m["body"], m["asset_id"]))
    return {frozenset(v) for v in by_cluster.values()}


def test_trafford_in_national_grid_metres_gives_the_same_clusters(trafford):
    wgs = assets(open_workspace(trafford))
    assert wgs.clusters, "Trafford's buildings and GP practices should meet somewhere"
    _to_bng(trafford / "data" / "tmbc.csv", trafford / "data" / "bng.csv")
    (trafford / "data" / "tmbc.csv").unlink()
    text = (trafford / "place.toml").read_text(encoding="utf-8").replace("tmbc.csv", "bng.csv")
    (trafford / "place.toml").write_text(text, encoding="utf-8")
    bng = assets(open_workspace(trafford))
    assert _clusters(bng) == _clusters(wgs)
    assert bng.pairs == wgs.pairs
