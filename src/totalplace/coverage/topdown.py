"""Top-down estimates: published totals for a wider area apportioned to the place.

Two published sources, both shipped (``totalplace.coverage.sources``):

* **Councils, police, fire, combined authorities:** each body's own MHCLG Revenue
  Outturn Summary (RS) — net current expenditure by service line 190-698 — times the
  place's share of the body's population (children 0-15 for education and children's
  social care, adults 16+ for adult social care, all ages otherwise). Housing benefit
  the council pays (RS lines 711-714, funded by DWP) is counted under DWP.
* **Central government and the NHS:** HM Treasury Country and Regional Analysis 2018
  (CRA) identifiable spending, current and capital, of central government and public
  corporations in the place's region, times the place's share of the region's
  population (60+ for old age and survivors, 0-15 for family benefits and primary and
  secondary education, working age for unemployment, all ages otherwise). The CRA's
  local government rows are not used: councils are estimated body by body from RS.

Domain spec §3.2: spend(place, line) = area(line) × driver(place) / driver(area). Every
row keeps its source file, sheet, row and cell, the driver and its figures, the year,
method ``top-down`` and confidence ``low``, and a Total Place theme with the id of the
mapping rule that gave it (``totalplace.coverage.themes``; ``data/topdown/themes.toml``).
Figures are cash in the source year (latest 2017-18), not uprated: no price index ships
with the package.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.selectors as s

from totalplace import extent
from totalplace.coverage import sources
from totalplace.coverage.bodies import Body, bodies_for, bodies_serving
from totalplace.coverage.drivers import driver_rows
from totalplace.coverage.estimates import TABLE, TopdownEstimates, as_arrow
from totalplace.coverage.themes import ThemeMap, apply_themes, shipped_theme_map, theme_map_for
from totalplace.stages import using
from totalplace.warehouse import replace_table
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["estimate", "estimate_district"]

METHOD = "top-down"
CONFIDENCE = "low"

#: CRA departments with a kind of their own; other central government and public
#: corporation rows are "central_government". Local government rows are not used.
CRA_KINDS = {
    "Department of Health and Social Care": "nhs",
    "Department for Work and Pensions": "dwp",
    "HM Revenue and Customs": "hmrc",
    "Department for Education": "education",
}
#: CRA driver by COFOG level 1 prefix (first match); all ages otherwise.
CRA_BANDS = (
    ("10.2", "pop_60_plus"),  # old age: state pension, pension credit, winter fuel
    ("10.3", "pop_60_plus"),  # survivors
    ("10.4", "pop_0_15"),  # family and children: child benefit, child tax credit
    ("10.5", "pop_working_age"),  # unemployment: jobseeker's allowance
    ("9.1", "pop_0_15"),  # pre-primary and primary education
    ("9.2", "pop_0_15"),  # secondary education (academies)
)
#: CRA driver by segment, before the COFOG bands: benefits for one age group only.
CRA_SEGMENT_BANDS = (
    ("S032A036", "pop_60_plus"),  # attendance allowance: claimed only over state pension age
)
#: RS driver by line; all ages otherwise.
RS_BANDS = {"190": "pop_0_15", "330": "pop_0_15", "360": "pop_16_plus"}
#: RS bodies whose kind owns the RS row.
RS_KINDS = ("district_council", "unitary_council", "county_council", "combined_authority", "police", "fire")  # fmt: skip


def _cra_lines(region_code: str, year: int) -> Any:
    """Return an Ibis table of the region's central government and public corporation CRA rows."""
    t = ibis.memtable(sources.cra())
    amount = t[f"amount_{year_label(year).replace('-', '_')}"]
    t = t.filter(
        (t.region_code == region_code)
        & (t.sector != "LG")
        & ~t.department.startswith("Local Government")
        & amount.notnull()
    )
    amount = t[f"amount_{year_label(year).replace('-', '_')}"]
    kind = ibis.cases(
        *[(t.department == dept, kind) for dept, kind in CRA_KINDS.items()],
        else_="central_government",
    )
    band = ibis.cases(
        *[(t.segment_name.startswith(code + "-"), b) for code, b in CRA_SEGMENT_BANDS],
        *[(t.cofog_level_1.startswith(prefix + " "), b) for prefix, b in CRA_BANDS],
        else_="pop_all",
    )
    return t.select(
        kind=kind,
        body_key=kind,
        source=ibis.literal("HM Treasury CRA 2018"),
        source_file=ibis.literal(sources.CRA_FILE),
        sheet=ibis.literal(sources.CRA_SHEET),
        sheet_row=t.sheet_row,
        cell=ibis.literal(sources.CRA_YEAR_COLUMNS[year]) + t.sheet_row.cast("string"),
        line=t.cofog_level_1,
        detail=t.department + " / " + t.organisation + " / " + t.segment_name,
        cap_cur=t.cap_cur,
        financial_year=ibis.literal(year_label(year)),
        area_key=ibis.literal(f"region:{region_code}"),
        band=band,
        source_amount=amount.cast("decimal(18,2)"),
    )


def _rs_lines(
    bodies: list[Body], year: int, place_districts: list[str]
) -> tuple[Any | None, list[str]]:
    """Return an Ibis table of the RS service (and housing benefit) lines of the place's bodies."""
    notes: list[str] = []
    own = [b for b in bodies if b.kind in RS_KINDS and b.rs_code]
    found = [b for b in own if sources.rs_row(b.rs_code, year) is not None]
    found_kinds = {b.kind for b in found}
    for body in own:
        if body not in found:
            kind = body.kind
            notes.append(
                f"{body.who}: no RS {year_label(year)} row for {body.rs_code}; "
                + (
                    f"its spending is taken from line {'601' if kind == 'police' else '602'} of "
                    "the county council's or combined authority's return, where there is one."
                    if kind in ("police", "fire")
                    else "no top-down estimate."
                )
            )
    if not found:
        return None, notes
    t = ibis.memtable(sources.rs())
    label = year_label(year)
    codes = {b.rs_code: b for b in found}
    t = t.filter((t.financial_year == label) & t.ons_code.isin(list(codes)))
    body_kind = ibis.cases(*[(t.ons_code == code, b.kind) for code, b in codes.items()])
    body_key = ibis.cases(*[(t.ons_code == code, b.key) for code, b in codes.items()])
    wanted = [*sources.RS_SERVICE_LINES, *sources.RS_HOUSING_BENEFIT_LINES]
    long = t.mutate(body_kind=body_kind, body_key=body_key).select(
        "ons_code", "body_kind", "body_key", "authority", "sheet_row", "source_file", "sheet",
        *[f"line_{c}" for c in wanted],
    ).pivot_longer(s.startswith("line_"), names_to="line_code", values_to="source_amount")  # fmt: skip
    long = long.mutate(line_code=long.line_code.replace("line_", ""))
    long = long.filter(long.source_amount.notnull() & (long.source_amount != 0))
    billing = [b.rs_code for b in found if b.kind in ("district_council", "unitary_council")]
    # Police or fire run by a council or combined authority (no return of their own):
    # its line 601/602 belongs to the police or fire body serving that council's area.
    cases = [(long.line_code.isin(list(sources.RS_HOUSING_BENEFIT_LINES)), "dwp")]
    keys = [(long.line_code.isin(list(sources.RS_HOUSING_BENEFIT_LINES)), "dwp")]
    for line, service in (("601", "police"), ("602", "fire")):
        if service in found_kinds:
            continue
        cases.append((long.line_code == line, service))
        for runner in found:
            served = next(
                (
                    b
                    for b in own
                    if b.kind == service
                    and set(b.districts(place_districts)) & set(runner.districts(place_districts))
                ),
                None,
            )
            key = served.key if served is not None else service
            keys.append(((long.line_code == line) & (long.ons_code == runner.rs_code), key))
    kind = ibis.cases(*cases, else_=long.body_kind)
    key = ibis.cases(*keys, else_=long.body_key)
    # Housing benefit is paid by the billing authorities only (a county's HB lines are 0).
    long = long.filter(
        ~long.line_code.isin(list(sources.RS_HOUSING_BENEFIT_LINES))
        | long.ons_code.isin(billing or [""])
    )
    column = ibis.cases(*[(long.line_code == c, sources.rs_column(label, c)) for c in wanted])
    line_name = ibis.cases(*[(long.line_code == c, n) for c, n in sources.RS_LINE_NAMES.items()])
    band = ibis.cases(*[(long.line_code == c, b) for c, b in RS_BANDS.items()], else_="pop_all")
    return (
        long.select(
            kind=kind,
            body_key=key,
            source=ibis.literal(f"MHCLG Revenue Outturn Summary {label}"),
            source_file=long.source_file,
            sheet=long.sheet,
            sheet_row=long.sheet_row,
            cell=column + long.sheet_row.cast("string"),
            line=long.line_code + " " + line_name,
            detail=long.authority,
            cap_cur=ibis.literal("CUR"),
            financial_year=ibis.literal(label),
            area_key="body:" + long.ons_code,
            band=band,
            source_amount=long.source_amount.cast("decimal(18,2)"),
        ),
        notes,
    )


def estimate(
    workspace: Workspace,
    year: int | None = None,
    loaded: set[str] | None = None,
    con: Any | None = None,
) -> TopdownEstimates:
    """Estimate top-down the spending in the place of each body serving it; write ``topdown_estimates``.

    ``year`` is the count's financial year (start year); the nearest CRA and RS years
    are used. ``loaded`` names the bodies (``Body.key``: 'unitary_council:E08000037',
    'dwp' ...) whose data is loaded (default: bodies with a partner covering the
    place); their rows are kept for comparison with ``in_count = False``. Returns the
    rows written: one per source line and theme (``totalplace.coverage.themes``; a
    line split between themes has a row per part). ``con``: the warehouse to write to
    (default: the workspace's). The estimate itself reads only the shipped published
    tables, so it is computed the same way whatever engine holds the warehouse.
    """
    where = extent.extent(workspace.place)
    bodies = bodies_serving(workspace)
    if loaded is None:
        loaded = {b.key for b in bodies if b.partners}
    result = _estimate(where, bodies, loaded, year, theme_map_for(workspace))
    with using(workspace, con) as c:
        replace_table(c, TABLE, as_arrow(result.rows))
    return result


def estimate_district(
    code: str, year: int | None = None, mapping: ThemeMap | None = None
) -> TopdownEstimates:
    """Estimate top-down every body's spending in a district with no workspace (a comparator).

    The same sources, drivers and themes as :func:`estimate` (``mapping``: the theme
    mapping, default the shipped one), with nothing loaded: every body's rows have
    ``in_count = True``. Nothing is written. A code that is not an English district of
    the 2019 geography gets no rows and a note.
    """
    norm = code.strip().upper()
    district = sources.district(norm)
    name = district.name if district else code
    where = extent.Extent(norm, name, (norm,))
    return _estimate(where, bodies_for(norm), set(), year, mapping or shipped_theme_map())


def _estimate(
    where: extent.Extent,
    bodies: list[Body],
    loaded: set[str],
    year: int | None,
    mapping: ThemeMap,
) -> TopdownEstimates:
    """Return the themed top-down rows of a place (computed in an in-memory engine)."""
    cra_year = sources.nearest(sources.CRA_YEARS, year)
    rs_year = sources.nearest(sources.RS_YEARS, year)
    info = {"code": where.code, "name": where.name}
    known = [d for c in where.districts if (d := sources.district(c)) is not None]
    if not known:
        note = (
            f"{where.code} is not an English district of the 2019 geography, which the "
            "shipped CRA regions and population drivers use: no top-down estimates."
        )
        return TopdownEstimates(info, cra_year, rs_year, [], [note])
    notes: list[str] = []
    missing = [c for c in where.districts if sources.district(c) is None]
    if missing:
        notes.append(
            f"{', '.join(missing)}: not English districts of the 2019 geography, so the top-down "
            "estimates leave out the part of the place in them."
        )
    who = {b.key: b.who for b in bodies}
    place_districts = list(where.districts)
    areas: dict[str, tuple[str, list[str]]] = {}
    regions = sorted({(d.region_code, d.region_name) for d in known})
    for region_code, region_name in regions:
        region = [d.code for d in sources.drivers().values() if d.region_code == region_code]
        areas[f"region:{region_code}"] = (f"the {region_name} region", region)
    for body in bodies:
        if body.kind in RS_KINDS and body.rs_code:
            areas[f"body:{body.rs_code}"] = (f"{body.who}'s area", body.districts(place_districts))
    drivers = ibis.memtable(driver_rows(where, areas))
    lines = _cra_lines(regions[0][0], cra_year)
    for region_code, _ in regions[1:]:
        lines = lines.union(_cra_lines(region_code, cra_year))
    rs_lines, rs_notes = _rs_lines(bodies, rs_year, place_districts)
    notes += rs_notes
    if rs_lines is not None:
        lines = lines.union(rs_lines)
    joined = lines.join(drivers, ["area_key", "band"])
    amount = (
        joined.source_amount.cast("decimal(38,2)") * joined.share.cast("decimal(38,15)")
    ).round(2)
    body_name = ibis.cases(*[(joined.body_key == k, w) for k, w in who.items()], else_=joined.kind)
    table = joined.mutate(
        body=body_name,
        estimate=amount.cast("decimal(18,2)"),
        method=ibis.literal(METHOD),
        confidence=ibis.literal(CONFIDENCE),
        price_basis=ibis.literal(
            f"cash, {year_label(cra_year)} (CRA) / {year_label(rs_year)} (RS); not uprated"
        ),
        in_count=~joined.body_key.isin(list(loaded) or [""]),
    )
    # The theme rules run in the same engine as the rest (the one rule engine's first match).
    table = mapping.with_rule(table, "duckdb")
    engine = ibis.duckdb.connect()
    try:
        computed = engine.to_pyarrow(table).to_pylist()
    finally:
        engine.disconnect()
    rows = apply_themes(computed, mapping)
    rows.sort(
        key=lambda r: (r["kind"], r["body_key"], r["source"], r["sheet_row"], r["line"], r["theme"])
    )
    unmatched = sorted({f"{r['line']} ({r['detail']})" for r in rows if r["theme_rule"] is None})
    if unmatched:
        notes.append(
            f"{len(unmatched)} top-down lines match no rule of the theme mapping and are "
            f"left 'Unclassified': {'; '.join(unmatched[:5])}" + ("…" if len(unmatched) > 5 else "")
        )
    if mapping is not shipped_theme_map():
        notes.append(f"Themes of the top-down lines: the workspace's own mapping, {mapping.path}.")
    notes.append(
        f"Top-down figures are cash for {year_label(cra_year)} (CRA) and "
        f"{year_label(rs_year)} (RS), the latest years shipped; they are not uprated to "
        "the count's year."
    )
    return TopdownEstimates(info, cra_year, rs_year, rows, notes)
