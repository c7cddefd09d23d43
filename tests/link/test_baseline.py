"""The plain token-set baseline printed beside the linker by ``make eval``."""

from __future__ import annotations

import pytest

from totalplace.link.evaluate import LabelledPair

pytest.importorskip("rapidfuzz")

from totalplace.link.baseline import baseline, recall_at_precision, scores, tune_threshold  # noqa: E402


def _pair(a: str, b: str, same: bool, split: str = "tune") -> LabelledPair:
    return LabelledPair(a, b, same, "test", split, "a", "b")


def test_token_set_ratio_by_hand():
    # Processed: "mott macdonald ltd" / "mott macdonald limited". token_set_ratio is the
    # best of: common words "macdonald mott" (14) vs + "ltd" (18): 2*14/32 = 0.875; vs
    # + "limited" (22): 28/36 = 0.778; "ltd" vs "limited" (common subsequence l-t-d):
    # 6/10 = 0.6; and "macdonald mott ltd" (18) vs "macdonald mott limited" (22), whose
    # longest common subsequence is all 18 letters of the first: 36/40 = 0.9 -> 90.
    # A name whose words are all in the other scores 100.
    got = scores(
        [
            _pair("Mott MacDonald Ltd", "MOTT MACDONALD LIMITED", True),
            _pair("DWP", "DWP DEBT MANAGEMENT", True),
        ]
    )
    assert got[0] == pytest.approx(90.0)
    assert got[1] == 100


def test_threshold_tuned_on_the_tune_pairs_only_and_judged_elsewhere():
    pairs = [
        _pair("Mott MacDonald Ltd", "MOTT MACDONALD LIMITED", True),  # 90
        _pair("DWP", "DWP DEBT MANAGEMENT", True),  # 100
        _pair("HASSELL", "HASSELL FREE FILING LTD", False),  # 100: a subset, not a match
        _pair("CBRE LTD", "CBRE LIMITED", True, "holdout"),
        _pair("HASSELL", "HASSELL FREE FILING LTD", False, "holdout"),
    ]
    # Tune: at any threshold <= 90 all three pairs are joined (P 2/3, R 1, F1 0.8);
    # above it two (P 1/2, R 1/2, F1 0.5) -> the lowest threshold of the best, 50.
    assert tune_threshold(pairs) == 50
    held = baseline(pairs, "holdout", 50)
    # holdout: both joined (CBRE 'cbre ltd'/'cbre limited' scores >= 50): TP 1, FP 1
    assert (held.true_positives, held.false_positives, held.false_negatives) == (1, 1, 0)
    # no threshold gives precision 1 on the holdout pairs except joining none
    best = recall_at_precision(pairs, "holdout", 1.0)
    assert best.recall < 1.0
