"""The result of an integrity run: the findings, the repeats set apart, the thresholds in force."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from totalplace.integrity.params import Params
from totalplace.integrity.tables import GRADES

__all__ = ["Integrity"]


@dataclass(frozen=True)
class Integrity:
    """Findings (rows of integrity_findings, most money first), repeats, parameters, scope."""

    place: dict[str, Any]
    financial_years: list[str]
    detectors: list[str]
    params: Params
    findings: list[dict[str, Any]] = field(default_factory=list)
    repeats: list[dict[str, Any]] = field(default_factory=list)

    def only(self, partner: str | None = None, detector: str | None = None) -> Integrity:
        """Return the result with only the findings involving ``partner`` (a slug) or of ``detector``.

        ``detector`` matches a finding's detector or its family (``duplicates`` keeps
        'duplicate (exact)', ...).
        """
        findings = [
            f
            for f in self.findings
            if (partner is None or partner in f["partners"].split(", "))
            and (detector is None or _family(f["detector"]) == detector)
        ]
        repeats = [r for r in self.repeats if partner is None or r["partner"] == partner]
        return replace(self, findings=findings, repeats=repeats)

    def by_detector(self) -> list[dict[str, Any]]:
        """Return per detector: grade, findings, payments, money at stake and mean confidence."""
        rows: dict[str, dict[str, Any]] = {}
        for f in self.findings:
            row = rows.setdefault(
                f["detector"],
                {
                    "detector": f["detector"],
                    "grade": f["grade"],
                    "findings": 0,
                    "payments": 0,
                    "money_at_stake": Decimal("0.00"),
                    "_confidence": 0.0,
                },
            )
            row["findings"] += 1
            row["payments"] += f["rows"]
            row["money_at_stake"] += f["money_at_stake"]
            row["_confidence"] += f["confidence"]
        out = []
        for row in rows.values():
            confidence = row.pop("_confidence") / row["findings"]
            out.append({**row, "mean_confidence": round(confidence, 2)})
        return sorted(out, key=lambda r: (GRADES.index(r["grade"]), -r["money_at_stake"]))

    def money_by_grade(self) -> dict[str, Decimal]:
        """Return the money at stake per grade (every grade, 0.00 if none)."""
        totals = {g: Decimal("0.00") for g in GRADES}
        for f in self.findings:
            totals[f["grade"]] += f["money_at_stake"]
        return totals

    def as_json(self, top: int | None = None) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping (amounts as decimal strings)."""
        from totalplace.integrity.summary import board_summary

        findings = self.findings if top is None else self.findings[:top]
        return {
            "place": self.place,
            "financial_years": self.financial_years,
            "detectors": self.detectors,
            "summary": [
                {**r, "money_at_stake": str(r["money_at_stake"])} for r in self.by_detector()
            ],
            "board_summary": board_summary(self),
            "findings": [{**f, "money_at_stake": str(f["money_at_stake"])} for f in findings],
            "findings_total": len(self.findings),
            "repeats": [
                {
                    **r,
                    "amount": str(r["amount"]),
                    "total": str(r["total"]),
                    "first_date": str(r["first_date"]),
                    "last_date": str(r["last_date"]),
                }
                for r in self.repeats
            ],
            "parameters": self.params.as_json(),
        }


def _family(detector: str) -> str:
    """Return the ``--detector`` name of a finding's detector: 'duplicate (exact)' -> 'duplicates'."""
    head = detector.split(" (")[0]
    families = {
        "duplicate": "duplicates",
        "repeated lines in one file": "duplicates",
        "split order": "splits",
    }
    return families.get(head, head)
