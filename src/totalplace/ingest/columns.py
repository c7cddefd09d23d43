"""The canonical fields of a spending line, and which raw column holds each.

:data:`FIELDS` is the order facts are stored in; a :class:`Mapping_` says, for one
sheet, which 0-based column holds each field and why it was taken. Finding the
mapping is :mod:`header_map`'s work (or :mod:`pins`', for a profile).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Canonical fields of a spending line, in the order they are stored.
FIELDS: tuple[str, ...] = (
    "body",
    "date",
    "transaction_id",
    "amount",
    "supplier_name",
    "supplier_id",
    "vat_number",
    "company_number",
    "charity_number",
    "service_area",
    "department",
    "expense_type",
    "expense_code",
    "purpose",
    "proclass",
    "capital_revenue",
    "procurement_card",
    "supplier_postcode",
)


@dataclass(frozen=True)
class Mapping_:
    """Which raw column (0-based) holds each canonical field, and the header it came from.

    ``evidence`` says, per field, why that column was taken; ``notes`` what a reader
    should know about the choice (a net amount taken over gross, a pin).
    """

    columns: dict[str, int]
    headers: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def describe(self) -> dict[str, str]:
        """Return field -> header text (or column number) for messages and provenance."""
        return {f: self.headers.get(f, f"column {i + 1}") for f, i in self.columns.items()}

    def shifted(self, by: int, width: int) -> Mapping_ | None:
        """Return the mapping with every column moved by ``by``, or None if one falls off the sheet."""
        moved = {f: i + by for f, i in self.columns.items()}
        if any(i < 0 or i >= width for i in moved.values()):
            return None
        return Mapping_(moved, dict(self.headers), dict(self.evidence), self.notes)
