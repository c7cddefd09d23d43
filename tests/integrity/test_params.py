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
        # PPN 11/23: £214,904 including VAT, sub-central supplies and services from 1 Jan 2024
        Decimal("214904"),
    )
    assert "Procurement Act 2023" in p.citation("split_thresholds")
    assert p.citation("duplicate_confidence_exact")  # the group's reason covers it
    # the signals' thresholds are the same parameter set, money as Decimal
    assert p.round_unit == Decimal(1000) and isinstance(p.concentration_min_spend, Decimal)
    assert p.year_end_min_amount == Decimal(25000) and p.hhi_high == 2500.0
    assert "Nigrini" in p.citation("benford_mad_marginal")
    assert p.benford_supplier_min_spread == 100.0  # two orders of magnitude: 10 ** 2


def test_every_parameter_has_its_own_reason():
    p = Params()
    names = [k for k in p.as_json() if k not in ("split_thresholds_by_partner", "files")]
    assert [n for n in names if not p.citation(n)] == []


def test_a_workspace_file_overrides_a_signal_threshold_in_its_table(tmp_path: Path):
    (tmp_path / "integrity.toml").write_text(
        "[concentration]\nhhi_high = 3000\n[round_numbers]\nround_unit = 500\n"
    )
    p = load_params(tmp_path)
    assert (p.hhi_high, p.round_unit) == (3000.0, Decimal(500))
    assert p.year_end_days == 7  # untouched


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
        ("[benford]\nbenford_p_value = 2\n", "line 2: benford_p_value = 2 must be between 0 and 1"),
        ("[one_off]\n\none_off_min_amount = 'big'\n", "line 3: one_off_min_amount = 'big'"),
    ],
)
def test_a_bad_integrity_toml_is_named_with_its_line(tmp_path: Path, text: str, words: str):
    (tmp_path / "integrity.toml").write_text(text)
    with pytest.raises(IntegrityParamsError) as caught:
        load_params(tmp_path)
    assert "integrity.toml" in str(caught.value)
    assert words in str(caught.value)
