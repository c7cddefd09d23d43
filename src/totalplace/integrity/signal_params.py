"""The thresholds of the unusual-pattern and concentration signals, each with its citation.

Every field has a default and, in its metadata, the source that justifies the number
(:func:`citation`). The stage's own ``Params`` takes these fields over (the lead folds
them in); until then the detectors take a :class:`SignalParams`. :class:`Found` is the
pair of tables every detector returns (the stage's ``tables.Found`` once merged).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["Found", "SignalParams", "citation"]


@dataclass(frozen=True)
class Found:
    """What a detector found: ``findings`` (one row per signal) and ``members`` (the payments behind each)."""

    findings: ir.Table
    members: ir.Table


def _cited(default: Any, source: str) -> Any:
    return field(default=default, metadata={"source": source})


_TRANSPARENCY_CODE = (
    "Local Government Transparency Code 2015, para 23: councils publish each payment over £500"
)


@dataclass(frozen=True)
class SignalParams:
    """Thresholds of the pattern signals (round numbers, year end, one-offs, Benford) and concentration."""

    # Round numbers
    round_unit: Decimal = _cited(
        Decimal(1000),
        "a payment that is an exact multiple of £1,000 has no pence and no odd pounds: the "
        "round-number test of forensic analytics (Nigrini, Forensic Analytics, Wiley, 2nd ed. "
        "2020: round numbers and number duplication as signs of estimates or invented amounts)",
    )
    round_min_payments: int = _cited(
        5, "at least 5 payments to the supplier: fewer cannot show a habit against the base rate"
    )
    round_min_share: float = _cited(
        0.5, "half or more of the supplier's payments of £1,000 or more are round (house choice)"
    )
    round_min_lift: float = _cited(
        3.0, "and at least 3 times the partner's own base rate of round payments (house choice)"
    )
    # Year end
    year_end_days: int = _cited(
        7,
        "the last week of the financial year: Liebman & Mahoney (2017), 'Do Expiring Budgets "
        "Lead to Wasteful Year-End Spending?', American Economic Review 107(11), found US "
        "federal spending in the last week 4.9 times the weekly average",
    )
    year_end_spike_ratio: float = _cited(
        2.0, "year-end daily spending at least twice the rest of the year's daily rate (house)"
    )
    year_end_supplier_ratio: float = _cited(
        4.0, "a supplier's year-end daily rate at least 4 times its own rate the rest of the year"
    )
    year_end_min_amount: Decimal = _cited(
        Decimal(25000),
        "a supplier's year-end payments total £25,000 or more: the central government "
        "'spend over £25,000' publication level (Cabinet Office transparency guidance)",
    )
    year_end_min_payments: int = _cited(
        2,
        "a supplier's spike is 2 or more year-end payments: one payment is no rate (a single "
        "large payment to a new supplier is the one-off signal's)",
    )
    year_end_min_days_before: int = _cited(
        90, "the ledger covers at least 90 days of the year before the last week (a quarter)"
    )
    # One-off large payments
    one_off_min_amount: Decimal = _cited(
        Decimal(25000),
        "£25,000: the central government 'spend over £25,000' publication level, and the "
        "Public Contracts Regulations 2015 reg. 110 Contracts Finder level for sub-central bodies",
    )
    one_off_percentile: float = _cited(
        0.99, "and in the top 1% of the partner's payments by amount (house choice)"
    )
    # Benford
    benford_min_amount: Decimal = _cited(
        Decimal(1000),
        "first digits of payments of £1,000 or more: the first whole decade above the £500 "
        f"publication threshold ({_TRANSPARENCY_CODE}); £500-£999 is only half a decade "
        "and would inflate digits 5-9",
    )
    benford_min_n: int = _cited(
        300,
        "Nigrini, Benford's Law: Applications for Forensic Accounting, Auditing, and Fraud "
        "Detection (Wiley 2012): the first-digit test needs about 300 or more records",
    )
    benford_mad_close: float = _cited(
        0.006,
        "Nigrini (2012), MAD conformity ranges for first digits: MAD up to 0.006 is close conformity",
    )
    benford_mad_acceptable: float = _cited(
        0.012, "Nigrini (2012): 0.006 to 0.012 acceptable conformity"
    )
    benford_mad_marginal: float = _cited(
        0.015,
        "Nigrini (2012): 0.012 to 0.015 marginally acceptable; above, nonconformity",
    )
    benford_p_value: float = _cited(
        0.01,
        "and a chi-square (8 degrees of freedom) p-value under 0.01, so that a small sample "
        "whose MAD is high by chance is not flagged (the MAD alone is not a test)",
    )
    # Concentration
    hhi_moderate: float = _cited(
        1500.0,
        "US DoJ/FTC Horizontal Merger Guidelines (2010) s5.3: HHI 1,500-2,500 moderately "
        "concentrated (the CMA's Merger Assessment Guidelines, CC2/OFT1254 (2010) para 5.3.5, "
        "use 1,000 and 2,000)",
    )
    hhi_high: float = _cited(
        2500.0,
        "US DoJ/FTC Horizontal Merger Guidelines (2010) s5.3: HHI above 2,500 highly concentrated",
    )
    concentration_min_spend: Decimal = _cited(
        Decimal(214904),
        "categories of £214,904 or more a year: the Procurement Act 2023 threshold for goods "
        "and services bought by sub-central authorities (from 1 January 2024, VAT included)",
    )
    dependency_share: float = _cited(
        0.5, "one supplier takes more than half the place's spend in a category (house choice)"
    )
    dependency_min_partners: int = _cited(
        2, "and is paid in that category by at least two partners (the place depends on it)"
    )


def citation(name: str) -> str:
    """Return the source cited for the threshold ``name`` of :class:`SignalParams`."""
    for f in fields(SignalParams):
        if f.name == name:
            return str(f.metadata["source"])
    raise KeyError(name)
