"""Precision and recall of the linker on hand-labelled pairs of real supplier names.

The pairs (labelled_pairs.csv, rules in README.md here) were never used to fit the
model when their split is 'holdout'. The floors are the numbers the shipped model
reaches (docs/decisions/0006-supplier-linking.md) less a small margin, so a change
that makes matching worse fails here; the project's aim (precision 0.98, recall 0.95)
is stated, not asserted, because this model does not reach it.
"""

from __future__ import annotations

import pytest

from totalplace.link import evaluate, load_pairs
from totalplace.link.evaluate import pairs_register

# Measured with the shipped model and the files' evidence (pair_evidence.csv): holdout
# precision 0.967, recall 0.856 (names alone: 0.966, 0.827; before issue 7: 0.966, 0.808);
# unseen publishers precision 1.000, recall 0.929 (before issue 7: 1.000, 0.857).
HOLDOUT_PRECISION_FLOOR = 0.94
HOLDOUT_RECALL_FLOOR = 0.83
UNSEEN_PRECISION_FLOOR = 0.98
UNSEEN_RECALL_FLOOR = 0.90


@pytest.fixture(scope="module")
def pairs():
    return load_pairs()


@pytest.fixture(scope="module")
def register(pairs):
    return pairs_register(pairs)


def test_the_labelled_set_has_enough_pairs_of_both_kinds_in_both_halves(pairs):
    assert len(pairs) >= 500
    for split in ("tune", "holdout"):
        chosen = [p for p in pairs if p.split == split]
        assert sum(p.same for p in chosen) >= 80
        assert sum(not p.same for p in chosen) >= 150
    sources = {p.source.split(" ")[0] for p in pairs}
    assert {"cross-partner", "trafford"} <= sources


def test_holdout_precision_and_recall_stay_above_their_floors(pairs, register):
    result = evaluate(pairs, "holdout", register=register)
    assert result.precision >= HOLDOUT_PRECISION_FLOOR, result.as_dict()
    assert result.recall >= HOLDOUT_RECALL_FLOOR, result.as_dict()


def test_names_from_publishers_never_tuned_on_link_as_well(pairs, register):
    unseen = [p for p in pairs if p.split == "unseen"]
    assert sum(p.same for p in unseen) >= 40 and sum(not p.same for p in unseen) >= 70
    assert {p.source.split(" ")[0] for p in unseen} == {"unseen-publishers"}
    result = evaluate(pairs, "unseen", register=register)
    assert result.precision >= UNSEEN_PRECISION_FLOOR, result.as_dict()
    assert result.recall >= UNSEEN_RECALL_FLOOR, result.as_dict()


def test_the_files_evidence_raises_recall_without_costing_precision(pairs, register):
    names_only = evaluate(pairs, "holdout", register=pairs_register(pairs, evidence=False))
    with_evidence = evaluate(pairs, "holdout", register=register)
    assert with_evidence.recall > names_only.recall
    assert with_evidence.precision >= names_only.precision


def test_errors_are_listed_for_review(pairs, register):
    result = evaluate(pairs, "holdout", register=register)
    assert len(result.errors) == result.false_positives + result.false_negatives
    assert all({"name_a", "name_b", "same"} <= set(e) for e in result.errors)
