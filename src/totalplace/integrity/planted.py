"""Constructed ledgers with planted duplicates, splits, standing orders and reversals, and their truth.

A background of ordinary payments (amounts in random pennies under £3,700, each with
its own reference, so none is near a split threshold or a duplicate by chance), and
planted cases of every kind the detectors look for -- plus the look-alikes they must
leave alone (monthly standing orders with one contract reference, a payment made
twice and credited back). Used by the tests and ``python -m totalplace.integrity.evaluate``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pyarrow as pa

__all__ = ["KINDS", "NEGATIVE_KINDS", "Ledger", "planted_ledger"]

#: Planted kinds a detector should find, and the look-alikes it should not.
KINDS = ("exact", "exact across", "likely", "possible across", "split", "split across")
NEGATIVE_KINDS = ("standing", "reversed")
PARTNERS = ("alpha-council", "beta-fire", "gamma-police")
START = dt.date(2024, 4, 1)

SCHEMA = pa.schema(
    [
        ("txn_key", pa.string()),
        ("partner", pa.string()),
        ("txn_date", pa.date32()),
        ("fy_start_year", pa.int64()),
        ("amount", pa.decimal128(18, 2)),
        ("supplier_key", pa.string()),
        ("supplier_name", pa.string()),
        ("reference", pa.string()),
        ("category", pa.string()),
        ("theme", pa.string()),
        ("payee_kind", pa.string()),
        ("transfer_kind", pa.string()),
    ]
)


@dataclass
class Ledger:
    """The payments (Arrow, the columns of :func:`totalplace.integrity.payments.payments`) and the truth."""

    payments: pa.Table
    truth: dict[str, list[frozenset[str]]] = field(default_factory=dict)


class _Builder:
    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.truth: dict[str, list[frozenset[str]]] = {k: [] for k in (*KINDS, *NEGATIVE_KINDS)}

    def add(self, partner: str, day: int, amount: Decimal, supplier: str, ref: str | None) -> str:
        key = f"planted:{len(self.rows)}"
        self.rows.append(
            {
                "txn_key": key,
                "partner": partner,
                "txn_date": START + dt.timedelta(days=day),
                "fy_start_year": 2024,
                "amount": amount,
                "supplier_key": f"S:{supplier.upper()}",
                "supplier_name": supplier,
                "reference": ref,
                "category": "Planted",
                "theme": None,
                "payee_kind": "organisation",
                "transfer_kind": None,
            }
        )
        return key

    def case(self, kind: str, keys: list[str]) -> None:
        self.truth[kind].append(frozenset(keys))


def planted_ledger(background: int = 3000, cases: int = 10, seed: int = 12) -> Ledger:
    """Return a ledger of ``background`` ordinary payments and ``cases`` planted cases of each kind."""
    rng = np.random.default_rng(seed)
    b = _Builder()
    pennies = rng.integers(5_000, 370_000, background)
    days = rng.integers(0, 365, background)
    suppliers = rng.integers(0, 300, background)
    partners = rng.integers(0, 3, background)
    for i in range(background):  # constructed rows, not warehouse data
        b.add(
            PARTNERS[partners[i]],
            int(days[i]),
            Decimal(int(pennies[i])) / 100,
            f"Background Supplier {suppliers[i]}",
            f"BG{i:06d}",
        )
    for c in range(cases):
        amount = Decimal(int(rng.integers(50_000, 360_000))) / 100  # under every split band
        day = int(rng.integers(0, 300))
        p = PARTNERS[c % 3]
        q = PARTNERS[(c + 1) % 3]
        b.case(
            "exact",
            [
                b.add(p, day, amount, f"Exact Ltd {c}", f"INV{c:05d}"),
                b.add(p, day + 21, amount, f"Exact Ltd {c}", f"INV{c:05d}"),
            ],
        )
        b.case(
            "exact across",
            [
                b.add(p, day, amount + 1, f"Shared Ltd {c}", f"SH-{c}-77"),
                b.add(q, day + 3, amount + 1, f"Shared Ltd {c}", f"SH-{c}-77"),
            ],
        )
        b.case(
            "likely",
            [
                b.add(p, day, amount + 2, f"Rekey Ltd {c}", f"INV-{c:05d}"),
                b.add(p, day + 6, amount + 2, f"Rekey Ltd {c}", f"inv {c}"),
            ],
        )
        b.case(
            "possible across",
            [
                b.add(p, day, amount + 3, f"Same Day Ltd {c}", None),
                b.add(q, day, amount + 3, f"Same Day Ltd {c}", None),
            ],
        )
        near = [Decimal(int(rng.integers(400_000, 495_000))) / 100 for _ in range(3)]
        b.case(
            "split",
            [b.add(p, day + k * 4, near[k], f"Split Ltd {c}", f"SP{c}{k}") for k in range(3)],
        )
        big = [Decimal(int(rng.integers(1_900_000, 2_450_000))) / 100 for _ in range(2)]
        b.case(
            "split across",
            [
                b.add(p, day, big[0], f"Joint Ltd {c}", f"J{c}A"),
                b.add(q, day + 5, big[1], f"Joint Ltd {c}", f"J{c}B"),
            ],
        )
        rent = Decimal(int(rng.integers(100_000, 2_000_000))) / 100
        b.case(
            "standing",
            [
                b.add(p, m * 30 + int(rng.integers(0, 3)), rent, f"Landlord {c}", f"LEASE-{c}")
                for m in range(12)
            ],
        )
        b.case(
            "reversed",
            [
                b.add(p, day, amount + 4, f"Credit Ltd {c}", f"CR{c}"),
                b.add(p, day + 10, amount + 4, f"Credit Ltd {c}", f"CR{c}"),
                b.add(p, day + 12, -(amount + 4), f"Credit Ltd {c}", f"CN{c}"),
            ],
        )
    return Ledger(pa.Table.from_pylist(b.rows, schema=SCHEMA), b.truth)
