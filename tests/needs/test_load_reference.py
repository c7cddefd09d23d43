"""Newer reference files of the published layouts, loaded into a workspace, replace the shipped copy."""

from __future__ import annotations

import json

import pytest

from totalplace.needs import LayoutError, district_deprivation, load_reference, wards

from .conftest import HYNDBURN

DEPRIVATION = "reference/deprivation"


def test_a_loaded_district_summary_is_used_in_preference_to_the_shipped_one(workspace, realdata):
    source = realdata / DEPRIVATION / "IoD2025_LAD_summaries_tidy.csv"
    item = load_reference("district_deprivation", source, workspace)
    assert (item.key, item.edition, item.rows) == ("district_deprivation_2025", 2025, 296)
    stored = workspace.state_dir / "reference" / item.file
    assert stored.read_bytes() == source.read_bytes()
    manifest = json.loads((workspace.state_dir / "reference" / "loaded.json").read_text())
    assert manifest["district_deprivation_2025"]["original"] == str(source.resolve())
    loaded = district_deprivation(HYNDBURN, 2025, workspace)
    assert "user-loaded" in loaded.source and loaded.rank_average_score == 14
    assert "user-loaded" not in district_deprivation(HYNDBURN, 2025).source
    assert "user-loaded" not in district_deprivation(HYNDBURN, 2019, workspace).source


def test_loaded_lsoa_files_rebuild_the_same_wards_as_the_shipped_subset(workspace, realdata):
    load_reference(
        "lsoa_ward", realdata / "reference/geography_ons/LSOA11_to_WD17_to_LAD17_EW.csv", workspace
    )
    load_reference(
        "lsoa_population",
        realdata / DEPRIVATION / "File_6_-_IoD2019_Population_Denominators.csv.gz",
        workspace,
    )
    item = load_reference(
        "lsoa_imd",
        realdata / DEPRIVATION / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        workspace,
    )
    assert item.edition == 2019 and item.file == "lsoa_imd.csv.gz"
    assert wards(HYNDBURN, workspace) == wards(HYNDBURN)


def test_a_file_in_another_layout_is_refused_and_nothing_is_stored(workspace, realdata):
    wrong = realdata / "reference/geography_ons/LSOA11_to_WD17_to_LAD17_EW.csv"
    with pytest.raises(LayoutError, match="no column for the LSOA code"):
        load_reference("lsoa_imd", wrong, workspace)
    assert not (workspace.state_dir / "reference" / "loaded.json").exists()
    with pytest.raises(LayoutError, match="unknown kind"):
        load_reference("postcodes", wrong, workspace)
