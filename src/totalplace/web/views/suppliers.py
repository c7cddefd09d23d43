"""Suppliers and procurement: suppliers several partners pay, and categories several buy separately."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from totalplace.web.access import SMALL_CELL, Viewer, suppress_with_total
from totalplace.web.views.common import choose_year, partner_names, place_of, reading
from totalplace.web.views.overview import SUPPRESSION_NOTE
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["suppliers"]


def _year(t: Any, start: int | None) -> Any:
    return t.filter(t.fy_start_year.isnull() if start is None else t.fy_start_year == start)


def _grouped(
    rows: list[dict[str, Any]],
    heads: dict[str, dict[str, Any]],
    viewer: Viewer,
    names: dict[str, str],
    by: str,
) -> list[dict[str, Any]]:
    """Return one entry per ``by`` key (its figures) with its partners, suppressed for the viewer."""
    out = []
    for key, members in groupby(rows, key=lambda r: r[by]):
        parts = [
            {
                "partner": r["partner"],
                "partner_name": names.get(r["partner"], r["partner"]),
                "lines": int(r["lines"]),
                "amount": r["amount"],
            }
            for r in members
        ]
        whole = heads[key]
        shown, total = suppress_with_total(
            parts, {"lines": whole["lines"], "amount": whole["amount"]}, viewer
        )
        out.append({**whole, **total, "partners_detail": shown})
    return sorted(out, key=lambda r: (r["amount"] is None, -(r["amount"] or 0)))


def suppliers(ws: Workspace, viewer: Viewer, year: int | str | None = None) -> dict[str, Any]:
    """Return the shared suppliers (paid by two or more partners) and the procurement categories
    bought by several, each with its amount and each partner's part (other partners' small
    parts suppressed, with secondary suppression against the total). Decimal amounts;
    the amounts are the partners' ledger spending. StageNotRun: "run `totalplace opportunities` first".
    """
    names = partner_names(ws)
    with reading(ws, "opportunities") as con:
        start = choose_year(con, year)
        s = _year(con.table("opp_shared_suppliers"), start)
        shared = s.order_by(["supplier_id", "partner"]).to_pyarrow().to_pylist()
        p = con.table("opp_procurement")
        cats = _year(p, start).to_pyarrow().to_pylist()
        pp = _year(con.table("opp_procurement_partners"), start)
        cat_parts = pp.order_by(["opportunity_key", "partner"]).to_pyarrow().to_pylist()
    supplier_heads = {
        r["supplier_id"]: {
            "supplier_id": r["supplier_id"],
            "supplier": r["supplier_name"],
            "kind": r["kind"],
            "partners": int(r["partners"]),
            "lines": int(r["supplier_lines"]),
            "amount": r["supplier_amount"],
        }
        for r in shared
    }
    category_heads = {
        r["opportunity_key"]: {
            "category": r["category"],
            "influenceable": r["influenceable"],
            "partners": int(r["partners"]),
            "suppliers": int(r["suppliers"]),
            "lines": int(r["lines"]),
            "amount": r["amount"],
            "saving_low": r["place_saving_low"],
            "saving_central": r["place_saving_central"],
            "saving_high": r["place_saving_high"],
            "benchmark": r["benchmark"],
        }
        for r in cats
    }
    return {
        "place": place_of(ws),
        "fy_start_year": start,
        "financial_year": year_label(start),
        "shared_suppliers": _grouped(shared, supplier_heads, viewer, names, "supplier_id"),
        "categories": _grouped(cat_parts, category_heads, viewer, names, "opportunity_key"),
        "suppression_note": SUPPRESSION_NOTE.format(threshold=SMALL_CELL),
        "notes": [
            "A shared supplier is one organisation paid by two or more partners (matched "
            "across ledgers by `totalplace link`); a category is what is bought, bought "
            "separately by several partners: both are chances to buy together.",
        ],
    }
