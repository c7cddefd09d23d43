"""The count as layers: loaded actual, apportioned, top-down — never silently added.

Domain spec §3.2 and product capability 4: the place count is the actual spend of
bodies covering only the place, plus the spend of bodies covering a wider area
apportioned by a stated driver, plus top-down estimates for bodies with no loaded
data. Each layer keeps its own year, method and confidence; the total says that it
adds figures of different years and methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from totalplace.money import ZERO

__all__ = ["LAYER_NAMES", "Layer", "Layers", "build_layers"]

#: Layer of a coverage row, by its method.
LAYER_NAMES = {"actual": "loaded actual", "apportioned": "apportioned", "top-down": "top-down"}


@dataclass(frozen=True)
class Layer:
    """One layer of the count: its amount, the year(s) it is for, method and confidence."""

    name: str
    amount: Decimal
    financial_year: str
    method: str
    confidence: str
    bodies: tuple[str, ...]
    note: str = ""


@dataclass
class Layers:
    """The count in layers and their total (pounds, exact), with what the total mixes."""

    place: dict[str, Any]
    financial_year: str
    layers: list[Layer]
    top_down_gross: Decimal
    already_counted: Decimal
    notes: list[str] = field(default_factory=list)

    def amount(self, name: str) -> Decimal:
        """Return the amount of the layer called ``name`` (0 if absent)."""
        return next((layer.amount for layer in self.layers if layer.name == name), ZERO)

    @property
    def actual(self) -> Decimal:
        """Return the loaded actual layer: partners covering only the place, counted in full."""
        return self.amount("loaded actual")

    @property
    def apportioned(self) -> Decimal:
        """Return the apportioned layer: loaded partners covering a wider area, by their driver."""
        return self.amount("apportioned")

    @property
    def top_down(self) -> Decimal:
        """Return the top-down layer, net of payments already counted in loaded ledgers."""
        return self.amount("top-down")

    @property
    def total(self) -> Decimal:
        """Return actual + apportioned + top-down."""
        return sum((layer.amount for layer in self.layers), ZERO)

    def as_json(self) -> dict[str, Any]:
        """Return the layers as a JSON-ready document (decimals as strings)."""
        return {
            "place": self.place,
            "financial_year": self.financial_year,
            "layers": [
                {
                    "layer": layer.name,
                    "amount": str(layer.amount),
                    "financial_year": layer.financial_year,
                    "method": layer.method,
                    "confidence": layer.confidence,
                    "bodies": list(layer.bodies),
                    "note": layer.note,
                }
                for layer in self.layers
            ],
            "top_down_gross": str(self.top_down_gross),
            "already_counted_in_loaded_ledgers": str(self.already_counted),
            "total": str(self.total),
            "total_note": self.total_note(),
            "notes": self.notes,
        }

    def total_note(self) -> str:
        """Return a plain-words statement of what the total adds together."""
        parts = [f"{layer.name} {layer.financial_year}" for layer in self.layers if layer.amount]
        years = {layer.financial_year for layer in self.layers if layer.amount}
        mixed = " — years differ: cash figures, not uprated" if len(years) > 1 else ""
        return "total of " + " + ".join(parts) + mixed if parts else "nothing counted"


def build_layers(
    place: dict[str, Any],
    financial_year: str,
    rows: list[dict[str, Any]],
    notes: list[str],
) -> Layers:
    """Return the layers from coverage rows (each with ``method``, ``amount``, ``who``...)."""
    layers = []
    for method, name in LAYER_NAMES.items():
        members = [r for r in rows if r["method"] == method]
        amount = sum((r["amount"] for r in members), ZERO)
        years = sorted({y for r in members for y in r["financial_year"].split("/") if y})
        confidence = sorted({r["confidence"] for r in members if r["confidence"]})
        note = ""
        if method == "top-down":
            note = "published totals for a wider area apportioned to the place; not in any loaded ledger"
            part = [r for r in members if r.get("part_year")]
            if part:
                note += "; for bodies loaded for part of the year, only the months not loaded (" + (
                    ", ".join(f"{r['who']}: {r['months_estimated']}/12" for r in part) + ")"
                )
        elif method == "apportioned":
            note = "loaded ledgers of bodies covering a wider area, apportioned by their driver"
        else:
            note = "loaded ledgers of bodies covering only the place"
        layers.append(
            Layer(
                name,
                amount,
                "/".join(years) or financial_year,
                method,
                "/".join(confidence),
                tuple(r["who"] for r in members),
                note,
            )
        )
    estimated = [r for r in rows if r["method"] == "top-down"]
    return Layers(
        place,
        financial_year,
        layers,
        top_down_gross=sum((r["topdown_estimate"] or ZERO for r in estimated), ZERO),
        already_counted=sum((r["already_counted"] for r in estimated), ZERO),
        notes=notes,
    )
