"""Precision and recall of the linker on hand-labelled pairs of real supplier names.

The pairs (labelled_pairs.csv, rules in README.md here) were never used to fit the
model when their split is 'holdout', 'unseen' or 'unseen-jw' ('unseen': both names from
publishers never tuned on, drawn with no similarity floor). The precision floors are
the project's aim (0.98); the recall floors are what the shipped linker reaches
(docs/decisions/0027-linking-that-travels.md) less a small margin, so a change that
makes matching worse fails here. The recall aim (0.95) is stated, not asserted: the
linker does not reach it.
"""

from __future__ import annotations

import pytest

from totalplace.link import evaluate, load_pairs
from totalplace.link.evaluate import pairs_register

# Measured with the shipped model and the files' evidence (pair_evidence.csv), issue 7
# part 6: holdout precision 1.000, recall 0.875 (before: 0.967, 0.856); unseen
# publishers, pairs drawn by blocking with no similarity floor: 1.000, 0.809 (before:
# 0.875, 0.745); the earlier unseen pairs (Jaro-Winkler >= 0.80 floor): 1.000, 0.929.
HOLDOUT_PRECISION_FLOOR = 0.98
HOLDOUT_RECALL_FLOOR = 0.85
UNSEEN_PRECISION_FLOOR = 0.98
UNSEEN_RECALL_FLOOR = 0.78
UNSEEN_JW_PRECISION_FLOOR = 0.98
UNSEEN_JW_RECALL_FLOOR = 0.90


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
    assert sum(p.same for p in unseen) >= 40 and sum(not p.same for p in unseen) >= 200
    # drawn by blocking (shared rare word, contained words, supplier id, postcode), plus
    # hand-picked hard pairs -- never by how alike the names look
    assert {p.source.split(" ")[0] for p in unseen} == {
        "unseen-block-rare-token",
        "unseen-block-very-rare-token",
        "unseen-block-contained",
        "unseen-block-supplier-id",
        "unseen-block-postcode",
        "unseen-hard",
    }
    result = evaluate(pairs, "unseen", register=register)
    assert result.precision >= UNSEEN_PRECISION_FLOOR, result.as_dict()
    assert result.recall >= UNSEEN_RECALL_FLOOR, result.as_dict()
    earlier = evaluate(pairs, "unseen-jw", register=register)
    assert earlier.precision >= UNSEEN_JW_PRECISION_FLOOR, earlier.as_dict()
    assert earlier.recall >= UNSEEN_JW_RECALL_FLOOR, earlier.as_dict()


def test_unseen_pairs_come_only_from_publishers_the_model_was_never_tuned_on(pairs):
    fitted = {p.partner_a for p in pairs if p.split in ("tune", "holdout")} | {
        p.partner_b for p in pairs if p.split in ("tune", "holdout")
    }
    unseen = {p.partner_a for p in pairs if p.split == "unseen"} | {
        p.partner_b for p in pairs if p.split == "unseen"
    }
    assert unseen and not unseen & fitted, unseen & fitted


def test_the_model_beats_a_plain_token_set_script_at_the_same_precision(pairs, register):
    pytest.importorskip("rapidfuzz")
    from totalplace.link.baseline import baseline, recall_at_precision, tune_threshold

    threshold = tune_threshold(pairs)
    for split in ("holdout", "unseen"):
        model = evaluate(pairs, split, register=register)
        plain = baseline(pairs, split, threshold)
        # at its own tuned threshold the script is far less precise ...
        assert plain.precision < model.precision, (split, plain)
        # ... and no threshold, even one picked with hindsight, gives it the model's
        # precision with the model's recall
        same = recall_at_precision(pairs, split, model.precision)
        assert same.recall < model.recall, (split, same)


def test_the_files_evidence_raises_recall_without_costing_precision(pairs, register):
    names_only = evaluate(pairs, "holdout", register=pairs_register(pairs, evidence=False))
    with_evidence = evaluate(pairs, "holdout", register=register)
    assert with_evidence.recall > names_only.recall
    assert with_evidence.precision >= names_only.precision


def test_errors_are_listed_for_review(pairs, register):
    result = evaluate(pairs, "holdout", register=register)
    assert len(result.errors) == result.false_positives + result.false_negatives
    assert all({"name_a", "name_b", "same"} <= set(e) for e in result.errors)
