"""The three published registers load, every row kept and counted; other spellings load alike."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assets.helpers import TC_HEADER, declare, write_csv
from totalplace.assets.layouts import RegisterFileError, read_register_file
from totalplace.assets.locate import locate
from totalplace.assets.registers import load_registers
from totalplace.workspace import init_workspace, open_workspace

TRAFFORD = "trafford_council/trafford_land_and_building_assets.csv"
LCC = "lancashire/lancashire_cc_assets/property_assets.json"
GP = "reference/nhs_need/aif_gp_practice_weighted_population_2024_2025.csv"


@pytest.fixture
def lancashire(realdata: Path, tmp_path: Path):
    root = tmp_path / "hyndburn"
    init_workspace(root, "E07000120")
    (root / "data").mkdir()
    shutil.copy(realdata / LCC, root / "data" / "lcc.json")
    shutil.copy(realdata / GP, root / "data" / "gp.csv")
    declare(
        root,
        [
            ("Lancashire County Council", ["data/lcc.json"], []),
            ("NHS GP practices", ["data/gp.csv"], []),
        ],
    )
    return open_workspace(root)


def test_lancashire_and_gp_registers_load_every_row_and_keep_hyndburns(lancashire, realdata):
    table, summaries = load_registers(lancashire)
    lcc = json.loads((realdata / LCC).read_text(encoding="utf-8"))["assets"]
    with (realdata / GP).open(encoding="utf-8") as handle:
        gp = list(csv.DictReader(handle))
    # Independent counts from the files themselves.
    assert table.num_rows == len(lcc) + len(gp) == 1219 + 6553
    by_body = {s.body: s for s in summaries}
    lcc_in = [a for a in lcc if a["district"] == "Hyndburn" and a["lat"] is not None]
    assert by_body["Lancashire County Council"].in_place == len(lcc_in) == 67
    # LCC rows with no lat/lng and no full postcode cannot be placed on a map.
    unplaced = [
        a
        for a in lcc
        if a["lat"] is None and not re.fullmatch(r"[A-Z0-9]{2,4} \d[A-Z]{2}", a["postcode"] or "")
    ]
    assert by_body["Lancashire County Council"].not_located == len(unplaced)
    assert by_body["Lancashire County Council"].buildings_in_place == sum(
        1 for a in lcc_in if not a["land_only"]
    )
    gp_in = [r for r in gp if r["LAD21"] == "E07000120"]
    assert by_body["NHS GP practices"].in_place == len(gp_in) == 13
    assert by_body["NHS GP practices"].outside == len(gp) - 13
    for s in summaries:  # nothing lost: every row is in exactly one count
        assert s.not_located + s.outside + s.district_unknown + s.in_place == s.loaded


def test_the_third_partys_scores_are_not_read(lancashire):
    table, _ = load_registers(lancashire)
    assert not {"colocate_score", "sell_score", "keep_score"} & set(table.column_names)


def test_trafford_register_loads_with_its_wgs84_coordinates(realdata):
    layout, raw = read_register_file(realdata / TRAFFORD)
    with (realdata / TRAFFORD).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert layout == "transparency_code"
    assert len(raw) == len(rows) == 608
    located = locate(raw)
    with_xy = [r for r in rows if r["GeoX"].strip()]
    assert (located["located_by"] == "coordinates").sum() == len(with_xy) == 373
    # Altrincham Town Hall, row 2 of the file: GeoX -2.3520922, GeoY 53.3879587 (WGS84).
    first = located.iloc[0]
    assert first["name"] == "Altrincham Town Hall" and first["source_row"] == 2
    assert first["lon"] == pytest.approx(-2.3520922) and first["lat"] == pytest.approx(53.3879587)
    assert first["size_m2"] == pytest.approx(415.05)
    # Davyhulme Youth Centre (row 387) publishes GeoX 53.457484, GeoY -2.365856: swapped.
    davyhulme = located[located["source_row"] == 387].iloc[0]
    assert (davyhulme["lat"], davyhulme["lon"]) == (53.457484, -2.365856)
    assert davyhulme["location_note"].startswith("GeoX and GeoY were latitude and longitude")
    # Rows without coordinates are kept: by a full postcode where they have one.
    # A full postcode ends in its inward code, a digit and two letters ('M31 2DN');
    # 'M31' and the sector 'WA14 1' are not full.
    full = [
        r
        for r in rows
        if not r["GeoX"].strip()
        and re.fullmatch(r"[A-Z0-9]{2,4} \d[A-Z]{2}", r["PostCode"].strip())
    ]
    assert (located["located_by"] == "postcode").sum() == len(full)
    reasons = located.loc[located["located_by"].isna(), "not_located_reason"]
    assert len(reasons) == 608 - 373 - len(full)
    assert set(reasons) <= {
        "no coordinates and only a partial postcode",
        "no coordinates and no postcode",
    }


SPELLINGS = {
    "UPRN": ["UPRN", "uprn", "Unique Property Reference Number"],
    "AssetCode": ["AssetCode", "Asset Code", "asset_reference", "ASSET REF"],
    "PropertyName": ["PropertyName", "Property Name", "property_name", "ASSET NAME"],
    "PostCode": ["PostCode", "Post Code", "postcode", "POSTAL_CODE"],
    "GeoX": ["GeoX", "Geo X", "geo_x", "X"],
    "GeoY": ["GeoY", "Geo Y", "geo_y", "Y"],
    "BuildingSize": ["BuildingSize", "Building Size", "GIA", "floor_area_sqm"],
}


@settings(max_examples=25, deadline=None)
@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in SPELLINGS.items()}))
def test_other_spellings_of_the_code_fields_load_alike(tmp_path_factory, names):
    header = [names[k] for k in SPELLINGS]
    path = write_csv(
        tmp_path_factory.mktemp("spell") / "assets.csv",
        header,
        [["10001", "A1", "Town Hall", "bb5 1la", "375000", "430000", "1,200"]],
    )
    layout, raw = read_register_file(path)
    row = locate(raw).iloc[0]
    assert layout == "transparency_code"
    assert (row["asset_id"], row["name"], row["postcode"]) == ("A1", "Town Hall", "BB5 1LA")
    # 375000/430000 are too big for degrees: National Grid metres, kept as given.
    assert (row["easting"], row["northing"]) == (375000.0, 430000.0)
    assert row["size_m2"] == 1200.0


def test_the_reference_system_column_decides_degrees_or_metres(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        TC_HEADER,
        [
            ["C", "1", "A", "One", "BB5 1LA", "WGS84", "-2.36", "53.75", "", "Buildings", ""],
            ["C", "2", "B", "Two", "BB5 1LA", "OSGB36", "375000", "430000", "", "Buildings", ""],
            ["C", "3", "C", "Three", "", "", "", "", "", "Buildings", ""],
            ["C", "4", "D", "Four", "BB5", "WGS84", "45.0", "10.0", "", "Buildings", ""],
        ],
    )
    _, raw = read_register_file(path)
    out = locate(raw)
    assert out["lon"].iloc[0] == -2.36 and not np.isnan(out["easting"].iloc[0])
    assert out["easting"].iloc[1] == 375000.0 and 53 < out["lat"].iloc[1] < 54
    assert list(out["not_located_reason"].iloc[2:]) == [
        "no coordinates and no postcode",
        "coordinates outside Great Britain and only a partial postcode",
    ]


def test_an_unknown_layout_names_the_file_and_the_layouts_read(tmp_path):
    path = write_csv(tmp_path / "odd.csv", ["Foo", "Bar"], [["1", "2"]])
    with pytest.raises(RegisterFileError, match=r"odd\.csv.*Transparency Code"):
        read_register_file(path)
