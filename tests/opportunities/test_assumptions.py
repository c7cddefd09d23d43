"""The benchmark saving rates: cited defaults, workspace and command-line overrides, clear errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from totalplace.classify import BACK_OFFICE_FUNCTIONS
from totalplace.opportunities import (
    AssumptionsError,
    default_assumptions_path,
    load_assumptions,
    rate_overrides,
)


def test_every_default_benchmark_is_a_range_citing_its_source():
    assumptions = load_assumptions()
    benchmarks = assumptions.benchmarks()
    assert [b.key for b in benchmarks][0] == "back_office" and benchmarks[-1].key == "procurement"
    for b in benchmarks:
        assert Decimal(0) < b.low <= b.central <= b.high < Decimal(1)
        # Each names the domain reference's source: OEP [S70], CLG Committee [S73]...
        assert "S70" in b.source and "domain.md §8" in b.source
        assert b.origin == "default"


def test_the_central_rates_are_the_oep_ratios_of_domain_md_section_8():
    a = load_assumptions()
    # OEP (2009): back office £4bn of £18bn; IT £3.2bn of £16bn; procurement £6.1bn of
    # £89bn; property running costs up to £1.5bn of £25bn.
    assert abs(a.back_office.central - Decimal(4) / Decimal(18)) < Decimal("0.0001")
    assert a.for_function("ICT").central == Decimal("3.2") / Decimal(16)
    assert abs(a.procurement.central - Decimal("6.1") / Decimal(89)) < Decimal("0.0001")
    assert a.for_function("Property").high == Decimal("1.5") / Decimal(25)
    # Functions without their own OEP line use the back-office benchmark.
    assert a.for_function("HR") is a.back_office
    assert a.procurement_min_partners == 2 and a.shared_min_partners == 2


def test_the_packaged_file_is_commented_for_a_reader():
    text = default_assumptions_path().read_text(encoding="utf-8")
    assert text.count("#") > 20 and "assumptions.toml" in text and "[U]" in text


def test_a_workspace_file_overrides_only_the_keys_it_sets(tmp_path: Path):
    (tmp_path / "assumptions.toml").write_text(
        "[back_office]\ncentral = 0.18\n\n[procurement]\nmin_partners = 3\n", encoding="utf-8"
    )
    a = load_assumptions(tmp_path)
    assert a.back_office.central == Decimal("0.18")
    assert a.back_office.low == Decimal("0.15") and a.back_office.high == Decimal("0.3")
    assert a.back_office.origin == str(tmp_path / "assumptions.toml")
    assert a.procurement.central == Decimal("0.0685") and a.procurement.origin == "default"
    assert a.procurement_min_partners == 3
    assert str(tmp_path / "assumptions.toml") in a.files


def test_a_function_inherits_the_rates_it_does_not_set(tmp_path: Path):
    (tmp_path / "assumptions.toml").write_text(
        '[back_office.function.Legal]\ncentral = 0.25\nsource = "our own review"\n',
        encoding="utf-8",
    )
    legal = load_assumptions(tmp_path).for_function("Legal")
    assert (legal.low, legal.central, legal.high) == (
        Decimal("0.15"),
        Decimal("0.25"),
        Decimal("0.3"),
    )
    assert legal.source == "our own review"


def test_a_command_line_rate_applies_to_every_function_and_wins_over_files(tmp_path: Path):
    (tmp_path / "assumptions.toml").write_text("[back_office]\ncentral = 0.18\n", encoding="utf-8")
    a = load_assumptions(tmp_path, rate_overrides(back_office=0.1, procurement=0.05))
    for name in BACK_OFFICE_FUNCTIONS:
        b = a.for_function(name)
        assert b.low == b.central == b.high == Decimal("0.1")
        assert b.origin == "command line" and "10%" in b.source
    assert a.procurement.central == Decimal("0.05") and a.procurement.origin == "command line"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[back_office]\ncentral = 0.5\n", "low <= central <= high"),
        ("[back_office]\nlow = 15\n", "a fraction: 0.15 for 15%"),
        ("[back_office]\ncentral = -0.1\n", "is not between 0 and 1"),
        ('[back_office]\ncentral = "a lot"\n', "must be a number"),
        ("[back_offices]\ncentral = 0.1\n", "unknown section(s) back_offices"),
        ("[procurement]\nsaving = 0.1\n", "unknown key(s) saving"),
        ("[back_office.function.IT]\ncentral = 0.1\n", "not a back-office function"),
        ("[procurement]\nmin_partners = 0\n", "whole number >= 1"),
        ("[back_office\n", "not valid TOML"),
    ],
)
def test_a_wrong_workspace_file_is_refused_with_a_clear_message(
    tmp_path: Path, text: str, message: str
):
    (tmp_path / "assumptions.toml").write_text(text, encoding="utf-8")
    with pytest.raises(AssumptionsError, match=None) as caught:
        load_assumptions(tmp_path)
    assert message in str(caught.value)


def test_a_command_line_rate_above_one_is_refused():
    with pytest.raises(AssumptionsError, match="command line.*a fraction: 0.15 for 15%"):
        load_assumptions(overrides=rate_overrides(back_office=15))
