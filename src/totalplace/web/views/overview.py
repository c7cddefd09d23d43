"""The place at a glance: total and per head, by partner and theme, the layers and what is left out."""

from __future__ import annotations

from typing import Any

from totalplace import stages
from totalplace.money import ZERO
from totalplace.warehouse import has_table
from totalplace.web.access import SMALL_CELL, Viewer, protect
from totalplace.web.views.common import (
    choose_year,
    head,
    partner_names,
    place_of,
    reading,
    share_of,
    years_available,
)
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["SUPPRESSION_NOTE", "count_cells", "overview", "protected_count"]

SUPPRESSION_NOTE = (
    "Figures built from fewer than {threshold} transactions of another partner are not shown, "
    "nor any figure from which one could be worked out: they could identify a person or a "
    "single payment."
)

COUNT_TABLE = "count_by_partner_theme_year"


def count_cells(con: Any, start: int | None) -> list[dict[str, Any]]:
    """Return the count's partner x theme cells of one financial year (the stage's rows)."""
    t = con.table(COUNT_TABLE)
    t = t.filter(t.fy_start_year.isnull() if start is None else t.fy_start_year == start)
    rows: list[dict[str, Any]] = t.order_by(["partner", "theme"]).to_pyarrow().to_pylist()
    return rows


def protected_count(rows: list[dict[str, Any]], viewer: Viewer) -> dict[str, dict[str, Any]]:
    """Return the cells, partner totals, theme totals and the grand total, suppressed for ``viewer``.

    Ids: 'cell:PARTNER|THEME', 'partner:PARTNER', 'theme:THEME', 'total'. Each line
    (a total and the cells adding up to it) is protected against recovery by subtraction.
    """
    cells: dict[str, dict[str, Any]] = {}
    for r in rows:
        cells[f"cell:{r['partner']}|{r['theme']}"] = {
            "partner": r["partner"],
            "theme": r["theme"],
            "lines": int(r["lines"]),
            "amount": r["counted_amount"],
            "method": r["method"],
        }
    partners = sorted({r["partner"] for r in rows})
    themes = sorted({r["theme"] for r in rows})
    lines: list[tuple[str | None, list[str]]] = []
    for key, name, field in [("partner", p, "partner") for p in partners] + [
        ("theme", t, "theme") for t in themes
    ]:
        members = [cid for cid, c in cells.items() if c[field] == name and cid.startswith("cell:")]
        cells[f"{key}:{name}"] = {
            "partner": name if key == "partner" else None,
            "theme": name if key == "theme" else None,
            "lines": sum(cells[m]["lines"] for m in members),
            "amount": sum((cells[m]["amount"] for m in members), ZERO),
        }
        lines.append((f"{key}:{name}", members))
    cells["total"] = {
        "partner": None,
        "theme": None,
        "lines": sum(int(r["lines"]) for r in rows),
        "amount": sum((r["counted_amount"] for r in rows), ZERO),
    }
    lines.append(("total", [f"partner:{p}" for p in partners]))
    lines.append(("total", [f"theme:{t}" for t in themes]))
    return protect(cells, lines, viewer)


def overview(ws: Workspace, viewer: Viewer, year: int | str | None = None) -> dict[str, Any]:
    """Return the overview of one financial year (default: the count's): total and per head,
    by partner and by theme (amount, per head, share), the partner x theme matrix, the
    layers, what is not covered (plain words) and the years available. Decimal amounts;
    other partners' small cells suppressed for ``viewer``."""
    names = partner_names(ws)
    with reading(ws, "count") as con:
        start = choose_year(con, year)
        rows = count_cells(con, start)
        years = years_available(con)
        topdown = _topdown(con, ws)
        months = _months(con, start)
    population = next((int(r["population"]) for r in rows if r["population"]), None)
    population_year = next((r["population_year"] for r in rows if r["population_year"]), None)
    cells = protected_count(rows, viewer)
    total = cells["total"]

    def figure(cell: dict[str, Any]) -> dict[str, Any]:
        return {
            "amount": cell["amount"],
            "per_head": head(cell["amount"], population),
            "share": share_of(cell["amount"], total["amount"]),
            "lines": cell["lines"],
            "suppressed": cell["suppressed"],
            "reason": cell["reason"],
        }

    info = {r["partner"]: r for r in rows}
    by_partner = [
        {
            "partner": names.get(p, p),
            "partner_key": p,
            "method": info[p]["method"],
            "driver": info[p]["driver"],
            "confidence": info[p]["confidence"],
            **figure(cells[f"partner:{p}"]),
        }
        for p in sorted(info)
    ]
    by_theme = [
        {"theme": c["theme"], **figure(c)} for cid, c in cells.items() if cid.startswith("theme:")
    ]
    matrix = [
        {"partner": names.get(c["partner"], c["partner"]), "theme": c["theme"], **figure(c)}
        for cid, c in cells.items()
        if cid.startswith("cell:")
    ]
    for listing in (by_partner, by_theme, matrix):
        listing.sort(key=lambda r: (r["amount"] is None, -(r["amount"] or ZERO)))
    layers = _layers(by_partner, topdown)
    return {
        "place": place_of(ws),
        "fy_start_year": start,
        "financial_year": year_label(start),
        "population": population,
        "population_year": population_year,
        "total": figure(total) | {"share": None},
        "by_partner": by_partner,
        "by_theme": by_theme,
        "matrix": matrix,
        "layers": layers,
        "not_covered": _not_covered(rows, names, months, topdown, total),
        "years": years,
        "suppression_note": SUPPRESSION_NOTE.format(threshold=SMALL_CELL),
    }


def _topdown(con: Any, ws: Workspace) -> list[dict[str, Any]] | None:
    """Return the top-down estimates by body (in the count only), or None if coverage has not run
    or is out of date."""
    if not has_table(con, "topdown_estimates") or stages.last_run(con, "coverage") is None:
        return None
    try:
        stages.require(con, ws, "coverage")
    except stages.StageStale:
        return None
    t = con.table("topdown_estimates")
    t = t.filter(t.in_count)
    by = t.group_by(["body_key", "body", "financial_year", "confidence"]).aggregate(
        amount=t.estimate.sum()
    )
    rows: list[dict[str, Any]] = by.order_by("body_key").to_pyarrow().to_pylist()
    return rows


def _months(con: Any, start: int | None) -> list[dict[str, Any]]:
    if not has_table(con, "count_months") or start is None:
        return []
    t = con.table("count_months")
    rows: list[dict[str, Any]] = t.filter(t.fy_start_year == start).to_pyarrow().to_pylist()
    return rows


def _layers(
    by_partner: list[dict[str, Any]], topdown: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Return the layers: loaded (partners covering only the place), apportioned, top-down."""
    layers = []
    for method, name, words in (
        ("actual", "loaded", "spending of partners that serve only the place, from their ledgers"),
        (
            "apportioned",
            "apportioned",
            "spending of partners that serve a wider area, shared to the place by population",
        ),
    ):
        members = [p for p in by_partner if p["method"] == method]
        hidden = any(p["suppressed"] for p in members)
        layers.append(
            {
                "layer": name,
                "amount": None if hidden else sum((p["amount"] for p in members), ZERO),
                "bodies": [p["partner"] for p in members],
                "suppressed": hidden,
                "words": words,
            }
        )
    if topdown is not None:
        years = sorted({r["financial_year"] for r in topdown})
        layers.append(
            {
                "layer": "top-down",
                "amount": sum((r["amount"] for r in topdown), ZERO),
                "bodies": sorted({r["body"] for r in topdown}),
                "suppressed": False,
                "words": (
                    "published national figures for bodies with no loaded ledger, shared to "
                    f"the place by population ({', '.join(years)}); estimates, before payments "
                    "already counted in loaded ledgers are taken off (see the coverage page)"
                ),
            }
        )
    return layers


def _not_covered(
    rows: list[dict[str, Any]],
    names: dict[str, str],
    months: list[dict[str, Any]],
    topdown: list[dict[str, Any]] | None,
    total: dict[str, Any],
) -> list[str]:
    """Return, in plain words, what the count leaves out or holds only in part."""
    words = [
        "Published ledgers list payments over a threshold (£500, £250 or £25,000): smaller "
        "payments, and staff pay where it is not published, are not in them."
    ]
    for m in months:
        if int(m["months_loaded"]) < 12:
            words.append(
                f"{names.get(m['partner'], m['partner'])}: only {m['months_loaded']} months of "
                f"{m['financial_year']} are loaded (missing: {m['months_missing']})."
            )
    unclassified = sum((r["counted_amount"] for r in rows if r["theme"] == "Unclassified"), ZERO)
    if unclassified and total["amount"] is not None:
        words.append(
            f"£{unclassified:,.2f} of the counted spending is not yet classified to a theme; "
            "it is shown as 'Unclassified', not hidden."
        )
    transfers = sum((r["to_partners"] or ZERO for r in rows), ZERO)
    if transfers:
        words.append(
            f"£{transfers:,.2f} paid by one partner to another is counted once, where it is spent."
        )
    if topdown is None:
        words.append(
            "Bodies that serve the place but have no loaded ledger (the NHS, the county "
            "council, the benefits system ...) are not in this count: `totalplace coverage` "
            "estimates them from national figures."
        )
    return words
