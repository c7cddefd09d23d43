"""What the count returns: the place count as plain rows, its errors, and the financial-year label."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from totalplace.errors import WorkspaceStateError
from totalplace.report.documents import jsonable
from totalplace.warehouse import IntegrityError
from totalplace.years import DATE_MISSING

__all__ = [
    "UNCLASSIFIED",
    "CountError",
    "CountResult",
    "LedgerDoesNotReconcile",
]

UNCLASSIFIED = "Unclassified"


class CountError(WorkspaceStateError):
    """The count cannot be made yet; the message says what to run first."""


class LedgerDoesNotReconcile(IntegrityError):
    """The counted lines do not add up to what the sources record: no figure is given."""


@dataclass
class CountResult:
    """The place count as plain rows (decimals exact), with totals and reconciliation."""

    place: dict[str, Any]
    rows: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    reconciliation: list[dict[str, Any]]
    notes: list[str]
    months: list[dict[str, Any]] = field(default_factory=list)
    undated: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)

    def years(self) -> list[str]:
        """Return the financial years in the count ('2024-25' ..., 'date missing' last)."""
        return sorted({r["financial_year"] for r in self.rows}, key=lambda y: (y[0].isalpha(), y))

    def for_year(self, financial_year: str | None) -> CountResult:
        """Return the result for one financial year ('2024-25'; None: all years).

        Rows, totals, months and notes of other years are left out; the reconciliation
        stays whole-ledger (it is per partner, over every year).
        """
        if financial_year is None:
            return self
        years = set(self.years())
        return replace(
            self,
            rows=[r for r in self.rows if r["financial_year"] == financial_year],
            by_year=[t for t in self.by_year if t["financial_year"] == financial_year],
            months=[m for m in self.months if m["financial_year"] == financial_year],
            undated=self.undated if financial_year == DATE_MISSING else [],
            notes=[
                n
                for n in self.notes
                if financial_year in n or not any(y in n for y in years - {financial_year})
            ],
        )

    def as_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready document (decimals as strings)."""
        return jsonable(
            {
                "place": self.place,
                "count": self.rows,
                "totals_by_year": self.by_year,
                "reconciliation": self.reconciliation,
                "months_loaded": self.months,
                "undated": self.undated,
                "summaries": self.summaries,
                "notes": self.notes,
            }
        )
