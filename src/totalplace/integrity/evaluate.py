"""Precision and recall of every detector on the planted cases: ``python -m totalplace.integrity.evaluate``.

One table (``make eval``): the duplicate and split detectors on the planted ledger of
:mod:`planted`, then the signals (round numbers, year end, one-off, Benford,
concentration, dependency) on the five planted ledgers of :mod:`planted_signals`. For
the first, a planted case is found when one finding of its detector holds all its payments; a
finding is right when it holds all the payments of a planted case of its kind. A
finding that touches a standing order or a reversed payment is a false positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from totalplace.integrity import duplicates, splits
from totalplace.integrity.params import Params
from totalplace.integrity.planted import KINDS, NEGATIVE_KINDS, Ledger, planted_ledger
from totalplace.integrity.standing import repeat_members

__all__ = ["Score", "evaluate", "main"]

#: The detector expected to find each planted kind.
EXPECTED = {
    "exact": duplicates.EXACT,
    "exact across": duplicates.EXACT,
    "likely": duplicates.LIKELY,
    "possible across": duplicates.POSSIBLE,
    "split": splits.WITHIN,
    "split across": splits.ACROSS,
}


@dataclass(frozen=True)
class Score:
    """One detector's score: planted cases, found, findings, right findings, precision, recall."""

    detector: str
    planted: int
    found: int
    findings: int
    right: int

    @property
    def precision(self) -> float:
        """Right findings over findings (1.0 when there are none)."""
        return self.right / self.findings if self.findings else 1.0

    @property
    def recall(self) -> float:
        """Planted cases found over planted cases (1.0 when none were planted)."""
        return self.found / self.planted if self.planted else 1.0


def evaluate(ledger: Ledger | None = None, params: Params | None = None) -> list[Score]:
    """Return the score of each detector (and of standing-order recognition) on the planted ledger."""
    ledger = ledger or planted_ledger()
    params = params or Params()
    pay = ibis.memtable(ledger.payments)
    groups: dict[str, dict[str, set[str]]] = {}
    for detect in (duplicates.detect, splits.detect):
        result = detect(pay, params)
        rows = result.members.join(result.findings.select("finding_id", "detector"), "finding_id")
        for r in rows.select("detector", "finding_id", "txn_key").to_pyarrow().to_pylist():
            groups.setdefault(r["detector"], {}).setdefault(r["finding_id"], set()).add(
                r["txn_key"]
            )
    scores = []
    for detector in dict.fromkeys(EXPECTED.values()):
        kinds = [k for k, d in EXPECTED.items() if d == detector]
        cases = [c for k in kinds for c in ledger.truth[k]]
        findings = list(groups.get(detector, {}).values())
        found = sum(any(c <= f for f in findings) for c in cases)
        right = sum(any(c <= f for c in cases) for f in findings)
        scores.append(Score(detector, len(cases), found, len(findings), right))
    standing = set(repeat_members(pay, params).select("txn_key").to_pyarrow().column(0).to_pylist())
    series = ledger.truth["standing"]
    flagged = {k for fs in groups.values() for f in fs.values() for k in f}
    kept_apart = sum(c <= standing and not (c & flagged) for c in series)
    scores.append(
        Score("standing order (set apart)", len(series), kept_apart, len(series), kept_apart)
    )
    return scores


def signal_scores() -> list[Score]:
    """Return the signals' scores on the planted signal ledgers, as :class:`Score` rows."""
    from totalplace.integrity.planted_signals import evaluate_signals

    return [
        Score(
            str(r["detector"]),
            int(r["planted"]),  # type: ignore[call-overload]
            int(r["true_positives"]),  # type: ignore[call-overload]
            int(r["found"]),  # type: ignore[call-overload]
            int(r["true_positives"]),  # type: ignore[call-overload]
        )
        for r in evaluate_signals()
    ]


def main() -> None:
    """Print the precision and recall table of every detector."""
    scores = evaluate() + signal_scores()
    print(
        f"{'detector':34} {'planted':>8} {'found':>6} {'findings':>9} {'precision':>10} {'recall':>7}"
    )
    for s in scores:
        print(
            f"{s.detector:34} {s.planted:>8} {s.found:>6} {s.findings:>9} "
            f"{s.precision:>10.3f} {s.recall:>7.3f}"
        )
    negatives = ", ".join(NEGATIVE_KINDS)
    print(f"(planted: {', '.join(KINDS)}; look-alikes that must not be flagged: {negatives})")
    print(
        "(signals: five seeded three-partner ledgers with planted round sums, a year-end "
        "rush, one-offs, flat first digits and a dominant supplier; a finding is right when "
        "its partners and supplier are planted for its detector)"
    )


if __name__ == "__main__":
    main()
