"""Revenue Outturn time series: a council's published net spending by service line, year by year.

Reads MHCLG Revenue Outturn time-series files in the layout of the
``revenue_trends.json`` compilations (``council``, ``ons_code``, ``units`` "£ thousands",
``by_year`` -> year -> section -> line -> value): every published value becomes one row,
in pounds (the files are in £ thousands), with the JSON path it was read from.

Each line is placed on its Revenue Outturn Summary (RS) line (:data:`RS_LINES`); the
service-level lines (one per RS line: "Cultural Services" is RS 509) get their Total
Place theme from the same RS theme mapping the top-down estimate uses
(``data/topdown/themes.toml``, :func:`totalplace.coverage.themes.theme_map_for`).
Sub-lines and repeats of a service ("Tourism", "Cultural Total") carry ``part_of`` (the
service they are inside) and no theme, and totals, precepts, levies and grants carry
neither, so summing ``amount`` by theme counts every pound once.

A year marked "not submitted" has no rows: a missing year is missing, never zero.

The ``budgets_govuk.json`` layout (:mod:`totalplace.trend.outturn_services`: every RS
service line, social care included, 2021-22 on) is read too, recognised from its keys;
any other layout is refused. Both give net current expenditure. Where a body's files
give the same RS line for a year (both layouts declared), one row is kept -- the
``revenue_trends.json`` one, so each line's series stays one compilation across all its
years -- and the other dropped (:func:`layout_overlaps` compares them), so nothing is
counted twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from totalplace.coverage.themes import UNTHEMED, theme_map_for
from totalplace.errors import BadInputError
from totalplace.trend.outturn_services import (
    SERVICES_LAYOUT,
    ServicesFileProblem,
    is_services_file,
    services_rows,
)
from totalplace.workspace import PLACE_FILE, Workspace
from totalplace.workspace.outturn_tables import OutturnSeries, outturn_declarations
from totalplace.years import YearError, parse_year, year_label

__all__ = [
    "LAYOUT",
    "OUTTURN_SCHEMA",
    "RS_LINES",
    "OutturnFileError",
    "layout_overlaps",
    "outturn_series",
    "read_outturn_series",
]

LAYOUT = "MHCLG Revenue Outturn time series (revenue_trends.json)"
THOUSAND = Decimal(1000)

#: The columns of an outturn series (one row per published value).
OUTTURN_SCHEMA = pa.schema(
    [
        ("body_code", pa.string()),  # ONS code of the council
        ("body_name", pa.string()),
        ("fy_start_year", pa.int64()),
        ("financial_year", pa.string()),  # '2017-18'
        ("service", pa.string()),  # the published line, e.g. 'Cultural Services'
        ("theme", pa.string()),  # Total Place theme of a service-level line, else null
        ("amount", pa.decimal128(18, 2)),  # pounds
        ("units_note", pa.string()),
        ("source_file", pa.string()),
        ("source_key", pa.string()),  # JSON path of the value
        ("rs_line", pa.string()),  # RS line code of a service-level line ('509'), else null
        ("part_of", pa.string()),  # the service line a sub-line or repeat is inside, else null
        ("theme_rule", pa.string()),  # id of the themes.toml rule that gave the theme
    ]
)

#: Service-level lines of the summary section and their RS line codes.
RS_LINES = {
    "Housing (GF & HRA)": "490",
    "Cultural Services": "509",
    "Environmental Services": "590",
    "Planning & Development": "599",
    "Central Services": "690",
    "Other Services": "698",
    "HB: Rent Allowances": "711",
}
#: Detail sections and the summary service their lines are inside (None: not a service).
SECTIONS = {
    "housing": "Housing (GF & HRA)",
    "cultural": "Cultural Services",
    "environmental": "Environmental Services",
    "planning": "Planning & Development",
    "central": "Central Services",
    "grants": None,
}
#: Lines of a section that are not inside its service (levies paid on, grand totals).
_NOT_INSIDE = {"Police (levy)", "Fire & Rescue (levy)", "Cultural+Env+Planning Grand Total"}
#: Lines of a section that are another service's total (the planning section's "Other
#: Services Total" sits in the central section).
_OTHER_TOTAL = {"Other Services Total": "Other Services"}
_RS_NAMES = {
    "190": "Education services",
    "290": "Highways and transport services",
    "330": "Children social care",
    "360": "Adult social care",
    "390": "Public health",
    "601": "Police services",
    "602": "Fire and rescue services",
    "490": "Housing services (general fund)",
    "509": "Cultural and related services",
    "590": "Environmental and regulatory services",
    "599": "Planning and development services",
    "690": "Central services",
    "698": "Other services",
    "711": "Housing benefit: rent allowances",
}
_EXPECTED = (
    "a JSON object with 'ons_code', 'units' (\"£ thousands\") and 'by_year' (financial year -> "
    "section -> line -> value), as MHCLG Revenue Outturn time-series compilations "
    "(revenue_trends.json) are laid out, or 'ons_code', 'units' (\"GBP (converted from GBP "
    "thousands)\") and 'by_year' -> year -> 'revenue_summary' -> 'service_expenditure', as "
    f"the {SERVICES_LAYOUT} compilations are"
)


class OutturnFileError(BadInputError):
    """An outturn file that cannot be read; the message names the file and what was expected."""


def _refuse(path: Path, why: str) -> OutturnFileError:
    return OutturnFileError(f"{path}: {why}; expected {_EXPECTED}. Nothing was loaded.")


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OutturnFileError(
            f"{path}: no such file; correct the path. Nothing was loaded."
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(path, f"not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise _refuse(path, "the file is not a JSON object")
    missing = [k for k in ("ons_code", "units", "by_year") if k not in data]
    if missing:
        raise _refuse(path, f"no {', '.join(repr(m) for m in missing)}")
    if is_services_file(data):
        return data
    units = str(data["units"]).replace(" ", "").lower()
    if units not in {"£thousands", "gbpthousands"}:
        raise _refuse(path, f"units {data['units']!r} (only £ thousands are read)")
    if not isinstance(data["by_year"], dict):
        raise _refuse(path, "'by_year' is not an object of years")
    return data


def _amount(path: Path, key: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _refuse(path, f"{key} is {value!r}, not a number")
    try:
        thousands = Decimal(str(value))
    except InvalidOperation as exc:
        raise _refuse(path, f"{key} is {value!r}, not a number") from exc
    if not thousands.is_finite():
        raise _refuse(path, f"{key} is {value!r}, not a number")
    return (thousands * THOUSAND).quantize(Decimal("0.01"))


def _rows_of(path: Path, data: dict[str, Any], body_name: str | None) -> list[dict[str, Any]]:
    """Return one row per published value of one file of either layout (theme not yet set)."""
    if is_services_file(data):
        try:
            return services_rows(path, data, body_name)
        except ServicesFileProblem as exc:
            raise _refuse(path, str(exc)) from exc
    code = str(data["ons_code"]).strip().upper()
    name = body_name or str(data.get("council") or code)
    note = f"published in £ thousands ({data['units']}), × 1,000 to pounds"
    rows: list[dict[str, Any]] = []
    for label, year in data["by_year"].items():
        try:
            start = parse_year(label)
        except YearError as exc:  # a usage error on the command line; here the file is bad
            raise _refuse(path, f"by_year has {label!r}, not a financial year") from exc
        if start is None:
            raise _refuse(path, f"by_year has {label!r}, not a financial year")
        if not isinstance(year, dict):
            raise _refuse(path, f"by_year[{label!r}] is not an object")
        if str(year.get("status", "submitted")).lower() != "submitted":
            continue
        for section, lines in year.items():
            if section == "status":
                continue
            if not isinstance(lines, dict):
                raise _refuse(path, f"by_year[{label!r}][{section!r}] is not an object of lines")
            for line, value in lines.items():
                key = f"$.by_year[{json.dumps(label)}][{json.dumps(section)}][{json.dumps(line)}]"
                level_service = section == "summary" and line in RS_LINES
                part_of = None
                if section != "summary" and line not in _NOT_INSIDE:
                    part_of = _OTHER_TOTAL.get(line, SECTIONS.get(section))
                rows.append(
                    {
                        "body_code": code,
                        "body_name": name,
                        "fy_start_year": start,
                        "financial_year": year_label(start),
                        "service": line,
                        "amount": _amount(path, key, value),
                        "units_note": note,
                        "source_file": str(path),
                        "source_key": key,
                        "rs_line": RS_LINES[line] if level_service else None,
                        "part_of": part_of,
                    }
                )
    return rows


def _themed(rows: list[dict[str, Any]], workspace: Workspace | None) -> list[dict[str, Any]]:
    """Return the rows with the theme of each service-level line from the RS theme mapping."""
    mapping = theme_map_for(workspace)
    lines = sorted({r["rs_line"] for r in rows if r["rs_line"]})
    asked = [
        {"source": "MHCLG Revenue Outturn", "line": f"{c} {_RS_NAMES[c]}", "detail": None}
        for c in lines
    ]
    rules = dict(zip(lines, mapping.rules_for(asked), strict=True))
    out = []
    for row in rows:
        rule = rules.get(row["rs_line"]) if row["rs_line"] else None
        theme = None
        if row["rs_line"]:
            theme = rule.parts[0][0] if rule and len(rule.parts) == 1 else UNTHEMED
        out.append({**row, "theme": theme, "theme_rule": rule.id if rule else None})
    return out


def read_outturn_series(
    paths: Iterable[Path | str],
    *,
    body_names: dict[str, str] | None = None,
    workspace: Workspace | None = None,
) -> pa.Table:
    """Return every published value of the outturn files as rows of :data:`OUTTURN_SCHEMA`, in pounds.

    ``body_names`` optionally names bodies by ONS code (else the file's own name).
    Themes come from the workspace's RS theme mapping (the shipped one without a
    workspace). Raises :class:`OutturnFileError` naming the file for one of another layout.
    """
    rows: list[dict[str, Any]] = []
    names = {k.upper(): v for k, v in (body_names or {}).items()}
    for raw in paths:
        path = Path(raw)
        data = _load(path)
        rows.extend(_rows_of(path, data, names.get(str(data["ons_code"]).strip().upper())))
    return pa.Table.from_pylist(_themed(rows, workspace), schema=OUTTURN_SCHEMA)


def _check_body(path: Path, series: OutturnSeries, index: int, workspace: Workspace) -> str | None:
    """Return the declared name of the body (None if declared by code); refuse a file of another body."""
    data = _load(path)
    code = str(data["ons_code"]).strip().upper()
    declared = series.body.strip()
    if declared.upper() == code:
        return None
    looks_like_code = len(declared) == 9 and declared[0].isalpha() and declared[1:].isdigit()
    if looks_like_code:
        raise OutturnFileError(
            f"{path}: its ons_code is {code} "
            f"({data.get('council') or data.get('council_name') or 'no name'}), but "
            f"{workspace.root / PLACE_FILE} [[outturns]] number {index + 1} declares it as "
            f"body {declared}; correct the body or the file. Nothing was loaded."
        )
    return declared


def outturn_series(workspace: Workspace) -> pa.Table:
    """Return the outturn series the workspace declares in place.toml ``[[outturns]]`` (:data:`OUTTURN_SCHEMA`).

    An empty table if it declares none. Raises WorkspaceError (place.toml faults with
    line numbers) or :class:`OutturnFileError` (a file missing or of another layout).
    """
    tables: list[pa.Table] = []
    for index, series in enumerate(outturn_declarations(workspace)):
        files = workspace.matching_files(series.files)
        missing = [p for p in series.files if not workspace.matching_files((p,))]
        if missing:
            raise OutturnFileError(
                f"{workspace.root / PLACE_FILE}: [[outturns]] number {index + 1} ({series.body}) "
                f"names {', '.join(repr(m) for m in missing)}, which matches no file in "
                f"{workspace.root}; put the file there or correct the path (relative to the "
                "workspace folder). Nothing was loaded."
            )
        for path in files:
            data = _load(path)
            name = _check_body(path, series, index, workspace)
            names = {str(data["ons_code"]): name} if name else None
            tables.append(read_outturn_series([path], body_names=names, workspace=workspace))
    if not tables:
        return OUTTURN_SCHEMA.empty_table()
    return _one_per_line(pa.concat_tables(tables))


def _line_key(table: pa.Table) -> pa.Array:
    """Return per row what makes it one line of one body's year: the RS line, else the line's name."""
    line = pc.if_else(
        pc.is_valid(table["rs_line"]),
        pc.binary_join_element_wise("rs", table["rs_line"], ":"),
        pc.binary_join_element_wise("line", table["service"], ":"),
    )
    year = pc.cast(table["fy_start_year"], pa.string())
    return pc.binary_join_element_wise(table["body_code"], year, line, "|")


def _ranked(table: pa.Table) -> pa.Table:
    """Return the table with ``_key`` and ``_rank``: revenue_trends rows first, then file order."""
    services = pc.match_substring(table["source_key"], '["revenue_summary"]')
    rank = pc.add(
        pc.multiply(pc.cast(services, pa.int64()), pa.scalar(1 << 40)),
        pa.array(range(table.num_rows), pa.int64()),
    )
    return table.append_column("_key", _line_key(table)).append_column("_rank", rank)


def _one_per_line(table: pa.Table) -> pa.Table:
    """Return the rows with one per body x year x line: the first by :func:`_ranked` order."""
    ranked = _ranked(table)
    first = ranked.group_by("_key").aggregate([("_rank", "min")])
    keep = pc.is_in(ranked["_rank"], value_set=first["_rank_min"])
    return ranked.filter(keep).sort_by("_rank").drop_columns(["_key", "_rank"])


def layout_overlaps(table: pa.Table) -> list[dict[str, Any]]:
    """Return every line given twice for a body's year (before :func:`outturn_series` keeps one).

    Each: body_code, fy_start_year, rs_line, service, kept (amount of the row kept),
    dropped (the other's), difference (dropped - kept), kept_key, dropped_key, files.
    """
    ranked = _ranked(table)
    first = ranked.group_by("_key").aggregate([("_rank", "min")])
    keep = pc.is_in(ranked["_rank"], value_set=first["_rank_min"])
    kept = {r["_key"]: r for r in ranked.filter(keep).to_pylist()}
    out = []
    for row in ranked.filter(pc.invert(keep)).to_pylist():  # the duplicates: tens at most
        k = kept[row["_key"]]
        out.append(
            {
                "body_code": row["body_code"],
                "fy_start_year": row["fy_start_year"],
                "rs_line": row["rs_line"],
                "service": k["service"],
                "kept": k["amount"],
                "dropped": row["amount"],
                "difference": row["amount"] - k["amount"],
                "kept_key": k["source_key"],
                "dropped_key": row["source_key"],
                "files": [k["source_file"], row["source_file"]],
            }
        )
    return out
