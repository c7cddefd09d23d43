"""Measure the linker on hand-labelled pairs of real supplier names.

``tests/link/labelled_pairs.csv`` holds pairs of payee names from the real files
(name_a, name_b, same 1/0, source, split 'tune' or 'holdout', partner_a, partner_b:
a partner that pays each name). :func:`evaluate` links the names of *all* the pairs
together, exactly as ``link`` would link those payees, and counts a pair as predicted
"same" when both payees end up in one supplier. Only the ``tune`` half was used to
fit the model; report the ``holdout`` half, and the ``unseen`` pairs: names from
publishers the model and rules were never tuned on (Manchester, Darlington, Harrogate,
Oxford, Babergh, the GLA, TfL, Network Rail, central government, NHS ICBs).

``tests/link/pair_evidence.csv`` carries what the real files publish beside those
names (a partner's supplier ids, VAT, company and charity numbers, postcodes), so the
pairs are judged with the evidence ``link`` would have (``evidence=False``: names only).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace.link.model import NameModel
from totalplace.link.payees import PAYEE_SCHEMA
from totalplace.link.register import Register

#: Where the labelled pairs live in a source checkout.
DEFAULT_PAIRS = Path(__file__).resolve().parents[3] / "tests" / "link" / "labelled_pairs.csv"
#: The identifiers the real files publish beside the labelled names (partner, raw_name,
#: supplier_id, vat_number, company_number, charity_number, supplier_postcode).
DEFAULT_EVIDENCE = DEFAULT_PAIRS.with_name("pair_evidence.csv")
_EVIDENCE_COLUMNS = (
    "supplier_id",
    "vat_number",
    "company_number",
    "charity_number",
    "supplier_postcode",
)


@dataclass(frozen=True)
class LabelledPair:
    """Two payee names, whether they are the same supplier, and where they came from."""

    name_a: str
    name_b: str
    same: bool
    source: str
    split: str
    partner_a: str
    partner_b: str


@dataclass
class Evaluation:
    """Precision and recall of the linker on one split of the labelled pairs."""

    split: str
    pairs: int
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Return TP / (TP + FP): of the pairs joined, the share that are right (1 if none)."""
        joined = self.true_positives + self.false_positives
        return self.true_positives / joined if joined else 1.0

    @property
    def recall(self) -> float:
        """Return TP / (TP + FN): of the pairs that are the same supplier, the share joined."""
        same = self.true_positives + self.false_negatives
        return self.true_positives / same if same else 1.0

    def as_dict(self) -> dict[str, Any]:
        """Return the counts and rates as a JSON-ready dict (errors left out)."""
        return {
            "split": self.split,
            "pairs": self.pairs,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "true_negatives": self.true_negatives,
        }


def load_pairs(path: Path | str | None = None) -> list[LabelledPair]:
    """Return the labelled pairs in the CSV at ``path`` (default: the shipped test set)."""
    with Path(path or DEFAULT_PAIRS).open(encoding="utf-8", newline="") as f:
        return [
            LabelledPair(
                r["name_a"],
                r["name_b"],
                r["same"].strip() == "1",
                r["source"],
                r["split"],
                r.get("partner_a") or "a",
                r.get("partner_b") or "b",
            )
            for r in csv.DictReader(f)
        ]


def load_evidence(
    path: Path | str | None = None,
) -> dict[tuple[str, str], list[dict[str, str | None]]]:
    """Return the published identifiers of labelled payees by (partner, name), or {}."""
    target = Path(path or DEFAULT_EVIDENCE)
    if not target.exists():
        return {}
    found: dict[tuple[str, str], list[dict[str, str | None]]] = {}
    with target.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            found.setdefault((r["partner"], r["raw_name"]), []).append(
                {c: (r.get(c) or None) for c in _EVIDENCE_COLUMNS}
            )
    return found


def pairs_register(
    pairs: Iterable[LabelledPair],
    model: NameModel | None = None,
    threshold_match_weight: float | None = None,
    evidence: bool = True,
) -> Register:
    """Return the register of the payees named in ``pairs`` (each paid once, £0).

    With ``evidence`` each payee carries the identifiers its partner's files publish
    (``pair_evidence.csv``); without, names alone are linked.
    """
    from totalplace.link.linker import link_payees

    payees = sorted(
        {(p.partner_a, p.name_a) for p in pairs} | {(p.partner_b, p.name_b) for p in pairs}
    )
    published = load_evidence() if evidence else {}
    blank: dict[str, str | None] = dict.fromkeys(_EVIDENCE_COLUMNS)
    rows = [
        {"partner": partner, "raw_name": name, **ids}
        for partner, name in payees
        for ids in published.get((partner, name), [blank])
    ]
    columns = {
        "partner": [r["partner"] for r in rows],
        "raw_name": [r["raw_name"] for r in rows],
        "payee_status": ["named"] * len(rows),
        **{c: [r[c] for r in rows] for c in _EVIDENCE_COLUMNS},
        "payments": [1] * len(rows),
        "amount": pa.array([0] * len(rows), pa.decimal128(18, 2)),
    }
    table = pa.table(columns, schema=PAYEE_SCHEMA)
    return link_payees(
        table, related=[], model=model, threshold_match_weight=threshold_match_weight
    )


def _supplier_of(register: Register) -> tuple[Mapping[tuple[str, str], str], Mapping[str, str]]:
    """Return supplier ids by (partner, payee name), and by name alone (first partner)."""
    columns = register.members.select(["partner", "raw_name", "supplier_id"]).to_pydict()
    by_payee: dict[tuple[str, str], str] = {}
    by_name: dict[str, str] = {}
    rows = zip(columns["partner"], columns["raw_name"], columns["supplier_id"], strict=True)
    for partner, name, supplier in sorted(
        (r for r in rows if r[1] is not None), key=lambda r: r[:2]
    ):
        by_payee[(partner, name)] = supplier
        by_name.setdefault(name, supplier)
    return by_payee, by_name


def evaluate(
    pairs: Iterable[LabelledPair] | None = None,
    split: str = "holdout",
    *,
    register: Register | None = None,
    model: NameModel | None = None,
    threshold_match_weight: float | None = None,
    evidence: bool = True,
) -> Evaluation:
    """Return precision and recall on the ``split`` pairs ('tune', 'holdout', 'unseen', 'all').

    With ``register`` (e.g. the register of a whole workspace) pairs are judged by the
    suppliers that register gives the two payees (by name alone where the workspace's
    partners are named otherwise); otherwise the payees of all the pairs are linked
    together first.
    """
    all_pairs = list(pairs) if pairs is not None else load_pairs()
    if register is None:
        register = pairs_register(all_pairs, model, threshold_match_weight, evidence)
    by_payee, by_name = _supplier_of(register)
    chosen = [p for p in all_pairs if split == "all" or p.split == split]
    tp = fp = fn = tn = 0
    errors: list[dict[str, Any]] = []
    for pair in chosen:  # a few hundred labelled pairs, not transaction rows
        # A workspace whose partners are named otherwise is judged by name alone.
        a = by_payee.get((pair.partner_a, pair.name_a), by_name.get(pair.name_a))
        b = by_payee.get((pair.partner_b, pair.name_b), by_name.get(pair.name_b))
        joined = a is not None and a == b
        if joined and pair.same:
            tp += 1
        elif joined:
            fp += 1
        elif pair.same:
            fn += 1
        else:
            tn += 1
        if joined != pair.same:
            errors.append(
                {
                    "name_a": pair.name_a,
                    "name_b": pair.name_b,
                    "same": pair.same,
                    "source": pair.source,
                    "partner_a": pair.partner_a,
                    "partner_b": pair.partner_b,
                }
            )
    return Evaluation(split, len(chosen), tp, fp, fn, tn, errors)
