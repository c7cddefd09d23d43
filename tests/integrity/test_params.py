"""integrity.toml overrides the packaged thresholds key by key; mistakes are named with file and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from totalplace.integrity.params import IntegrityParamsError, Params, load_params


def test_the_defaults_are_the_packaged_ones_each_with_a_reason():
    p = Params()
    assert p.likely_days == 14
    assert p.split_thresholds == (
        Decimal("5000"),
        Decimal("25000"),
        Decimal("30000"),
        Decimal("213477"),
    )
    assert "Procurement Act 2023" in p.citation("split_thresholds")
    assert p.citation("duplicate_confidence_exact")  # the group's reason covers it


def test_a_workspace_file_overrides_only_what_it_sets(tmp_path: Path):
    (tmp_path / "integrity.toml").write_text(
        '[duplicates]\nlikely_days = 7\nlikely_days_source = "our payment run is weekly"\n'
        "split_window_days = 30\n"
    )
    p = load_params(tmp_path)
    assert (p.likely_days, p.split_window_days, p.possible_days) == (7, 30, 0)
    assert p.citation("likely_days") == "our payment run is weekly"
    assert p.citation("split_window_days") == "integrity.toml (no source given)"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[duplicates]\nlikley_days = 7\n", "line 2: unknown key 'likley_days'"),
        (
            "\n\nsplit_near_fraction = 1.5\n",
            "line 3: split_near_fraction = 1.5 must be between 0 and 1",
        ),
        ("likely_days = -1\n", "line 1: likely_days = -1 is not a whole number"),
        ("split_thresholds = 5000\n", "line 1: split_thresholds must be a list"),
        ("likely_days = \n", "not valid TOML"),
    ],
)
def test_a_bad_integrity_toml_is_named_with_its_line(tmp_path: Path, text: str, words: str):
    (tmp_path / "integrity.toml").write_text(text)
    with pytest.raises(IntegrityParamsError) as caught:
        load_params(tmp_path)
    assert "integrity.toml" in str(caught.value)
    assert words in str(caught.value)
