"""The first-digit test: hand-worked MAD and chi-square, a true Benford sample conforms, flat digits do not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from totalplace.integrity.benford import (
    BENFORD,
    benford_table,
    chi_square,
    chi_square_p_value_df8,
    conformity,
    detect_benford,
    expected_mad,
    mad,
)
from totalplace.integrity.params import Params

from .signal_ledgers import ledger

PARAMS = Params()
D = date(2024, 6, 3)


def test_benford_probabilities_are_log10_of_one_plus_one_over_d():
    # log10(2) = 0.30103, log10(10/9) = 0.045757; they add up to log10(10) = 1.
    assert BENFORD[0] == pytest.approx(0.30103, abs=1e-5)
    assert BENFORD[8] == pytest.approx(0.045757, abs=1e-6)
    assert BENFORD.sum() == pytest.approx(1.0)


def test_mad_of_flat_digits_by_hand():
    # Shares 1/9 = 0.111111 against 0.30103 0.17609 0.12494 0.09691 0.07918 0.06695 0.05799
    # 0.05115 0.04576: |differences| 0.18992 0.06498 0.01383 0.01420 0.03193 0.04416 0.05312
    # 0.05996 0.06535, sum 0.53745, mean 0.059717.
    assert mad(np.ones(9))[0] == pytest.approx(0.059717, abs=1e-5)
    # Counts exactly in Benford's proportions: no deviation at all.
    assert mad(BENFORD * 1000)[0] == pytest.approx(0.0)


def test_chi_square_and_its_p_value_with_eight_degrees_of_freedom():
    # 100 payments all starting with 1: (100 - 30.103)^2 / 30.103 + sum of the other expected
    # counts (100 - 30.103 = 69.897): 162.29 + 69.897 = 232.19.
    counts = np.array([100, 0, 0, 0, 0, 0, 0, 0, 0])
    assert chi_square(counts)[0] == pytest.approx(232.19, abs=0.01)
    # Published chi-square table, 8 df: 15.507 at p = 0.05, 20.090 at p = 0.01, 26.124 at 0.001.
    p = chi_square_p_value_df8(np.array([15.507, 20.090, 26.124]))
    assert p == pytest.approx([0.05, 0.01, 0.001], abs=2e-5)
    # x = 2: exp(-1) (1 + 1 + 1/2 + 1/6) = 0.981012.
    assert chi_square_p_value_df8(np.array([2.0]))[0] == pytest.approx(0.981012, abs=1e-6)


def test_nigrini_bands():
    got = conformity(np.array([0.005, 0.006, 0.01, 0.013, 0.0151]), PARAMS)
    assert list(got) == [
        "close conformity",
        "close conformity",
        "acceptable conformity",
        "marginally acceptable conformity",
        "nonconformity",
    ]


def test_expected_mad_of_a_true_benford_sample():
    # sqrt(2 p (1-p) / pi) averaged over the nine digits is 0.23487; over sqrt(300) = 17.32.
    assert expected_mad(300) == pytest.approx(0.23487 / np.sqrt(300), rel=1e-3)


def _amounts(values: np.ndarray) -> list[str]:
    return [f"{v:.2f}" for v in values]


@pytest.mark.parametrize("seed", range(5))
def test_a_true_benford_sample_conforms_and_flat_first_digits_do_not(seed):
    rng = np.random.default_rng(seed)
    benford = 10 ** rng.uniform(3, 6, 1000)  # log-uniform over three whole decades
    digits = rng.integers(1, 10, 400)
    flat = digits * 1000 + rng.uniform(0, 999.99, 400)  # first digit uniform on 1..9
    rows = [("p", "Benford Ltd", D, a, "x") for a in _amounts(benford)]
    rows += [("p", "Flat Ltd", D, a, "x") for a in _amounts(flat)]
    table = {
        r["supplier_key"]: r for r in benford_table(ledger(rows), PARAMS).to_pyarrow().to_pylist()
    }
    assert table["benford ltd"]["conformity"] != "nonconformity"
    assert table["benford ltd"]["p_value"] > 0.01
    assert table["flat ltd"]["conformity"] == "nonconformity"
    assert table["flat ltd"]["p_value"] < 1e-6
    # Flat Ltd's amounts are all £1,000-£9,999.99: the 95th / 5th percentile is under 10,
    # not the 100 (two orders of magnitude) a supplier needs to be tested.
    assert table["flat ltd"]["spread"] < 10 and table["flat ltd"]["tested"] is False
    assert table["benford ltd"]["spread"] > 100 and table["benford ltd"]["tested"] is True
    found = detect_benford(ledger(rows), PARAMS).findings.to_pyarrow().to_pylist()
    # The partner as a whole still fails: 400 of its 1,400 payments have flat digits.
    assert {f["supplier"] for f in found} == {"all suppliers"}


def _wide_flat(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return ``n`` amounts with first digits uniform on 1..9 over three decades (£1,000-£999,999)."""
    digits = rng.integers(1, 10, n)
    decades = 10.0 ** rng.integers(3, 6, n)
    return digits * decades * (1 + rng.uniform(0, 0.099, n))


@pytest.mark.parametrize("seed", range(3))
def test_a_supplier_is_a_signal_only_where_its_partner_fails_too(seed):
    rng = np.random.default_rng(seed)
    # calm: 5,000 Benford payments and 400 flat ones; its MAD is about 400/5,400 of a flat
    # sample's 0.0597 (mean |1/9 - log10(1 + 1/d)| over d = 1..9) = 0.0044: it conforms.
    rows = [("calm", "Benford Ltd", D, a, "x") for a in _amounts(10 ** rng.uniform(3, 6, 5000))]
    rows += [("calm", "Wide Flat Ltd", D, a, "x") for a in _amounts(_wide_flat(rng, 400))]
    # loud: 600 Benford and 400 flat: 0.4 x 0.0597 = 0.024 > 0.015, nonconformity.
    rows += [("loud", "Benford Two Ltd", D, a, "x") for a in _amounts(10 ** rng.uniform(3, 6, 600))]
    rows += [("loud", "Wide Flat Ltd", D, a, "x") for a in _amounts(_wide_flat(rng, 400))]
    found = detect_benford(ledger(rows), PARAMS).findings.to_pyarrow().to_pylist()
    grades = {(f["partners"], f["supplier"]): f["grade"] for f in found}
    assert grades == {
        ("calm", "Wide Flat Ltd"): "information",
        ("loud", "Wide Flat Ltd"): "signal to check",
        ("loud", "all suppliers"): "signal to check",
    }


def test_a_price_list_supplier_is_not_tested():
    # A care provider paid three weekly rates 400 times: £1,250, £1,480, £2,100 -- the
    # first digits are 1 and 2 only (nonconformity), but the spread is 2,100 / 1,250 = 1.68.
    rows = [("p", "Care Home Ltd", D, a, "x") for a in ("1250.00", "1480.00", "2100.00") * 134]
    row = {r["scope"]: r for r in benford_table(ledger(rows), PARAMS).to_pyarrow().to_pylist()}
    assert row["supplier"]["conformity"] == "nonconformity"
    assert row["supplier"]["spread"] == pytest.approx(2100 / 1250)
    assert row["supplier"]["tested"] is False


def test_too_few_payments_are_not_tested_and_small_amounts_are_left_out():
    rows = [("p", "Few Ltd", D, f"{1000 + i}.00", "x") for i in range(299)]
    rows += [("p", "Few Ltd", D, "999.99", "x")] * 50  # under £1,000: not counted
    table = benford_table(ledger(rows), PARAMS).to_pyarrow().to_pylist()
    assert table == []  # 299 < 300, for the supplier and for the partner


def test_members_are_the_payments_with_the_most_over_represented_digit():
    # 300 payments: 201 start with 5, then 11 for each digit 1..9.
    rows = [("p", "Fives Ltd", D, "5123.00", "x")] * 201
    rows += [("p", "Fives Ltd", D, f"{d}234.00", "x") for d in range(1, 10) for _ in range(11)]
    found = detect_benford(ledger(rows), PARAMS)
    findings = {f["supplier"]: f for f in found.findings.to_pyarrow().to_pylist()}
    # Five appears 201 + 11 = 212 times of 300: at stake 201 x 5,123 + 11 x 5,234
    # = 1,029,723 + 57,574 = £1,087,297.
    fives = findings["all suppliers"]
    assert fives["rows"] == 212
    assert fives["money_at_stake"] == Decimal("1087297.00")
    # Fives Ltd's amounts span £1,234-£9,234 (under two orders of magnitude): only the
    # partner as a whole is tested and flagged.
    assert fives["supplier"] == "all suppliers"
    assert found.members.count().to_pyarrow().as_py() == 212
