"""The count's extra sections: pooled and aligned budgets per theme, and the NHS need driver beside population."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from totalplace.cli.output import money, new_table, out, safe
from totalplace.cli.support import writing

__all__ = ["export_extras", "print_need", "print_pooled"]


def print_pooled(shared: Any, year: str) -> None:
    """Print per theme the pooled, aligned and separate shares, and each partner's contribution."""
    themes = [t for t in shared.themes() if t["financial_year"] == year]
    if not themes:
        return
    table = new_table(
        f"Pooled and aligned budgets, {safe(year)} (declared in pooled_budgets.toml)",
        ("Theme", "Counted spend", "Pooled", "Aligned", "Separate"),
    )
    for t in themes:
        table.add_row(
            safe(t["theme"]),
            money(t["theme_spend"]),
            f"{money(t['theme_pooled'])} ({_pct(t['pooled_share'])})",
            f"{money(t['theme_aligned'])} ({_pct(t['aligned_share'])})",
            f"{money(t['theme_separate'])} ({_pct(t['separate_share'])})",
        )
    out.print(table)
    partners = new_table(
        "Each partner's contribution against its share of the theme's spend",
        ("Theme", "Partner", "Counted on theme", "Share of theme", "Contributes", "Share of pool"),
        words=("Theme", "Partner"),
    )
    for r in (r for r in shared.rows if r["financial_year"] == year):
        given = r["pooled_contribution"] + r["aligned_contribution"]
        partners.add_row(
            safe(r["theme"]),
            safe(r["partner_name"]),
            money(r["counted_amount"]),
            _pct(r["partner_theme_share"]),
            money(given),
            _pct(r["partner_arrangement_share"]),
        )
    out.print(partners)
    for a in (a for a in shared.arrangements if a["financial_year"] == year):
        out.print(
            f"[dim]{safe(a['name'])} ({safe(a['kind'])}, hosted by {safe(a['host'])}): "
            f"{money(a['total'])}"
            + (f"; source: {safe(a['source'])}" if a["source"] else "")
            + "[/]"
        )
    for note in shared.notes:
        out.print(f"[dim]{safe(note)}[/]")


def print_need(compared: list[dict[str, Any]]) -> None:
    """Print, per NHS partner, its share and amount by population and by NHS need, and the difference."""
    if not compared:
        return
    table = new_table(
        "NHS need driver beside head count",
        (
            "Partner",
            "Used in count",
            "Population share",
            "By population",
            "Need share",
            "By NHS need",
            "Difference",
        ),
        words=("Partner", "Used in count"),
    )
    for c in compared:
        table.add_row(
            safe(c["partner_name"]),
            safe(c["used"]),
            f"{c['population_share'] * 100:.2f}%",
            money(c["population_amount"]),
            f"{c['need_share'] * 100:.2f}%",
            money(c["need_amount"]),
            money(c["difference"]),
        )
    out.print(table)
    for c in compared:
        out.print(f"[dim]{safe(c['partner_name'])}: {safe(c['need_driver'])}.[/]")


def export_extras(
    written: Path | None,
    count_rows: list[dict[str, Any]],
    pooled_rows: list[dict[str, Any]],
    compared: list[dict[str, Any]],
    as_json: bool,
) -> Path | None:
    """Add the pooled and NHS-need rows to the export: sheets of an .xlsx, else sibling files.

    ``x.csv`` gets ``x_pooled.csv`` and ``x_nhs_need.csv`` beside it (only those with rows).
    Returns the count's export path.
    """
    extras = {
        name: rows for name, rows in (("pooled", pooled_rows), ("nhs_need", compared)) if rows
    }
    if written is None or not extras:
        return written
    import pyarrow as pa

    from totalplace.report import export_table, write_workbook

    tables = {name: pa.Table.from_pylist(rows) for name, rows in extras.items()}
    with writing(written, as_json):
        if written.suffix.lower() == ".xlsx":
            write_workbook({"count": pa.Table.from_pylist(count_rows), **tables}, written)
        else:
            for name, table in tables.items():
                export_table(table, written.with_name(f"{written.stem}_{name}{written.suffix}"))
    return written


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
