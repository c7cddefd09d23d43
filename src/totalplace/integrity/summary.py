"""The board's plain-language summary of an integrity run: what was found, how sure, how much money."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from totalplace.integrity.tables import INFORMATION, PROBABLE, SIGNAL

if TYPE_CHECKING:
    from totalplace.integrity.result import Integrity

__all__ = ["board_summary"]


def _pounds(value: Decimal) -> str:
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f} million"
    return f"£{value:,.0f}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def board_summary(result: Integrity) -> list[str]:
    """Return the summary as short paragraphs a board can read, most serious first.

    It separates probable errors (money that was very likely paid twice and can be
    asked back) from signals to check (patterns that have innocent explanations as
    often as not) and says how the regular payments were set apart.
    """
    place = result.place["name"]
    years = ", ".join(result.financial_years) or "no financial year"
    partners = len(result.place["partners"])
    rows = result.by_detector()
    money = result.money_by_grade()
    paras = [
        f"We checked every published payment of {place}'s {_plural(partners, 'partner')} "
        f"({years}) for payments made twice and orders split to stay under a procurement "
        "threshold, within each body and across them."
    ]
    probable = [r for r in rows if r["grade"] == PROBABLE]
    if probable:
        n = sum(r["findings"] for r in probable)
        paras.append(
            f"Probable errors: {_plural(n, 'group')} of payments, {_pounds(money[PROBABLE])} that "
            "looks paid twice ("
            + "; ".join(
                f"{r['detector']}: {r['findings']:,}, {_pounds(r['money_at_stake'])}, "
                f"about {r['mean_confidence']:.0%} sure each"
                for r in probable
            )
            + "). These are worth asking the supplier about: the same invoice paid again."
        )
    else:
        paras.append("Probable errors: none found — no invoice reference was paid twice.")
    signals = [r for r in rows if r["grade"] == SIGNAL]
    if signals:
        n = sum(r["findings"] for r in signals)
        paras.append(
            f"Signals to check: {_plural(n, 'pattern')} involving {_pounds(money[SIGNAL])} ("
            + "; ".join(
                f"{r['detector']}: {r['findings']:,}, {_pounds(r['money_at_stake'])}"
                for r in signals
            )
            + "). Each has innocent explanations as often as not — an invoice published on "
            "several lines, instalments of a contract let properly — so they are questions for "
            "the finance team, not accusations."
        )
    info = [r for r in rows if r["grade"] == INFORMATION]
    if info:
        paras.append(
            "For information: "
            + "; ".join(f"{r['detector']}: {r['findings']:,}" for r in info)
            + "."
        )
    if result.repeats:
        total = sum((r["total"] for r in result.repeats), Decimal("0.00"))
        paras.append(
            f"Set apart as regular payments, not duplicates: {_plural(len(result.repeats), 'series', 'series')} "
            f"of the same amount to the same supplier at a steady interval (rent, standing "
            f"orders, contract instalments), {_pounds(total)} in all."
        )
    paras.append(
        "Every finding lists the payments behind it (source file and row) and the rule and "
        "thresholds that found it; the thresholds are in the workspace's integrity.toml."
    )
    return paras
