"""What ``totalplace economy`` found: local share by partner and year, LM3 per year, where suppliers are."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from totalplace.economy.assumptions import EconomyAssumptions
from totalplace.economy.jobs import JobsEffect
from totalplace.economy.lm3 import Lm3

__all__ = ["EconomyResult"]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass
class EconomyResult:
    """The local economy of a place: the rows of the two tables written, LM3 per year, notes.

    ``local_share`` holds a row per partner x financial year x status (local / not
    local / unknown) with ledger and place amounts; ``lm3`` maps a financial year to
    its LM3 (on place amounts); ``methods`` counts suppliers and spend by how each was
    located; ``jobs`` is the effect of a cut when one was asked for.
    """

    place: dict[str, Any]
    financial_years: list[str]
    assumptions: EconomyAssumptions
    local_share: list[dict[str, Any]]
    lm3: dict[str, Lm3]
    methods: list[dict[str, Any]]
    suppliers: int
    location_file: str | None
    postcode_lookups: list[str]
    notes: list[str] = field(default_factory=list)
    jobs: JobsEffect | None = None

    def as_json(self) -> dict[str, Any]:
        """Return one JSON-ready document: inputs echoed, local share, LM3 with inputs, jobs."""
        return {
            "place": self.place,
            "financial_years": self.financial_years,
            "assumptions": self.assumptions.as_json(),
            "location_file": self.location_file,
            "postcode_lookups": self.postcode_lookups,
            "suppliers": self.suppliers,
            "local_share": _plain(self.local_share),
            "lm3": {year: value.as_json() for year, value in self.lm3.items()},
            "location_methods": _plain(self.methods),
            "jobs": None if self.jobs is None else self.jobs.as_json(),
            "notes": self.notes,
        }
