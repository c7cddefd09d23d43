"""Readers for the published layouts of the need reference files (LSOAs, wards, districts).

Each reader takes one published file (CSV, optionally gzipped; UTF-8 with or without
a BOM; numbers with thousands commas) and returns an Arrow table with our column
names. The same readers build the shipped subset (``scripts/build_needs_reference.py``)
and read newer files a user loads (:func:`totalplace.reference.loaded.load_reference`),
so "the same published layout" means: these readers recognise it. Columns are found
by the publisher's header text, not by position, so a newer vintage whose headers
differ only in years (``LSOA21CD``/``WD23CD``; "mid 2022") reads too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from totalplace.errors import BadInputError

__all__ = ["KINDS", "LayoutError", "read_layout"]


class LayoutError(BadInputError, ValueError):
    """A file that is not in the published layout its kind expects; the message says which column is missing."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _open(path: Path) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE raw AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
        [str(path)],
    )
    columns = [row[0] for row in con.execute("DESCRIBE raw").fetchall()]
    return con, columns


def _find(columns: list[str], pattern: str, what: str, path: Path, required: bool = True) -> str:
    regex = re.compile(pattern, re.IGNORECASE)
    for column in columns:
        if regex.search(column.strip()):
            return column
    if required:
        shown = ", ".join(columns[:12]) + (
            f", … ({len(columns)} in all)" if len(columns) > 12 else ""
        )
        raise LayoutError(
            f"{path.name}: no column for {what} (looked for a header matching /{pattern}/; "
            f"its headers are {shown})"
        )
    return ""


def _columns(columns: list[str], path: Path, wanted: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Return the header found for each wanted name: ``{name: (pattern, what)}`` as :func:`_find` takes."""
    return {name: _find(columns, pattern, what, path) for name, (pattern, what) in wanted.items()}


def _require(columns: list[str], names: tuple[str, ...], path: Path) -> None:
    """Raise LayoutError unless every one of ``names`` is a header (exactly, ignoring case)."""
    for name in names:
        _find(columns, rf"^{name}$", name, path)


def _count(column: str) -> str:
    """SQL turning '1,296' (or ' 1296 ') into a BIGINT; blanks become NULL."""
    return f"TRY_CAST(NULLIF(TRIM(REPLACE({_quote(column)}, ',', '')), '') AS BIGINT)"


def _number(column: str) -> str:
    return f"TRY_CAST(NULLIF(TRIM(REPLACE({_quote(column)}, ',', '')), '') AS DOUBLE)"


def _text(column: str) -> str:
    return f"NULLIF(TRIM({_quote(column)}), '')"


def _texts(found: dict[str, str]) -> str:
    """SQL selecting each found header as text under its name (``... AS lsoa_code, ...``)."""
    return ", ".join(f"{_text(column)} AS {name}" for name, column in found.items())


def _vintage(column: str, prefix: str) -> str:
    match = re.match(rf"{prefix}(\d\d)", column.strip(), re.IGNORECASE)
    return f"{prefix.upper()}{match.group(1)}" if match else prefix.upper()


def read_lsoa_ward(path: Path) -> pa.Table:
    """Return an ONS small area → ward → district lookup (``LSOA11CD,…,WD17CD,WD17NM,…,LAD17CD,LAD17NM``).

    Columns: lsoa_code, ward_code, ward_name, lad_code, lad_name, ward_vintage (e.g. 'WD17').
    """
    con, cols = _open(path)
    found = _columns(
        cols,
        path,
        {
            "lsoa_code": (r"^LSOA\d\dCD$", "the small area code (LSOAyyCD)"),
            "ward_code": (r"^WD\d\dCD$", "the ward code (WDyyCD)"),
            "ward_name": (r"^WD\d\dNM$", "the ward name (WDyyNM)"),
            "lad_code": (r"^LAD\d\dCD$", "the district code (LADyyCD)"),
            "lad_name": (r"^LAD\d\dNM$", "the district name (LADyyNM)"),
        },
    )
    return con.execute(
        f"""SELECT {_texts(found)}, '{_vintage(found["ward_code"], "WD")}' AS ward_vintage
            FROM raw WHERE {_text(found["lsoa_code"])} IS NOT NULL ORDER BY lsoa_code"""
    ).to_arrow_table()


def read_lsoa_population(path: Path) -> pa.Table:
    """Return IoD 'File 6' population denominators by small area (total and age bands).

    Columns: lsoa_code, lsoa_name, lad_code, lad_name, population, age_0_15,
    age_working, age_older, working_band ('16-59'), older_band ('60+'), year.
    """
    con, cols = _open(path)
    names = _columns(
        cols,
        path,
        {
            "lsoa_code": (r"^LSOA code", "the LSOA code"),
            "lsoa_name": (r"^LSOA name", "the LSOA name"),
            "lad_code": (r"^Local Authority District code", "the district code"),
            "lad_name": (r"^Local Authority District name", "the district name"),
        },
    )
    total = _find(cols, r"^Total population", "the total population", path)
    children = _find(cols, r"aged 0-15", "the population aged 0-15", path)
    working = _find(cols, r"^Population aged 16-(59|64)", "the population aged 16-59/64", path)
    older = _find(cols, r"aged (60|65) and over", "the population aged 60/65 and over", path)
    year_match = re.search(r"mid[- ](\d{4})", total, re.IGNORECASE)
    if not year_match:
        raise LayoutError(f"{path.name}: the total population header does not say 'mid YYYY'")
    working_band = "16-" + re.search(r"16-(59|64)", working).group(1)  # type: ignore[union-attr]
    older_band = re.search(r"(60|65) and over", older).group(1) + "+"  # type: ignore[union-attr]
    return con.execute(
        f"""SELECT {_texts(names)},
                   {_count(total)} AS population, {_count(children)} AS age_0_15,
                   {_count(working)} AS age_working, {_count(older)} AS age_older,
                   '{working_band}' AS working_band, '{older_band}' AS older_band,
                   {int(year_match.group(1))} AS year
            FROM raw WHERE {_text(names["lsoa_code"])} IS NOT NULL ORDER BY lsoa_code"""
    ).to_arrow_table()


def read_lsoa_imd(path: Path) -> pa.Table:
    """Return IoD 'File 1': Index of Multiple Deprivation rank and decile by small area.

    Columns: lsoa_code, lad_code, imd_rank (1 = most deprived), imd_decile (1 = most deprived 10%).
    """
    con, cols = _open(path)
    lsoa = _find(cols, r"^LSOA code", "the LSOA code", path)
    lad = _find(cols, r"^Local Authority District code", "the district code", path)
    rank = _find(cols, r"\(IMD\) Rank", "the IMD rank", path)
    decile = _find(cols, r"\(IMD\) Decile", "the IMD decile", path)
    return con.execute(
        f"""SELECT {_text(lsoa)} AS lsoa_code, {_text(lad)} AS lad_code,
                   {_count(rank)} AS imd_rank, {_count(decile)} AS imd_decile
            FROM raw WHERE {_text(lsoa)} IS NOT NULL ORDER BY lsoa_code"""
    ).to_arrow_table()


def _read_mid_year(path: Path, geography: str) -> pa.Table:
    con, cols = _open(path)
    _require(cols, ("period", "area_code", "area_name", "geography", "sex", "all_ages"), path)
    _require(cols, ("aged_0_to_15", "aged_16_to_64", "aged_65_and_over"), path)
    lad = _find(cols, r"^LAD\d\dCD$", "a district code", path, required=False)
    lad_sql = _text(lad) if lad else "CAST(NULL AS VARCHAR)"
    table = con.execute(
        f"""SELECT area_code AS code, area_name AS name, {lad_sql} AS lad_code,
                   CAST(year(CAST(period AS DATE)) AS BIGINT) AS year,
                   {_count("all_ages")} AS population, {_count("aged_0_to_15")} AS age_0_15,
                   {_count("aged_16_to_64")} AS age_working, {_count("aged_65_and_over")} AS age_older,
                   '16-64' AS working_band, '65+' AS older_band
            FROM raw WHERE lower(sex) = 'persons' AND lower(geography) = ?
            ORDER BY code""",
        [geography],
    ).to_arrow_table()
    if table.num_rows == 0:
        raise LayoutError(f"{path.name}: no rows with sex 'Persons' and geography '{geography}'")
    return table


def read_ward_population(path: Path) -> pa.Table:
    """Return ward mid-year estimates in the Trafford Data Lab layout (Persons rows only).

    Columns: code, name, lad_code (NULL unless the file has a LADyyCD column), year,
    population, age_0_15, age_working, age_older, working_band ('16-64'), older_band ('65+').
    """
    return _read_mid_year(path, "ward")


def read_district_population(path: Path) -> pa.Table:
    """Return district mid-year estimates in the Trafford Data Lab layout (Persons rows only); columns as wards."""
    return _read_mid_year(path, "local authority")


def read_district_deprivation(path: Path) -> pa.Table:
    """Return the IMD rows of an IoD district summary in the Trafford Data Lab tidy layout.

    Accepts the IoD2019 layout (``lad19cd, …, year``) and the IoD2025 one
    (``area_code, …, deprivation_data_year``). Columns: lad_code, lad_name, edition,
    average_rank, rank_average_rank, average_score, rank_average_score,
    proportion_bottom_decile, rank_proportion_bottom_decile, districts_ranked.
    """
    con, cols = _open(path)
    code = _find(cols, r"^(lad\d\dcd|area_code)$", "the district code", path)
    name = _find(cols, r"^(lad\d\dnm|area_name)$", "the district name", path)
    year = _find(cols, r"^(year|deprivation_data_year)$", "the edition year", path)
    _require(cols, ("index_domain",), path)
    measures = (
        "average_rank",
        "rank_average_rank",
        "average_score",
        "rank_average_score",
        "proportion_bottom_decile",
        "rank_proportion_bottom_decile",
    )
    _require(cols, measures, path)
    selected = ", ".join(
        f"{_count(m) if m.startswith('rank_') else _number(m)} AS {m}" for m in measures
    )
    table = con.execute(
        f"""SELECT {_text(code)} AS lad_code, {_text(name)} AS lad_name,
                   {_count(year)} AS edition, {selected},
                   CAST(count(*) OVER (PARTITION BY {_quote(year)}) AS BIGINT) AS districts_ranked
            FROM raw WHERE index_domain = 'Index of Multiple Deprivation'
            ORDER BY edition, lad_code"""
    ).to_arrow_table()
    if table.num_rows == 0:
        raise LayoutError(f"{path.name}: no 'Index of Multiple Deprivation' rows")
    return table


#: Kinds of reference file a user may load, with their readers.
KINDS: dict[str, Callable[[Path], pa.Table]] = {
    "lsoa_ward": read_lsoa_ward,
    "lsoa_population": read_lsoa_population,
    "lsoa_imd": read_lsoa_imd,
    "ward_population": read_ward_population,
    "district_population": read_district_population,
    "district_deprivation": read_district_deprivation,
}


def read_layout(kind: str, path: Path | str) -> pa.Table:
    """Return the file read with the reader of ``kind``; raises LayoutError (a ValueError) if it does not fit."""
    if kind not in KINDS:
        raise LayoutError(f"unknown kind of reference file {kind!r}: use one of {', '.join(KINDS)}")
    path = Path(path)
    try:
        return KINDS[kind](path)
    except duckdb.Error as exc:
        raise LayoutError(f"{path.name}: cannot be read as a {kind} file ({exc})") from exc
