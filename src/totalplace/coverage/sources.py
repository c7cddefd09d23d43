"""The shipped top-down reference: HM Treasury CRA 2018, MHCLG RS outturn, population drivers.

The files live in ``totalplace/data/topdown/`` (see ``SOURCES.md`` there; rebuilt by
``scripts/build_topdown_reference.py``). Every figure keeps the sheet and row it came
from; money is in exact pounds (the workbooks' £ thousands × 1000).

* :func:`cra` -- every English regional row of the CRA 2018 database, 2013-14..2017-18.
* :func:`rs` -- each English authority's Revenue Outturn Summary, 2014-15 and 2017-18,
  by RS line (services 190-698, their total 699, housing benefit 711-714, net current
  expenditure 749).
* :func:`drivers` -- each English district's region, combined authority and mid-2015
  population by age band (IoD2019 File 6 denominators, excluding prisoners).
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from totalplace.years import year_label

__all__ = [
    "CRA_FILE",
    "CRA_SHEET",
    "CRA_YEARS",
    "CRA_YEAR_COLUMNS",
    "DRIVER_BANDS",
    "DRIVER_VINTAGE",
    "RS_LINE_NAMES",
    "RS_SERVICE_LINES",
    "RS_YEARS",
    "District",
    "cra",
    "district",
    "drivers",
    "nearest",
    "rs",
    "rs_cell",
    "rs_column",
    "rs_row",
]

CRA_FILE = "finance_returns/CRA_2018_Database_for_Publication_rvsd.xlsx"
CRA_SHEET = "CRA 2018 database"
#: Financial years (start year) in the CRA 2018 database, and their sheet columns.
CRA_YEARS = (2013, 2014, 2015, 2016, 2017)
CRA_YEAR_COLUMNS = {2013: "O", 2014: "P", 2015: "Q", 2016: "R", 2017: "S"}
#: Financial years (start year) of the shipped Revenue Outturn Summaries.
RS_YEARS = (2014, 2017)

#: RS service lines (net current expenditure on services, lines 190-698).
RS_SERVICE_LINES = ("190", "290", "330", "360", "390", "490", "509", "590", "599", "601", "602", "690", "698")  # fmt: skip
#: RS housing benefit lines (mandatory payments, funded by DWP).
RS_HOUSING_BENEFIT_LINES = ("711", "712", "713", "714")
RS_LINE_NAMES = {
    "190": "Education services",
    "290": "Highways and transport services",
    "330": "Children's social care",
    "360": "Adult social care",
    "390": "Public health",
    "490": "Housing services (general fund)",
    "509": "Cultural and related services",
    "590": "Environmental and regulatory services",
    "599": "Planning and development services",
    "601": "Police services",
    "602": "Fire and rescue services",
    "690": "Central services",
    "698": "Other services",
    "699": "Total service expenditure (lines 190-698)",
    "711": "Housing benefit: rent allowances",
    "712": "Housing benefit: non-HRA rent rebates",
    "713": "Housing benefit: rent rebates to HRA tenants",
    "714": "Housing benefit: subsidy limitation transfers from HRA",
    "749": "Net current expenditure",
}

#: Population bands in ``lad_drivers.csv`` and what each is.
DRIVER_BANDS = {
    "pop_all": "all ages",
    "pop_0_15": "children aged 0-15",
    "pop_16_59": "aged 16-59",
    "pop_60_plus": "aged 60 and over",
    "pop_working_age": "working age (18-59/64)",
    "pop_16_plus": "adults aged 16 and over",
}
DRIVER_VINTAGE = "ONS mid-2015 small-area estimates excluding prisoners (IoD2019 File 6)"

_MONEY = pa.decimal128(18, 2)


def nearest(years: tuple[int, ...], target: int | None) -> int:
    """Return the year in ``years`` nearest ``target`` (the later one on a tie; latest if None)."""
    if target is None:
        return max(years)
    return min(years, key=lambda y: (abs(y - target), -y))


def _read(name: str, money: list[str], ints: tuple[str, ...] | list[str] = ()) -> pa.Table:
    resource = files("totalplace").joinpath("data").joinpath("topdown").joinpath(name)
    raw = resource.read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    header = raw.split(b"\n", 1)[0].decode("utf-8").split(",")
    types: dict[str, pa.DataType] = {c: pa.string() for c in header}
    types.update({c: _MONEY for c in money})
    types.update({c: pa.int64() for c in ints})
    return pacsv.read_csv(
        io.BytesIO(raw),
        convert_options=pacsv.ConvertOptions(
            column_types=types, null_values=[""], strings_can_be_null=False
        ),
    )


@lru_cache(maxsize=1)
def cra() -> pa.Table:
    """Return the CRA 2018 English regional rows (amounts in pounds, one column per year)."""
    return _read(
        "cra_2018_england_regions.csv.gz",
        money=[f"amount_{year_label(y).replace('-', '_')}" for y in CRA_YEARS],
        ints=["sheet_row"],
    )


@lru_cache(maxsize=1)
def rs() -> pa.Table:
    """Return the RS rows: one per authority and year, a pounds column ``line_<code>`` per line."""
    return _read(
        "rs_outturn.csv",
        money=[f"line_{code}" for code in RS_LINE_NAMES],
        ints=["sheet_row"],
    )


@lru_cache(maxsize=1)
def _rs_columns() -> dict[tuple[str, str], str]:
    table = _read("rs_lines.csv", money=[])
    return {(r["financial_year"], r["line"]): r["column"] for r in table.to_pylist()}


@lru_cache(maxsize=1)
def _rs_index() -> dict[tuple[str, int], dict[str, Any]]:
    index: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rs().to_pylist():
        if row["ons_code"]:
            index[(row["ons_code"], int(row["financial_year"][:4]))] = row
    return index


def rs_row(ons_code: str, year: int) -> dict[str, Any] | None:
    """Return the RS row of the authority with this ONS code for a financial year, or None."""
    return _rs_index().get((ons_code.strip().upper(), year))


def rs_column(financial_year: str, line: str) -> str:
    """Return the sheet column holding an RS line in a year's workbook ('F' for 190 in 2017-18)."""
    return _rs_columns()[(financial_year, line)]


def rs_cell(row: dict[str, Any], line: str) -> str:
    """Return the spreadsheet cell of one RS line in a row ('F56')."""
    return f"{rs_column(row['financial_year'], line)}{row['sheet_row']}"


@dataclass(frozen=True)
class District:
    """An English district (2019 geography): its region, combined authority and population bands."""

    code: str
    name: str
    region_code: str
    region_name: str
    combined_authority_code: str
    combined_authority_name: str
    bands: dict[str, int]


@lru_cache(maxsize=1)
def drivers() -> dict[str, District]:
    """Return every English district (2019 codes) keyed by code, with mid-2015 population bands."""
    bands = [b for b in DRIVER_BANDS if b != "pop_16_plus"]
    table = _read("lad_drivers.csv", money=[], ints=[*bands, "lsoas"])
    out = {}
    for r in table.to_pylist():
        values = {b: int(r[b]) for b in bands}
        values["pop_16_plus"] = values["pop_16_59"] + values["pop_60_plus"]
        out[r["lad_code"]] = District(
            r["lad_code"],
            r["lad_name"],
            r["region_code"],
            r["region_name"],
            r["combined_authority_code"],
            r["combined_authority_name"],
            values,
        )
    return out


def district(code: str) -> District | None:
    """Return an English district of the 2019 geography, or None if not one."""
    return drivers().get(code.strip().upper())


def band_total(codes: list[str], band: str) -> int:
    """Return the population of a band summed over districts (unknown codes count 0)."""
    table = drivers()
    return sum(table[c].bands[band] for c in codes if c in table)


def as_decimal(value: Any) -> Decimal:
    """Return a money value as Decimal (None -> 0)."""
    return Decimal(0) if value is None else Decimal(value)
