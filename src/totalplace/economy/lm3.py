"""LM3 (nef's Local Multiplier 3): how much of each pound spent stays in the place over three rounds.

* R1 -- the spend: the partners' spend with suppliers (local, not local and unknown),
  plus the staff pay bill when one is given;
* R2 -- the part of R1 spent locally: with local suppliers, and pay to staff who live
  in the place;
* R3 -- what is re-spent locally in the next round: local suppliers re-spend their
  rate of what they were paid, non-local suppliers theirs (Northumberland: 76% and
  36%, domain.md §7), local staff theirs;
* LM3 = (R1 + R2 + R3) / R1.

Spend with suppliers whose location is unknown is in R1 only and re-spent at the
non-local rate (the cautious reading); :attr:`Lm3.lm3_if_unknown_local` shows the
other bound. nef's strict form counts in R3 only what R2's recipients re-spend: set
the non-local rate to 0 for it. Arithmetic is exact (Decimal); LM3 is rounded to 4 places.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from totalplace.economy.assumptions import EconomyAssumptions
from totalplace.money import round_half_up

__all__ = ["Lm3", "lm3"]


@dataclass(frozen=True)
class Lm3:
    """The three rounds, LM3 and every input behind them (amounts to the penny)."""

    r1: Decimal
    r2: Decimal
    r3: Decimal
    lm3: Decimal | None
    lm3_if_unknown_local: Decimal | None
    inputs: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """Return the rounds, LM3 and its inputs, numbers as decimal strings."""
        return {
            "r1": str(self.r1),
            "r2": str(self.r2),
            "r3": str(self.r3),
            "lm3": None if self.lm3 is None else str(self.lm3),
            "lm3_if_unknown_local": (
                None if self.lm3_if_unknown_local is None else str(self.lm3_if_unknown_local)
            ),
            "inputs": {k: str(v) if isinstance(v, Decimal) else v for k, v in self.inputs.items()},
        }


def _ratio(top: Decimal, bottom: Decimal) -> Decimal | None:
    return round_half_up(top / bottom, 4) if bottom > 0 else None


def lm3(
    local: Decimal,
    not_local: Decimal,
    unknown: Decimal,
    assumptions: EconomyAssumptions,
) -> Lm3:
    """Return LM3 of spend with suppliers that are local, not local and of unknown location.

    Staff pay, its local share and every re-spend rate come from ``assumptions``.
    """
    staff = assumptions.staff_pay
    staff_local = staff * assumptions.staff_local_share
    rl, rn, rs = (
        assumptions.respend_local,
        assumptions.respend_non_local,
        assumptions.respend_staff,
    )

    def rounds(loc: Decimal, away: Decimal) -> tuple[Decimal, Decimal, Decimal]:
        r1 = loc + away + staff
        r2 = loc + staff_local
        r3 = rl * loc + rn * away + rs * staff_local
        return r1, r2, r3

    r1, r2, r3 = rounds(local, not_local + unknown)
    high = rounds(local + unknown, not_local)
    return Lm3(
        r1=round_half_up(r1),
        r2=round_half_up(r2),
        r3=round_half_up(r3),
        lm3=_ratio(r1 + r2 + r3, r1),
        lm3_if_unknown_local=_ratio(sum(high, Decimal(0)), high[0]),
        inputs={
            "local_supplier_spend": local,
            "not_local_supplier_spend": not_local,
            "unknown_supplier_spend": unknown,
            "staff_pay": staff,
            "staff_local_share": assumptions.staff_local_share,
            "staff_source": assumptions.staff_source,
            "respend_local_suppliers": rl,
            "respend_non_local_suppliers": rn,
            "respend_staff": rs,
            "respend_source": assumptions.respend_source,
            "unknown_treated_as": "not local (see lm3_if_unknown_local for the other bound)",
        },
    )
