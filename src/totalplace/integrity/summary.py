"""The board's plain-language summary of an integrity run: what was found, how sure, how much money."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from totalplace.integrity.duplicates import REPEATED
from totalplace.integrity.tables import INFORMATION, PROBABLE, SIGNAL, family

if TYPE_CHECKING:
    from totalplace.integrity.result import Integrity

__all__ = ["board_summary"]


def _pounds(value: Decimal) -> str:
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f} million"
    return f"£{value:,.0f}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


#: What each detector's finding is, in a board's words (by the label's family).
_WHAT: dict[str, str] = {
    "duplicates": "payments that look made twice",
    "splits": "payments just under a procurement threshold that together pass it",
    "round_numbers": "suppliers paid mostly in exact thousands, far more often than usual",
    "year_end": "spending rushed into the last week of a financial year",
    "one_off": "single large payments to a supplier paid nowhere else in the ledger",
    "benford": "first digits of payments that depart from Benford's law",
    "concentration": "categories bought mostly from one supplier",
    "dependency": "suppliers that several partners depend on for most of a category",
}


def _line(row: dict[str, Any], sure: bool) -> str:
    """Return one detector's row in words: what, how many, how much money (and how sure)."""
    detector = str(row["detector"])
    what = (
        "identical lines a few rows apart in one published file"
        if detector.startswith(REPEATED)
        else _WHAT.get(family(detector), detector)
    )
    text = f"{detector} — {what}: {row['findings']:,}, {_pounds(row['money_at_stake'])}"
    if sure:
        text += f", about {row['mean_confidence']:.0%} sure each"
    return text


def board_summary(result: Integrity) -> list[str]:
    """Return the summary as short paragraphs a board can read, most serious first.

    It separates probable errors (money that was very likely paid twice and can be
    asked back) from signals to check (patterns that have innocent explanations as
    often as not: each detector's finding said in words, how many, how much money and
    how sure) and from information (concentration), and says how the regular payments
    were set apart.
    """
    place = result.place["name"]
    years = ", ".join(result.financial_years) or "no financial year"
    partners = len(result.place["partners"])
    rows = result.by_detector()
    money = result.money_by_grade()
    ran = ", ".join(result.detectors)
    paras = [
        f"We checked every published payment of {place}'s {_plural(partners, 'partner')} "
        f"({years}), within each body and across them, for payments made twice, orders "
        "split to stay under a procurement threshold, unusual patterns (round sums, a "
        "year-end rush, one-off large payments, first digits against Benford's law) and "
        f"dependence on few suppliers (detectors run: {ran})."
    ]
    probable = [r for r in rows if r["grade"] == PROBABLE]
    # Two kinds of probable error: in the payments (an invoice paid twice: ask the
    # supplier) and in the publication (a document's total printed on each of its lines:
    # money the published file, and so the count, may hold more than once: ask the publisher).
    printed = [r for r in probable if str(r["detector"]).startswith(REPEATED)]
    paid = [r for r in probable if r not in printed]
    if paid:
        n = sum(r["findings"] for r in paid)
        paras.append(
            f"Probable errors: {_plural(n, 'group')} of payments, "
            f"{_pounds(sum((r['money_at_stake'] for r in paid), Decimal(0)))} that looks paid "
            "twice (" + "; ".join(_line(r, sure=True) for r in paid) + "). These are worth "
            "asking the supplier about: the same invoice paid again."
        )
    else:
        paras.append("Probable errors: none found — no invoice reference was paid twice.")
    if printed:
        n = sum(r["findings"] for r in printed)
        paras.append(
            f"Probable errors in the published files: {_plural(n, 'run')} of identical lines, "
            f"{_pounds(sum((r['money_at_stake'] for r in printed), Decimal(0)))} beyond the "
            "first line of each (" + "; ".join(_line(r, sure=True) for r in printed) + "). "
            "Most likely one document's total printed on each of its lines, so the file — "
            "and the count made from it — may hold that money more than once; worth asking "
            "the publisher for the line amounts."
        )
    signals = [r for r in rows if r["grade"] == SIGNAL]
    if signals:
        n = sum(r["findings"] for r in signals)
        paras.append(
            f"Signals to check: {_plural(n, 'pattern')} involving {_pounds(money[SIGNAL])} ("
            + "; ".join(_line(r, sure=True) for r in signals)
            + "). Each has innocent explanations as often as not — an invoice published on "
            "several lines, instalments of a contract let properly, a grant paid in round "
            "sums, a price list — so they are questions for the finance team, not "
            "accusations; the money is what the pattern involves, not money lost."
        )
    else:
        paras.append("Signals to check: none found.")
    info = [r for r in rows if r["grade"] == INFORMATION]
    if info:
        paras.append(
            "For information, not findings of fault: "
            + "; ".join(_line(r, sure=False) for r in info)
            + ". A market with one provider is where the place is exposed if it fails or "
            "raises prices, and where buying together could open it up."
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
