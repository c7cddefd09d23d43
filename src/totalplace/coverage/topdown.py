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

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import ibis
import ibis.selectors as s
import pyarrow as pa

from totalplace import extent
from totalplace.count.apportion import SHARE_PLACES
from totalplace.coverage import sources
from totalplace.coverage.bodies import Body, bodies_for, bodies_serving
from totalplace.coverage.themes import ThemeMap, apply_themes, shipped_theme_map, theme_map_for
from totalplace.stages import using
from totalplace.warehouse import replace_table
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["SCHEMA", "TABLE", "TopdownEstimates", "estimate", "estimate_district"]

TABLE = "topdown_estimates"
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


@dataclass
class TopdownEstimates:
    """Top-down estimates for the place: rows as written to ``topdown_estimates``, and notes."""

    place: dict[str, Any]
    cra_year: int
    rs_year: int
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def by_kind(self, in_count_only: bool = False, theme: str | None = None) -> dict[str, Decimal]:
        """Return the estimate summed per kind of body (optionally only rows added to the count, or of one theme)."""
        totals: dict[str, Decimal] = {}
        for row in self.rows:
            if in_count_only and not row["in_count"]:
                continue
            if theme is not None and row["theme"] != theme:
                continue
            totals[row["kind"]] = totals.get(row["kind"], Decimal("0.00")) + row["estimate"]
        return totals

    def by_body(self, in_count_only: bool = False) -> dict[str, Decimal]:
        """Return the estimate summed per body (``body_key``), optionally only rows added to the count."""
        totals: dict[str, Decimal] = {}
        for row in self.rows:
            if in_count_only and not row["in_count"]:
                continue
            key = row["body_key"]
            totals[key] = totals.get(key, Decimal("0.00")) + row["estimate"]
        return totals

    def sources_by_kind(self, by: str = "kind") -> dict[str, tuple[str, str]]:
        """Return per kind (or per ``body_key``) its sources, short ('RS 2017-18 row 56') and in full."""
        found: dict[str, dict[tuple[str, str, str, str], list[int]]] = {}
        for row in self.rows:
            short = "CRA 2018" if row["source"].startswith("HM Treasury") else "RS"
            key = (short, row["financial_year"], row["source_file"], row["sheet"])
            found.setdefault(row[by], {}).setdefault(key, []).append(row["sheet_row"])
        out = {}
        for kind, items in found.items():
            brief, full = [], []
            for (short, year, path, sheet), rows in items.items():
                unique = sorted(set(rows))
                where = f"row {unique[0]}" if len(unique) == 1 else f"{len(unique)} rows"
                brief.append(
                    f"RS {year} {where}" if short == "RS" else f"CRA 2018 ({year}), {where}"
                )
                full.append(
                    f"{path}, sheet {sheet!r}, "
                    + (f"row {unique[0]}" if len(unique) == 1 else f"{len(unique)} rows")
                    + f" ({year}; every row and cell in table {TABLE})"
                )
            out[kind] = ("; ".join(brief), "; ".join(full))
        return out


def _share(place: int, area: int) -> Decimal:
    if area <= 0:
        return Decimal(0)
    return (Decimal(place) / Decimal(area)).quantize(SHARE_PLACES, ROUND_HALF_UP)


#: The ward band whose share of a district stands for each driver band in a place of wards.
_WARD_BANDS = {
    "pop_all": ("population",),
    "pop_0_15": ("age_0_15",),
    "pop_16_59": ("age_working",),
    "pop_60_plus": ("age_older",),
    "pop_working_age": ("age_working",),
    "pop_16_plus": ("age_working", "age_older"),
}
_PARTS_OF_16_PLUS = {"age_working": "pop_16_59", "age_older": "pop_60_plus"}


def place_band(where: extent.Extent, districts: list[str], band: str) -> int:
    """Return the place's mid-2015 population of a driver band in ``districts`` (all: the place's).

    Whole districts count their band; a district the place covers in part counts its
    band times the place's wards' share of that band in the district (rounded half up).
    """
    total = Fraction(0)
    for code in where.within(districts):
        if where.is_whole(code):
            total += sources.band_total([code], band)
            continue
        for ward_band in _WARD_BANDS[band]:
            district_band = (
                _PARTS_OF_16_PLUS.get(ward_band, band) if band == "pop_16_plus" else band
            )
            total += sources.band_total([code], district_band) * extent.fraction(
                where, code, ward_band
            )
    return int((Decimal(total.numerator) / Decimal(total.denominator)).quantize(0, ROUND_HALF_UP))


def _driver_rows(where: extent.Extent, areas: dict[str, tuple[str, list[str]]]) -> pa.Table:
    """Return one row per (area, band): the place's and the area's population and the share."""
    rows: list[dict[str, Any]] = []
    for key, (area_name, districts) in areas.items():
        for band, label in sources.DRIVER_BANDS.items():
            place_pop = place_band(where, districts, band)
            if where.inside(districts):
                share, text = Decimal(1), f"covers only {_part(where, districts)}: counted in full"
                area_pop = sources.band_total(districts, band)
            else:
                area_pop = sources.band_total(districts, band)
                share = _share(place_pop, area_pop)
                text = (
                    f"population {label}: {_part(where, districts, whole=False)} {place_pop:,} of "
                    f"{area_pop:,} in the {len(districts)} districts of {area_name} "
                    f"({sources.DRIVER_VINTAGE})"
                )
            rows.append(
                {
                    "area_key": key,
                    "area": area_name,
                    "band": band,
                    "place_population": place_pop,
                    "area_population": area_pop,
                    "share": share,
                    "driver": text,
                }
            )
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("area_key", pa.string()),
                ("area", pa.string()),
                ("band", pa.string()),
                ("place_population", pa.int64()),
                ("area_population", pa.int64()),
                ("share", pa.decimal128(18, 15)),
                ("driver", pa.string()),
            ]
        ),
    )


def _part(where: extent.Extent, districts: list[str], whole: bool = True) -> str:
    """Return how to name the place's part in an area: the place, or one district of it."""
    overlap = where.within(districts)
    if len(overlap) == len(where.districts):
        return where.name
    if whole and len(districts) == 1:
        found = sources.district(districts[0])
        return found.name if found is not None else districts[0]
    return f"the part of {where.name} in it"


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
        replace_table(c, TABLE, _arrow(result.rows))
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
    drivers = ibis.memtable(_driver_rows(where, areas))
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


#: Columns added by the theme mapping, after the estimate's own.
_THEME_FIELDS = (
    ("line_estimate", pa.decimal128(18, 2)),
    ("theme", pa.string()),
    ("theme_rule", pa.string()),
    ("theme_share", pa.decimal128(18, 15)),
    ("theme_partly", pa.string()),
    ("theme_split_source", pa.string()),
)
_ROW_FIELDS = (
    ("kind", pa.string()),
    ("body_key", pa.string()),
    ("source", pa.string()),
    ("source_file", pa.string()),
    ("sheet", pa.string()),
    ("sheet_row", pa.int64()),
    ("cell", pa.string()),
    ("line", pa.string()),
    ("detail", pa.string()),
    ("cap_cur", pa.string()),
    ("financial_year", pa.string()),
    ("area_key", pa.string()),
    ("band", pa.string()),
    ("source_amount", pa.decimal128(18, 2)),
    ("area", pa.string()),
    ("place_population", pa.int64()),
    ("area_population", pa.int64()),
    ("share", pa.decimal128(18, 15)),
    ("driver", pa.string()),
    ("body", pa.string()),
    ("estimate", pa.decimal128(18, 2)),
    ("method", pa.string()),
    ("confidence", pa.string()),
    ("price_basis", pa.string()),
    ("in_count", pa.bool_()),
    *_THEME_FIELDS,
)
SCHEMA = pa.schema(list(_ROW_FIELDS))


def _arrow(rows: list[dict[str, Any]]) -> pa.Table:
    """Return the rows as an Arrow table of the ``topdown_estimates`` layout."""
    return pa.Table.from_pylist([{k: r.get(k) for k in SCHEMA.names} for r in rows], schema=SCHEMA)
