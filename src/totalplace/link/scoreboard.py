"""``make eval``'s linking lines: the linker against a plain token-set baseline on every split.

Run as ``python -m totalplace.link.scoreboard``. For each split of the labelled pairs
(``tune``: the model and rules were fitted on it; ``holdout``: same publishers, never
fitted; ``unseen``: publishers never tuned on, pairs drawn by blocking with no
similarity floor; ``unseen-jw``: the earlier unseen pairs, drawn with a Jaro-Winkler
>= 0.80 floor) it prints the linker's precision and recall with the files' evidence,
and rapidfuzz's token_set_ratio at the threshold tuned on ``tune``, and the baseline's
best recall at the linker's precision on that split (threshold chosen with hindsight).
"""

from __future__ import annotations

from totalplace.link.evaluate import evaluate, load_pairs, pairs_register

SPLITS = ("tune", "holdout", "unseen", "unseen-jw")


def lines() -> list[str]:
    """Return one line per split (model vs baseline) and one for names only on holdout."""
    from totalplace.link.baseline import baseline, recall_at_precision, tune_threshold

    pairs = load_pairs()
    register = pairs_register(pairs)
    threshold = tune_threshold(pairs)
    out = []
    for split in SPLITS:
        model = evaluate(pairs, split, register=register)
        plain = baseline(pairs, split, threshold)
        same = recall_at_precision(pairs, split, model.precision)
        at_precision = (
            f"recall {same.recall:.3f} at threshold {same.threshold}"
            if same.threshold <= 100
            else "no threshold reaches it"
        )
        out.append(
            f"link {split} ({model.pairs} pairs, {model.true_positives + model.false_negatives} "
            f"same): model precision {model.precision:.3f} recall {model.recall:.3f} | "
            f"token-set baseline (threshold {threshold}) precision {plain.precision:.3f} "
            f"recall {plain.recall:.3f}; at the model's precision: {at_precision}"
        )
    names_only = evaluate(pairs, "holdout", register=pairs_register(pairs, evidence=False))
    out.append(
        f"link holdout, names only: precision {names_only.precision:.3f} "
        f"recall {names_only.recall:.3f}"
    )
    return out


def main() -> int:
    """Print the linking lines; return 0."""
    for line in lines():
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
