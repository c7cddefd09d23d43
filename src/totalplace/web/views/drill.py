"""Drill-down: theme -> partners -> services -> suppliers -> transactions.

The theme and partner levels are the count's own cells (``count_by_partner_theme_year``,
amounts counted for the place). Below a partner the amounts are the partner's ledger
spending in the theme (``count_lines.base_amount``: what it paid, transfers to other
bodies excluded), before any share to the place, so each level adds up exactly to the
level above: the partner's ledger amount = its services = their suppliers = their
transactions. Another partner's detail is aggregate only, small cells suppressed; its
individual transactions only for its own analysts.
"""

from __future__ import annotations

from typing import Any

import ibis

from totalplace.errors import UsageError
from totalplace.money import ZERO
from totalplace.web.access import SMALL_CELL, Viewer, may_see_transactions, own_partner, suppress
from totalplace.web.views.common import choose_year, partner_names, place_of, reading
from totalplace.web.views.overview import SUPPRESSION_NOTE, count_cells, protected_count
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["drill"]

WITHHELD = "Name withheld by the publisher"
PARENT_HIDDEN = (
    "Suppressed: the figure it is part of is suppressed, so its parts are not shown either."
)


def _lines(con: Any, start: int | None, theme: str, partner: str) -> Any:
    """Return the partner's count lines in the theme and year with service and payee (Ibis)."""
    cl = con.table("count_lines")
    cl = cl.filter(
        (cl.fy_start_year.isnull() if start is None else cl.fy_start_year == start)
        & (cl.theme == theme)
        & (cl.partner == partner)
    ).select("txn_key", "base_amount")
    t = con.table("transactions").select(
        "txn_key",
        "txn_date",
        "supplier_name",
        "payee_status",
        "service_area",
        "department",
        "source_file",
        "sheet",
        "row_number",
    )
    c = con.table("classifications").select("txn_key", "subjective")
    j = cl.join(t, "txn_key").left_join(c, "txn_key")
    withheld = j.payee_status.isnull() | (j.payee_status != "named")
    return j.mutate(
        service=ibis.coalesce(j.service_area, j.department, j.subjective, "Not recorded"),
        service_from=ibis.cases(
            (j.service_area.notnull() | j.department.notnull(), "the ledger's service"),
            (j.subjective.notnull(), "CIPFA subjective group"),
            else_="not recorded",
        ),
        payee=ibis.ifelse(withheld, WITHHELD, j.supplier_name.fill_null(WITHHELD)),
    )


def _group(lines: Any, by: list[str], payees: bool) -> list[dict[str, Any]]:
    metrics = {"lines": lines.count(), "ledger_amount": lines.base_amount.sum()}
    if payees:
        metrics["payees"] = lines.payee.nunique()
    rows: list[dict[str, Any]] = (
        lines.group_by(by).aggregate(**metrics).order_by(by).to_pyarrow().to_pylist()
    )
    for r in rows:
        r["ledger_amount"] = r["ledger_amount"] if r["ledger_amount"] is not None else ZERO
    return rows


def _guard(
    rows: list[dict[str, Any]], viewer: Viewer, partner: str, parent_hidden: bool
) -> list[dict[str, Any]]:
    """Return ``rows`` (all of ``partner``) suppressed for the viewer, all of them if the parent is."""
    for r in rows:
        r["partner"] = partner
    if own_partner(viewer) == partner:
        return [{**r, "suppressed": False, "reason": None} for r in rows]
    if parent_hidden:
        return [
            {**r, "ledger_amount": None, "suppressed": True, "reason": PARENT_HIDDEN} for r in rows
        ]
    return suppress(rows, viewer)


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["ledger_amount"] is None, -(r["ledger_amount"] or ZERO)))


def drill(
    ws: Workspace,
    viewer: Viewer,
    year: int | str | None,
    theme: str,
    partner: str | None = None,
    service: str | None = None,
    supplier: str | None = None,
) -> dict[str, Any]:
    """Return one step of the drill-down: the theme and its partners; with ``partner`` its
    services; with ``service`` their suppliers; with ``supplier`` the transactions (only for
    the partner's own analysts). Each level carries the path above it. Decimal amounts.

    Raises UsageError for an unknown theme or partner; StageNotRun / StageStale if the
    count is missing or out of date.
    """
    names = partner_names(ws)
    with reading(ws, "count") as con:
        start = choose_year(con, year)
        rows = count_cells(con, start)
        if theme not in {r["theme"] for r in rows}:
            known = ", ".join(sorted({r["theme"] for r in rows}))
            raise UsageError(f"no theme {theme!r} in {year_label(start)}; the themes are: {known}")
        cells = protected_count(rows, viewer)
        by_cell = {r["partner"]: r for r in rows if r["theme"] == theme}
        top = cells[f"theme:{theme}"]
        result: dict[str, Any] = {
            "place": place_of(ws),
            "fy_start_year": start,
            "financial_year": year_label(start),
            "theme": {"theme": theme, **_figure(top)},
            "partners": sorted(
                (
                    {
                        "partner": names.get(p, p),
                        "partner_key": p,
                        "method": by_cell[p]["method"],
                        "place_share": by_cell[p]["share"],
                        **_figure(cells[f"cell:{p}|{theme}"]),
                        "ledger_amount": None
                        if cells[f"cell:{p}|{theme}"]["suppressed"]
                        else by_cell[p]["base_amount"],
                    }
                    for p in by_cell
                ),
                key=lambda r: (r["amount"] is None, -(r["amount"] or ZERO)),
            ),
            "partner": None,
            "services": None,
            "service": None,
            "suppliers": None,
            "supplier": None,
            "transactions": None,
            "transactions_note": None,
            "suppression_note": SUPPRESSION_NOTE.format(threshold=SMALL_CELL),
            "amounts_note": (
                "The theme and partner figures are counted for the place (a partner serving a "
                "wider area by its share); services, suppliers and transactions are the "
                "partner's whole ledger spending, before that share."
            ),
        }
        if partner is None:
            return result
        found = ws.partner(partner)
        if found is None or found.slug not in by_cell:
            raise UsageError(f"{partner!r} has no spending counted in {theme!r}")
        slug = found.slug
        node = next(r for r in result["partners"] if r["partner_key"] == slug)
        result["partner"] = node
        lines = _lines(con, start, theme, slug)
        services = _guard(
            _group(lines, ["service", "service_from"], True), viewer, slug, node["suppressed"]
        )
        result["services"] = _sorted(services)
        if service is None:
            return result
        chosen = next((s for s in services if s["service"] == service), None)
        if chosen is None:
            raise UsageError(f"no service {service!r} of {found.name} in {theme!r}")
        result["service"] = chosen
        lines = lines.filter(lines.service == service)
        suppliers = _guard(_group(lines, ["payee"], False), viewer, slug, chosen["suppressed"])
        result["suppliers"] = _sorted(suppliers)
        if supplier is None:
            return result
        picked = next((s for s in suppliers if s["payee"] == supplier), None)
        if picked is None:
            raise UsageError(f"no supplier {supplier!r} under {service!r}")
        result["supplier"] = picked
        if not may_see_transactions(viewer, found.name):
            result["transactions_note"] = (
                f"Only {found.name}'s own analysts see its individual payments; "
                "others see the totals above."
            )
            return result
        lines = lines.filter(lines.payee == supplier).order_by(
            ["txn_date", "source_file", "row_number"]
        )
        picked_rows = (
            lines.select(
                "txn_key", "txn_date", "payee", "base_amount", "source_file", "sheet", "row_number"
            )
            .to_pyarrow()
            .to_pylist()
        )
        result["transactions"] = [
            {
                "txn_key": r["txn_key"],
                "date": r["txn_date"].isoformat() if r["txn_date"] else None,
                "supplier": r["payee"],
                "amount": r["base_amount"],
                "source_file": r["source_file"],
                "sheet": r["sheet"],
                "row": r["row_number"],
            }
            for r in picked_rows
        ]
    return result


def _figure(cell: dict[str, Any]) -> dict[str, Any]:
    return {
        "amount": cell["amount"],
        "lines": cell["lines"],
        "suppressed": cell["suppressed"],
        "reason": cell["reason"],
    }
