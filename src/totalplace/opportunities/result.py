"""The opportunities found, as plain rows, with summaries per financial year and a JSON form."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from totalplace.money import ZERO
from totalplace.opportunities.assumptions import Assumptions
from totalplace.opportunities.categories import CategorySet
from totalplace.opportunities.savings import SAVINGS
from totalplace.report.documents import jsonable
from totalplace.years import DATE_MISSING

OVERLAP_NOTE = (
    "Back-office and procurement savings overlap (ICT software, for example, is both "
    "back-office spend and a shared purchase), so they are not added together."
)


def _sum(rows: list[dict[str, Any]], key: str) -> Decimal:
    return sum((r[key] for r in rows if r[key] is not None), ZERO)


@dataclass
class Opportunities:
    """What ``opportunities`` found: one list of rows per table, the assumptions used and notes.

    Amounts are exact decimals. ``amount`` is ledger spend (the whole body's);
    ``place_amount`` is the part the count apportions to the place.
    """

    place: dict[str, Any]
    financial_years: list[str]
    assumptions: Assumptions
    categories: CategorySet
    register: bool
    shared_suppliers: list[dict[str, Any]]
    procurement: list[dict[str, Any]]
    procurement_by_partner: list[dict[str, Any]]
    back_office: list[dict[str, Any]]
    fragmentation: list[dict[str, Any]]
    partner_totals: list[dict[str, Any]]
    procurement_coverage: list[dict[str, Any]]
    tables: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    partner_names: dict[str, str] = field(default_factory=dict)
    months: list[dict[str, Any]] = field(default_factory=list)

    def name(self, partner: str) -> str:
        """Return a partner's display name from its slug."""
        return self.partner_names.get(partner, partner)

    def months_of(self, partner: str, year: str) -> tuple[int, str]:
        """Return (months loaded, their runs such as 'Apr–Jan') of a partner's year; (0, '') if none."""
        row = next(
            (m for m in self.months if m["partner"] == partner and m["financial_year"] == year),
            None,
        )
        return (int(row["months_loaded"]), row["months"]) if row else (0, "")

    def saving_on(self, year: str, partners: list[str] | None = None) -> str:
        """Return the months of spend a year's savings are taken from, in words.

        'saving on 12 months of spend', or per partner where they differ ('saving on 12
        months of spend; 10 months (Apr–Jan) for Lancashire Police'): a saving on
        part of a year is not a saving a year.
        """
        if year == DATE_MISSING:
            return "saving on rows without a date (in no financial year)"
        shown = (
            partners
            if partners is not None
            else sorted({r["partner"] for r in self.partner_totals if r["financial_year"] == year})
        )
        months = {p: self.months_of(p, year) for p in shown}
        part = {p: m for p, m in months.items() if m[0] < 12}
        if not part:
            return "saving on 12 months of spend"
        if len(part) == len(months) and len({m[0] for m in part.values()}) == 1:
            k, runs = next(iter(part.values()))
            return f"saving on {k} months of spend ({runs}), not a whole year"
        return (
            "saving on 12 months of spend; "
            + "; ".join(f"{k} months ({runs}) for {self.name(p)}" for p, (k, runs) in part.items())
            + " — not a whole year"
        )

    def _in_year(self, rows: list[dict[str, Any]], year: str | None) -> list[dict[str, Any]]:
        return [r for r in rows if year is None or r["financial_year"] == year]

    def top_shared_suppliers(
        self, n: int = 10, year: str | None = None, kinds: tuple[str, ...] | None = None
    ) -> list[dict[str, Any]]:
        """Return up to ``n`` (0: all) suppliers paid by most partners, then by most spend.

        Each has supplier_id, supplier_name, kind, partners, partner_list, lines,
        amount, place_amount and by_partner (partner, financial_year, lines, amount,
        place_amount). With ``year`` only that year's spend counts, and a supplier
        must be paid by enough partners in that year; ``kinds`` keeps only those
        kinds (e.g. ('organisation',) to leave out public bodies).
        """
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self._in_year(self.shared_suppliers, year):
            if kinds is None or row["kind"] in kinds:
                grouped[row["supplier_id"]].append(row)
        out = []
        for supplier_id, rows in grouped.items():
            partners = sorted({r["partner"] for r in rows})
            if len(partners) < self.assumptions.shared_min_partners:
                continue
            out.append(
                {
                    "supplier_id": supplier_id,
                    "supplier_name": rows[0]["supplier_name"],
                    "kind": rows[0]["kind"],
                    "partners": len(partners),
                    "partner_list": ", ".join(self.name(p) for p in partners),
                    "lines": sum(r["lines"] for r in rows),
                    "amount": _sum(rows, "amount"),
                    "place_amount": _sum(rows, "place_amount"),
                    "by_partner": [
                        {
                            k: r[k]
                            for k in (
                                "partner",
                                "financial_year",
                                "lines",
                                "amount",
                                "place_amount",
                            )
                        }
                        for r in rows
                    ],
                }
            )
        out.sort(key=lambda s: (-s["partners"], -s["amount"], s["supplier_id"]))
        return out[:n] if n else out

    def top_categories(self, n: int = 10, year: str | None = None) -> list[dict[str, Any]]:
        """Return up to ``n`` shared procurement categories of a year (or all), by spend."""
        rows = sorted(self._in_year(self.procurement, year), key=lambda r: -r["amount"])
        return rows[:n] if n else rows

    def back_office_by_partner(self, year: str | None = None) -> list[dict[str, Any]]:
        """Return per partner (and year): back-office spend, its share of counted spend, savings."""
        totals = {
            (r["partner"], r["financial_year"]): r for r in self._in_year(self.partner_totals, year)
        }
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in self._in_year(self.back_office, year):
            grouped[(row["partner"], row["financial_year"])].append(row)
        out = []
        for (partner, fy), rows in sorted(grouped.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            counted = totals.get((partner, fy), {}).get("amount", ZERO)
            item: dict[str, Any] = {
                "partner": partner,
                "partner_name": self.name(partner),
                "financial_year": fy,
                "share": rows[0]["share"],
                "lines": sum(r["lines"] for r in rows),
                "amount": _sum(rows, "amount"),
                "place_amount": _sum(rows, "place_amount"),
                "counted_spend": counted,
                "by_function": {r["function"]: r["amount"] for r in rows},
                "months_loaded": self.months_of(partner, fy)[0],
                "saving_on": self.saving_on(fy, [partner]),
            }
            item["share_of_spend"] = (
                (item["amount"] / counted).quantize(Decimal("0.0001")) if counted else None
            )
            for key in SAVINGS:
                item[key] = _sum(rows, key)
            out.append(item)
        return out

    def back_office_by_function(self, year: str | None = None) -> list[dict[str, Any]]:
        """Return per function (and year): back-office spend of all partners and savings."""
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in self._in_year(self.back_office, year):
            grouped[(row["function"], row["financial_year"])].append(row)
        out = []
        for (function, fy), rows in grouped.items():
            item: dict[str, Any] = {
                "function": function,
                "financial_year": fy,
                "partners": len({r["partner"] for r in rows}),
                "lines": sum(r["lines"] for r in rows),
                "amount": _sum(rows, "amount"),
                "place_amount": _sum(rows, "place_amount"),
                "rate_low": rows[0]["rate_low"],
                "rate_central": rows[0]["rate_central"],
                "rate_high": rows[0]["rate_high"],
                "source": rows[0]["source"],
            }
            for key in SAVINGS:
                item[key] = _sum(rows, key)
            out.append(item)
        out.sort(key=lambda r: (r["financial_year"], -r["amount"]))
        return out

    def summary(self) -> list[dict[str, Any]]:
        """Return one summary per financial year: counted spend, and each opportunity's totals and savings."""
        out = []
        for fy in self.financial_years:
            counted = self._in_year(self.partner_totals, fy)
            back = self._in_year(self.back_office, fy)
            proc = self._in_year(self.procurement, fy)
            coverage = next((r for r in self.procurement_coverage if r["financial_year"] == fy), {})
            frag = self._in_year(self.fragmentation, fy)
            shared = self.top_shared_suppliers(0, fy)
            counted_amount = _sum(counted, "amount")
            item: dict[str, Any] = {
                "financial_year": fy,
                "months_loaded": {
                    r["partner"]: self.months_of(r["partner"], fy)[0] for r in counted
                },
                "saving_on": self.saving_on(fy),
                "counted_spend": {
                    "amount": counted_amount,
                    "place_amount": _sum(counted, "place_amount"),
                    "partners": len(counted),
                },
                "back_office": {
                    "amount": _sum(back, "amount"),
                    "place_amount": _sum(back, "place_amount"),
                    "share_of_spend": (
                        (_sum(back, "amount") / counted_amount).quantize(Decimal("0.0001"))
                        if counted_amount
                        else None
                    ),
                    **{k: _sum(back, k) for k in SAVINGS},
                },
                "procurement": {
                    "scope_amount": coverage.get("amount", ZERO),
                    "categorised_amount": coverage.get("categorised_amount", ZERO),
                    "shared_categories": len(proc),
                    "amount": _sum(proc, "amount"),
                    "place_amount": _sum(proc, "place_amount"),
                    "not_influenceable_amount": _sum(
                        [r for r in proc if not r["influenceable"]], "amount"
                    ),
                    **{k: _sum(proc, k) for k in SAVINGS},
                },
                "shared_suppliers": {
                    "available": self.register,
                    "suppliers": len(shared),
                    "organisations": sum(1 for s in shared if s["kind"] == "organisation"),
                    "public_bodies": sum(1 for s in shared if s["kind"] == "public body"),
                    "amount": sum((s["amount"] for s in shared), ZERO),
                    "place_amount": sum((s["place_amount"] for s in shared), ZERO),
                    "lines": sum(s["lines"] for s in shared),
                },
                "fragmentation": {
                    "themes": len(frag),
                    "themes_served_by_all_partners": sum(
                        1 for r in frag if r["partners"] >= len(counted) > 1
                    ),
                    "most_partners": max((r["partners"] for r in frag), default=0),
                },
            }
            out.append(item)
        return out

    def as_json(self) -> dict[str, Any]:
        """Return everything as one JSON-ready document (decimals as strings)."""
        by_partner: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self.procurement_by_partner:
            by_partner[row["opportunity_key"]].append(
                {k: row[k] for k in ("partner", "lines", "amount", "share", "place_amount")}
            )
        procurement = [
            {**row, "by_partner": by_partner.get(row["opportunity_key"], [])}
            for row in self.procurement
        ]
        return jsonable(
            {
                "place": self.place,
                "financial_years": self.financial_years,
                "supplier_register": self.register,
                "assumptions": self.assumptions.as_json(),
                "categories": {
                    "files": list(self.categories.files),
                    "rules": len(self.categories.rules),
                },
                "summary": self.summary(),
                "shared_suppliers": self.top_shared_suppliers(0),
                "procurement": procurement,
                "back_office": {
                    "rows": self.back_office,
                    "by_partner": self.back_office_by_partner(),
                    "by_function": self.back_office_by_function(),
                },
                "fragmentation": self.fragmentation,
                "partner_totals": self.partner_totals,
                "months_loaded": self.months,
                "tables": self.tables,
                "notes": self.notes,
            }
        )
