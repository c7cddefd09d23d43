"""Unit costs of a journey's contacts at the journey's price year, each with where it comes from.

A GMCA entry's fiscal value is at its own price year; it is uplifted to the journey's
price year by HM Treasury's GDP deflator (:func:`totalplace.reference.appraisal.gdp_deflator`).
A local unit cost is a partner's spend on a theme in a year, read from the count's
``count_by_partner_theme_year`` (after :func:`totalplace.stages.require` has checked the
count is current), divided by the activity the file gives, and uplifted the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from totalplace.journey.spec import Contact, JourneyFileError, JourneySpec, LocalCost
from totalplace.reference.appraisal import PriceYearError, gdp_deflator
from totalplace.stages import require
from totalplace.warehouse import connect
from totalplace.workspace import Workspace
from totalplace.workspace.model import PlaceFileProblem
from totalplace.years import parse_year, year_label

__all__ = ["COUNT_TABLE", "CountFigure", "Priced", "price_contacts", "uplift"]

COUNT_TABLE = "count_by_partner_theme_year"


@dataclass(frozen=True)
class CountFigure:
    """A partner x theme x year of the count: spend in the place and in all, lines, months loaded."""

    counted: Decimal
    base: Decimal
    lines: int
    months_loaded: int
    run_id: str


@dataclass(frozen=True)
class Priced:
    """A contact's unit cost at the journey's price year, with the figures it was made from."""

    contact: Contact
    unit_cost: Decimal  # pounds per contact at the journey's price year (not rounded)
    original: Decimal  # pounds per contact at its own price year
    original_year: int
    uplift: Decimal  # GDP deflator factor from original_year to the journey's price year
    source: str  # the trace: GMCA code, sheet and row; or the count's figures and the activity
    ref: str  # the trace in a few words, for a table


def uplift(from_year: int, to_year: int) -> Decimal:
    """Return the GDP-deflator factor that moves money from financial year ``from_year`` prices to
    ``to_year`` prices (index of ``to_year`` / index of ``from_year``); PriceYearError outside the series."""
    deflator = gdp_deflator()
    return Decimal(str(deflator.index(year_label(to_year)))) / Decimal(
        str(deflator.index(year_label(from_year)))
    )


def _count_figures(
    workspace: Workspace, wanted: Sequence[LocalCost]
) -> dict[tuple[str, str, int], CountFigure]:
    """Return the count's figures for each (partner, theme, year) the local costs name."""
    slugs = {p.name: p.slug for p in workspace.partners}
    names = {slug: name for name, slug in slugs.items()}
    con = connect(workspace, read_only=True)
    try:
        run = require(con, workspace, "count")
        t = con.table(COUNT_TABLE)
        t = t.filter(
            t.partner.isin(sorted({slugs[w.partner] for w in wanted}))
            & t.fy_start_year.isin(sorted({w.year for w in wanted}))
        )
        grouped = t.group_by(["partner", "theme", "fy_start_year"]).aggregate(
            counted=t.counted_amount.sum(),
            base=t.base_amount.sum(),
            lines=t.lines.sum(),
            months_loaded=t.months_loaded.min(),
        )
        rows: list[dict[str, Any]] = grouped.to_pyarrow().to_pylist()
    finally:
        con.disconnect()
    return {
        (names.get(r["partner"], r["partner"]), r["theme"], int(r["fy_start_year"])): CountFigure(
            Decimal(r["counted"] or 0),
            Decimal(r["base"] or 0),
            int(r["lines"] or 0),
            int(r["months_loaded"] or 0),
            run.run_id,
        )  # fmt: skip
        for r in rows
    }


def _local_source(local: LocalCost, figure: CountFigure, spend: Decimal) -> str:
    which = (
        "counted in the place"
        if local.spend == "place"
        else "in all (before apportionment to the place)"
    )
    return (
        f"local: {local.partner} spend on {local.theme} in {year_label(local.year)}, {which}, "
        f"£{spend:,.2f} ({COUNT_TABLE}, {figure.lines:,} lines, {figure.months_loaded} months loaded, "
        f"count run {figure.run_id[:8]}) / {local.activity:,g} {local.activity_unit}"
        + (f" ({local.source})" if local.source else " (activity as given in the journey file)")
    )


def price_contacts(workspace: Workspace, spec: JourneySpec) -> list[Priced]:
    """Return every contact of ``spec`` priced at its price year, in file order.

    Raises JourneyFileError (with the contact's line) for a local cost the count cannot
    give (no such partner x theme x year, no spend, a part year not declared) or a price
    year outside the deflator; StageNotRun/StageStale if the count must be run first.
    """
    locals_ = [c.local for c in spec.contacts if c.local is not None]
    figures = _count_figures(workspace, locals_) if locals_ else {}
    problems: list[PlaceFileProblem] = []
    priced: list[Priced] = []
    for contact in spec.contacts:
        where = f"{contact.path} contact {contact.index + 1} ({contact.activity or contact.agency})"
        try:
            if contact.gmca is not None:
                entry = contact.gmca
                if not entry.fiscal or not entry.fiscal_year:
                    problems.append(PlaceFileProblem(contact.line, "unit_cost", f"{where}: the GMCA unit "
                                    f"cost {entry.code} has no fiscal value to cost a contact with"))  # fmt: skip
                    continue
                original, year = Decimal(str(entry.fiscal)), parse_year(entry.fiscal_year)
                assert year is not None
                source = (f"GMCA Unit Cost Database v1.4 {entry.code} ({entry.description}; "
                          f"{entry.unit.lower()}; borne by {entry.agency}"
                          + (f" / {entry.agency_detail}" if entry.agency_detail else "")
                          + f"), sheet {entry.sheet!r} row {entry.row}")  # fmt: skip
                ref = f"GMCA {entry.code} ({entry.sheet} row {entry.row})"
            else:
                local = contact.local
                assert local is not None
                figure = figures.get((local.partner, local.theme, local.year))
                if figure is None:
                    themes = sorted(
                        {t for (p, t, y) in figures if p == local.partner and y == local.year}
                    )
                    problems.append(PlaceFileProblem(local.line, "local_cost", f"{where}: the count has no "
                                    f"spend by {local.partner} on {local.theme!r} in {year_label(local.year)}; "
                                    f"its themes that year are {', '.join(themes) or 'none'}"))  # fmt: skip
                    continue
                if figure.months_loaded < 12 and not local.part_year:
                    problems.append(PlaceFileProblem(local.line, "local_cost", f"{where}: the count has "
                                    f"only {figure.months_loaded} of 12 months of {local.partner}'s "
                                    f"{year_label(local.year)}; give the activity of those months and add "
                                    "part_year = true, or choose a whole year"))  # fmt: skip
                    continue
                spend = figure.counted if local.spend == "place" else figure.base
                if spend <= 0:
                    problems.append(PlaceFileProblem(local.line, "local_cost", f"{where}: {local.partner}'s "
                                    f"counted spend on {local.theme} in {year_label(local.year)} is £{spend:,.2f}; "
                                    "a unit cost needs spend above zero"))  # fmt: skip
                    continue
                original, year = spend / Decimal(str(local.activity)), local.year
                source = _local_source(local, figure, spend)
                ref = f"count: £{spend:,.0f} / {local.activity:,g} ({local.theme}, {year_label(year)})"
            factor = uplift(year, spec.price_year)
        except PriceYearError as exc:
            problems.append(PlaceFileProblem(contact.line, "price_year", f"{where}: {exc}"))
            continue
        priced.append(Priced(contact, original * factor, original, year, factor, source, ref))
    if problems:
        raise JourneyFileError(spec.path, problems)
    return priced
