"""A plain baseline for the linker: rapidfuzz's token-set ratio between two names, one threshold.

What a spreadsheet analyst with a fuzzy-matching script would do (the issue's "plain
fuzzy token-set script"): score each labelled pair by ``token_set_ratio`` of the two
names (lower case, punctuation removed) and call it a match at or above a threshold.
The threshold is tuned on the ``tune`` pairs only (:func:`tune_threshold`) and then
applied unchanged to the other splits, as the model is. rapidfuzz is a development
dependency (``pip install -e .[dev]``): the baseline is for ``make eval``, not for users.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from totalplace.link.evaluate import LabelledPair

#: Thresholds tried when tuning (token_set_ratio is 0-100).
_GRID = tuple(range(50, 101))


@dataclass(frozen=True)
class BaselineResult:
    """Precision and recall of the token-set baseline on one split at one threshold."""

    split: str
    threshold: int
    pairs: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Return TP / (TP + FP), or 1 when nothing is joined."""
        joined = self.true_positives + self.false_positives
        return self.true_positives / joined if joined else 1.0

    @property
    def recall(self) -> float:
        """Return TP / (TP + FN), or 1 when no pair is a match."""
        same = self.true_positives + self.false_negatives
        return self.true_positives / same if same else 1.0


def scores(pairs: Sequence[LabelledPair]) -> list[float]:
    """Return rapidfuzz token_set_ratio (0-100) of each pair's names, processed alike."""
    from rapidfuzz import fuzz, utils

    return [
        fuzz.token_set_ratio(p.name_a, p.name_b, processor=utils.default_process) for p in pairs
    ]


def _judge(
    split: str, pairs: Sequence[LabelledPair], scored: Sequence[float], threshold: int
) -> BaselineResult:
    tp = sum(1 for p, s in zip(pairs, scored, strict=True) if s >= threshold and p.same)
    fp = sum(1 for p, s in zip(pairs, scored, strict=True) if s >= threshold and not p.same)
    fn = sum(1 for p, s in zip(pairs, scored, strict=True) if s < threshold and p.same)
    return BaselineResult(split, threshold, len(pairs), tp, fp, fn)


def _chosen(pairs: Iterable[LabelledPair], split: str) -> list[LabelledPair]:
    return [p for p in pairs if split == "all" or p.split == split]


def tune_threshold(pairs: Iterable[LabelledPair]) -> int:
    """Return the threshold with the best F1 on the ``tune`` pairs (the lowest on ties)."""
    tune = _chosen(pairs, "tune")
    scored = scores(tune)

    def f1(threshold: int) -> float:
        r = _judge("tune", tune, scored, threshold)
        return 2 * r.precision * r.recall / (r.precision + r.recall or 1.0)

    return max(_GRID, key=lambda t: (f1(t), -t))


def baseline(pairs: Iterable[LabelledPair], split: str, threshold: int) -> BaselineResult:
    """Return the baseline's precision and recall on ``split`` at ``threshold``."""
    chosen = _chosen(pairs, split)
    return _judge(split, chosen, scores(chosen), threshold)


def recall_at_precision(
    pairs: Iterable[LabelledPair], split: str, precision: float
) -> BaselineResult:
    """Return the baseline at its best threshold *on this split* reaching ``precision``.

    Chosen with hindsight on the split itself (so it flatters the baseline): the highest
    recall among thresholds whose precision is at least ``precision``, or threshold 101
    (nothing joined) when none is.
    """
    chosen = _chosen(pairs, split)
    scored = scores(chosen)
    results = [_judge(split, chosen, scored, t) for t in (*_GRID, 101)]
    fit = [r for r in results if r.precision >= precision]
    return max(fit, key=lambda r: (r.recall, -r.threshold))
