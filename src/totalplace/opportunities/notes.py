"""The plain-words notes that go with the opportunities: register, apportionment, gaps, overlap."""

from __future__ import annotations

from totalplace.opportunities.result import OVERLAP_NOTE, Opportunities
from totalplace.opportunities.scope import NO_REGISTER_NOTE


def notes_for(result: Opportunities, unlinked: int) -> list[str]:
    """Return plain-words notes: register state, apportionment, uncategorised spend, overlap."""
    notes = []
    if not result.register:
        notes.append(NO_REGISTER_NOTE)
    elif unlinked:
        notes.append(
            f"{unlinked:,} payee names are not in the supplier register (it is older than the "
            "imported data): run 'totalplace link' again to include them."
        )
    shares = {r["partner"]: r["share"] for r in result.partner_totals}
    apportioned = [
        f"{result.name(p)} {share * 100:.2f}%"
        for p, share in sorted(shares.items())
        if share is not None and share != 1
    ]
    if apportioned:
        notes.append(
            "Ledger amounts are each body's whole spending; place amounts are the part the count "
            "apportions to the place (" + "; ".join(apportioned) + ")."
        )
    for row in result.procurement_coverage:
        amount, categorised = row["amount"], row["categorised_amount"]
        if amount and categorised < amount:
            notes.append(
                f"{row['financial_year']}: £{amount - categorised:,.2f} of procurement spend "
                f"({row['uncategorised_lines']:,} lines) has no category (no rule, ProClass or "
                "expense type); add rules to categories.toml to include it."
            )
    for fy in result.financial_years:
        text = result.saving_on(fy)
        if text != "saving on 12 months of spend":
            notes.append(
                f"{fy}: every saving is a benchmark rate of the spend loaded, {text}; "
                "it is not a saving a year."
            )
    notes.append(OVERLAP_NOTE)
    return notes
