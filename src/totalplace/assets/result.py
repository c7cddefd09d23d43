"""What ``assets`` returns: the registers loaded, the clusters of buildings, and their members."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from totalplace.assets.registers import RegisterSummary
from totalplace.report.documents import jsonable

__all__ = ["AssetsResult"]


@dataclass
class AssetsResult:
    """The registers loaded, the pairs and clusters found within ``radius_m``, and the notes on them."""

    place: dict[str, str]
    radius_m: float
    radius_source: str
    premises_year: str | None
    registers: list[RegisterSummary]
    clusters: list[dict[str, Any]]
    members: list[dict[str, Any]]
    pairs: int
    tables: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def top(self, n: int) -> list[dict[str, Any]]:
        """Return the ``n`` clusters with the most running cost behind them (then most bodies, buildings)."""
        return self.clusters[:n]

    def as_json(self) -> dict[str, Any]:
        """Return one JSON-ready document (amounts as decimal strings)."""
        return jsonable(
            {
                "place": self.place,
                "radius_m": self.radius_m,
                "radius_source": self.radius_source,
                "premises_year": self.premises_year,
                "registers": [r.as_json() for r in self.registers],
                "pairs": self.pairs,
                "clusters": self.clusters,
                "members": self.members,
                "tables": self.tables,
                "notes": self.notes,
            }
        )
