"""Constructed ledgers with planted unusual patterns, and each signal's precision and recall on them.

A ledger (seeded NumPy) of three partners for the financial year April 2024 - March
2025: background suppliers whose amounts are log-uniform over £500-£100,000 (so their
first digits above £1,000 follow Benford's law, two whole decades) on random days, in
six categories; plus the planted cases, whose truth is known:

- round numbers: two suppliers per partner paid mostly exact thousands;
- year end: one partner whose whole spending triples in the year's last week, and one
  supplier paid monthly that takes £60,000 in two payments in the last week;
- one-offs: three suppliers each paid once, £80,000-£300,000;
- Benford: one supplier of 400 payments with uniform first digits over three decades,
  among five of 400 whose amounts are log-uniform over one decade (true Benford);
- concentration and dependency: one waste supplier taking about 80% of the 'Waste'
  category at two partners.

``python -m totalplace.integrity.planted_signals`` prints the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.integrity.benford import detect_benford
from totalplace.integrity.concentration import detect_concentration, detect_dependency
from totalplace.integrity.params import Params
from totalplace.integrity.patterns import detect_one_off, detect_round_numbers, detect_year_end
from totalplace.integrity.tables import Found

__all__ = ["DETECTORS", "Ledger", "evaluate_signals", "planted_ledger"]

PARTNERS = ("alpha", "beta", "gamma")
CATEGORIES = ("Works", "Care", "ICT", "Transport", "Professional", "Facilities")
FY_START = date(2024, 4, 1)
DAYS = 365
ALL = "all suppliers"

DETECTORS: dict[str, Callable[[ir.Table, Params], Found]] = {
    "round_numbers": detect_round_numbers,
    "year_end": detect_year_end,
    "one_off": detect_one_off,
    "benford": detect_benford,
    "concentration": detect_concentration,
    "dependency": detect_dependency,
}


@dataclass(frozen=True)
class Ledger:
    """A constructed ledger and its truth: per detector, the (partners, supplier) pairs planted."""

    payments: pa.Table
    truth: dict[str, set[tuple[str, str]]]


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.cols: dict[str, list[np.ndarray]] = {
            k: [] for k in ("partner", "day", "pennies", "supplier", "category")
        }

    def add(
        self, partner: str, supplier: str, category: str, days: np.ndarray, pounds: np.ndarray
    ) -> None:
        n = len(days)
        self.cols["partner"].append(np.full(n, partner, dtype=object))
        self.cols["supplier"].append(np.full(n, supplier, dtype=object))
        self.cols["category"].append(np.full(n, category, dtype=object))
        self.cols["day"].append(np.asarray(days, dtype="int64"))
        self.cols["pennies"].append(np.round(np.asarray(pounds) * 100).astype("int64"))

    def log_uniform(self, n: int, low: float, high: float) -> np.ndarray:
        return np.asarray(10 ** self.rng.uniform(np.log10(low), np.log10(high), n))

    def days(self, n: int, first: int = 0, last: int = DAYS - 1) -> np.ndarray:
        return np.asarray(self.rng.integers(first, last + 1, n))

    def table(self) -> pa.Table:
        cat = {k: np.concatenate(v) for k, v in self.cols.items()}
        n = len(cat["day"])
        dates = np.datetime64(FY_START) + cat["day"].astype("timedelta64[D]")
        # Exact pennies to pounds: int64 as decimal(19,0), times 0.01 (decimal(22,2)).
        pennies = pa.array(cat["pennies"], pa.int64()).cast(pa.decimal128(19, 0))
        amounts = pc.multiply(pennies, pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)))
        fy = np.where(dates >= np.datetime64(date(2025, 4, 1)), 2025, 2024)
        keys = np.char.lower(cat["supplier"].astype(str))
        return pa.table(
            {
                "txn_key": pa.array(np.char.add("t", np.arange(n).astype(str))),
                "partner": pa.array(cat["partner"].astype(str)),
                "txn_date": pa.array(dates.astype("datetime64[D]")),
                "fy_start_year": pa.array(fy, pa.int64()),
                "amount": amounts.cast(pa.decimal128(18, 2)),
                "supplier_key": pa.array(keys),
                "supplier_name": pa.array(cat["supplier"].astype(str)),
                "reference": pa.array(np.char.add("inv", np.arange(n).astype(str))),
                "category": pa.array(cat["category"].astype(str)),
                "theme": pa.nulls(n, pa.string()),
            }
        )


def planted_ledger(seed: int = 0) -> Ledger:
    """Return a constructed three-partner ledger with planted patterns and their truth."""
    b = _Builder(seed)
    rng = b.rng
    truth: dict[str, set[tuple[str, str]]] = {name: set() for name in DETECTORS}
    for p in PARTNERS:
        for i in range(60):
            n = int(rng.integers(30, 50))
            b.add(p, f"{p} supplier {i}", CATEGORIES[i % 6], b.days(n), b.log_uniform(n, 500, 1e5))
        for i in range(5):  # large suppliers, true Benford: one whole decade, log-uniform
            b.add(p, f"{p} large {i}", CATEGORIES[i], b.days(400), b.log_uniform(400, 1e3, 1e4))
        for i in range(2):  # round numbers: 16 of 20 payments exact thousands
            name = f"{p} Round Sums {i} Ltd"
            round_ = rng.integers(1, 20, 16) * 1000.0
            odd = b.log_uniform(4, 1000, 20000)
            b.add(p, name, CATEGORIES[5], b.days(20), np.concatenate([round_, odd]))
            truth["round_numbers"].add((p, name))
    # Benford: uniform first digits at alpha, over three decades as a supplier must span two
    # orders of magnitude to be tested: digit d x 10^k x 1-1.099, k = 3, 4, 5 with weights
    # 0.6, 0.3, 0.1 (few large amounts, so the supplier dominates no category and leaves
    # alpha's other signals alone); its own generator, so the other cases are unchanged.
    flat_rng = np.random.default_rng(seed + 1000)
    decade = flat_rng.choice([3, 4, 5], 400, p=[0.6, 0.3, 0.1])
    flat = flat_rng.integers(1, 10, 400) * 10.0**decade * flat_rng.uniform(1, 1.099, 400)
    days = flat_rng.integers(0, DAYS - 30, 400)
    for i in range(6):
        part = np.arange(400) % 6 == i
        b.add("alpha", "Flat Digits Ltd", CATEGORIES[i], days[part], flat[part])
    truth["benford"].add(("alpha", "Flat Digits Ltd"))
    # Year end: beta's spending in its last week triples (two extra payments per supplier).
    last_week = DAYS - 7
    for i in range(60):
        b.add(
            "beta",
            f"beta supplier {i}",
            CATEGORIES[i % 6],
            b.days(2, last_week),
            b.log_uniform(2, 500, 1e5),
        )
    truth["year_end"].add(("beta", ALL))
    monthly = np.array(
        [(FY_START + timedelta(days=31 * m)).toordinal() - FY_START.toordinal() for m in range(11)]
    )
    b.add("alpha", "Yearend Supplies Ltd", CATEGORIES[3], monthly, np.full(11, 2137.45))
    year_end = np.array([DAYS - 5, DAYS - 2])
    b.add("alpha", "Yearend Supplies Ltd", CATEGORIES[3], year_end, np.array([31234.56, 28765.43]))
    truth["year_end"].add(("alpha", "Yearend Supplies Ltd"))
    # One-offs at gamma.
    for i, pounds in enumerate((80000.0, 150000.0, 300000.0)):
        name = f"Once Only {i} Ltd"
        b.add("gamma", name, CATEGORIES[i], b.days(1, 0, DAYS - 30), np.array([pounds]))
        truth["one_off"].add(("gamma", name))
    # Concentration: 'Waste' at alpha and beta, one supplier about 80% of it.
    for p in ("alpha", "beta"):
        for i in range(6):
            b.add(p, f"{p} waste {i}", "Waste", b.days(20), b.log_uniform(20, 500, 5000))
        b.add(p, "Dominant Waste Ltd", "Waste", b.days(60), b.log_uniform(60, 3000, 10000))
        truth["concentration"].add((p, "Dominant Waste Ltd"))
    truth["concentration"].add(("alpha, beta", "Dominant Waste Ltd"))
    truth["dependency"].add(("alpha, beta", "Dominant Waste Ltd"))
    return Ledger(b.table(), truth)


def evaluate_signals(
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4), params: Params | None = None
) -> list[dict[str, object]]:
    """Return per detector: planted, found, true positives, precision and recall over ``seeds`` ledgers.

    A finding is a true positive when its (partners, supplier) is planted for that detector.
    """
    params = params or Params()
    totals = {name: [0, 0, 0] for name in DETECTORS}  # planted, found, true positives
    for seed in seeds:
        ledger = planted_ledger(seed)
        payments = ibis.memtable(ledger.payments)
        for name, detect in DETECTORS.items():
            found = detect(payments, params).findings.select("partners", "supplier").to_pyarrow()
            pairs = set(
                zip(found["partners"].to_pylist(), found["supplier"].to_pylist(), strict=True)
            )
            truth = ledger.truth[name]
            totals[name][0] += len(truth)
            totals[name][1] += len(pairs)
            totals[name][2] += len(pairs & truth)
    rows: list[dict[str, object]] = []
    for name, (n_planted, n_found, hits) in totals.items():
        rows.append(
            {
                "detector": name,
                "ledgers": len(seeds),
                "planted": n_planted,
                "found": n_found,
                "true_positives": hits,
                "precision": hits / n_found if n_found else 1.0,
                "recall": hits / n_planted if n_planted else 1.0,
            }
        )
    return rows


def main() -> None:
    """Print each detector's precision and recall on the planted ledgers."""
    print(
        f"{'detector':<15}{'ledgers':>8}{'planted':>9}{'found':>7}{'hits':>6}{'precision':>11}{'recall':>8}"
    )
    for r in evaluate_signals():
        print(
            f"{r['detector']:<15}{r['ledgers']:>8}{r['planted']:>9}{r['found']:>7}"
            f"{r['true_positives']:>6}{r['precision']:>11.3f}{r['recall']:>8.3f}"
        )


if __name__ == "__main__":
    main()
