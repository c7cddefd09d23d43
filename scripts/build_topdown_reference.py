"""Build the top-down reference shipped in ``src/totalplace/data/topdown/``.

Usage::

    .venv/bin/python scripts/build_topdown_reference.py /work/shared/realdata

Reads (paths relative to the realdata root, as listed in its MANIFEST.md):

* ``finance_returns/CRA_2018_Database_for_Publication_rvsd.xlsx`` (HM Treasury
  Country and Regional Analysis 2018, sheet ``CRA 2018 database``)
  -> ``cra_2018_england_regions.csv.gz``: every row for an English region.
* ``finance_returns/RS_2017-18_data_by_LA.xlsx`` (sheet ``RS LA Data 2017-18``) and
  ``finance_returns/Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls``
  (sheet ``RS LA Data 2014-15 (1)``; sheet ``(2)`` holds reserves and is not used)
  -> ``rs_outturn.csv`` (one row per authority and year) and ``rs_lines.csv``
  (which sheet column holds each RS line in each year).
* ``reference/deprivation/File_6_-_IoD2019_Population_Denominators.csv.gz``,
  ``reference/geography_ons/Ward19_to_LAD19_to_County19_to_Region19_to_Country19_Dec2019_UK.csv``
  and ``reference/geography_ons/LAD19_to_CombinedAuthority19_Dec2019_England.csv``
  -> ``lad_drivers.csv``: each English district's region, combined authority and
  mid-2015 population by age band (the apportionment drivers).

Money is converted from the workbooks' £ thousands to pounds as
``Decimal(repr(cell)) * 1000`` rounded half-up to the penny, so a test can check any
stored figure against its cell. Header rows are found by their content, never by a
fixed row number. Deterministic: rows sorted, gzip written without a timestamp, so
re-running on the same inputs gives byte-identical files. Fails loudly on anything it
cannot reconcile.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import python_calamine

OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "totalplace" / "data" / "topdown"

CRA_FILE = "finance_returns/CRA_2018_Database_for_Publication_rvsd.xlsx"
CRA_SHEET = "CRA 2018 database"
RS_FILES = {
    "2017-18": ("finance_returns/RS_2017-18_data_by_LA.xlsx", "RS LA Data 2017-18"),
    "2014-15": (
        "finance_returns/Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls",
        "RS LA Data 2014-15 (1)",
    ),
}
FILE6 = "reference/deprivation/File_6_-_IoD2019_Population_Denominators.csv.gz"
WARD19 = (
    "reference/geography_ons/Ward19_to_LAD19_to_County19_to_Region19_to_Country19_Dec2019_UK.csv"
)
FRA19 = "reference/geography_ons/FireRescueAuthorities19_names_codes_UK.csv"
CAUTH19 = "reference/geography_ons/LAD19_to_CombinedAuthority19_Dec2019_England.csv"

CRA_COLUMNS = {
    "Department Name": "department",
    "Organisation Name": "organisation",
    "CRA Segment Code": "segment_code",
    "CRA Segment Name": "segment_name",
    "COFOG Level 0": "cofog_level_0",
    "HMT Function": "hmt_function",
    "COFOG Level 1": "cofog_level_1",
    "HMT Subfunction": "hmt_subfunction",
    "ID/non-ID": "id_non_id",
    "CAP or CUR": "cap_cur",
    "CG, LG, PC, BOE": "sector",
    "Allocated by HMT or DEPT": "allocated_by",
    "NUTS Region": "nuts_region",
    "Country": "country",
}

#: The sheet columns of the CRA year figures (the shipped file keeps the sheet row).
CRA_YEAR_COLUMNS = {"2013-14": "O", "2014-15": "P", "2015-16": "Q", "2016-17": "R", "2017-18": "S"}

#: RS lines kept: service lines 190-698, their total 699, housing benefit 711-714,
#: and net current expenditure 749 (all £ thousands in the sheets).
RS_LINES = (
    "190", "290", "330", "360", "390", "490", "509", "590", "599", "601", "602", "690",
    "698", "699", "711", "712", "713", "714", "749",
)  # fmt: skip

THOUSAND = Decimal(1000)
PENNY = Decimal("0.01")


def pounds(value: Any, where: str) -> str:
    """Return a £-thousands cell as exact pounds ('' for a blank or '…' cell)."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: boolean {value!r} is not money")
    if isinstance(value, int | float):
        amount = Decimal(repr(value)) * THOUSAND
        return str(amount.quantize(PENNY, ROUND_HALF_UP))
    text = str(value).strip()
    if text in ("", "…", "...", "-", "x", ".."):
        return ""
    raise ValueError(f"{where}: {value!r} is not a number")


def column_letter(index: int) -> str:
    """Return the spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    """Return a sheet's cells from A1 (row index 0 is spreadsheet row 1)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    data = book.get_sheet_by_name(sheet)
    if tuple(data.start or (0, 0)) != (0, 0):
        raise ValueError(f"{path.name} {sheet!r}: data does not start at A1 ({data.start})")
    return data.to_python(skip_empty_area=False)


def norm(text: Any) -> str:
    """Return text as lower-case letters only, for matching headers across years."""
    return re.sub(r"[^a-z]", "", str(text).lower())


# --- ONS geography and population drivers ---------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a (possibly gzipped) CSV as dicts, tolerating a BOM and CRLF."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    return [
        {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        for row in csv.DictReader(io.StringIO(text, newline=""))
    ]


def build_regions(root: Path) -> dict[str, tuple[str, str]]:
    """Return LAD19 code -> (region code, region name), England only, one region each."""
    regions: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in read_csv(root / WARD19):
        if row["LAD19CD"].startswith("E"):
            regions[row["LAD19CD"]].add((row["RGN19CD"], row["RGN19NM"]))
    out = {}
    for lad, found in regions.items():
        if len(found) != 1:
            raise ValueError(f"{WARD19}: {lad} is in {len(found)} regions: {sorted(found)}")
        out[lad] = next(iter(found))
    return out


def build_drivers(root: Path, regions: dict[str, tuple[str, str]]) -> list[dict[str, object]]:
    """Return one row per English district: region, combined authority, mid-2015 bands."""
    cauth: dict[str, tuple[str, str]] = {}
    for row in read_csv(root / CAUTH19):
        cauth[row["LAD19CD"]] = (row["CAUTH19CD"], row["CAUTH19NM"])
    bands = {
        "pop_all": "Total population: mid 2015 (excluding prisoners)",
        "pop_0_15": "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
        "pop_16_59": "Population aged 16-59: mid 2015 (excluding prisoners)",
        "pop_60_plus": "Older population aged 60 and over: mid 2015 (excluding prisoners)",
        "pop_working_age": "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)",
    }
    totals: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    lsoas: dict[str, int] = defaultdict(int)
    for row in read_csv(root / FILE6):
        lad = row["Local Authority District code (2019)"]
        names[lad] = row["Local Authority District name (2019)"]
        lsoas[lad] += 1
        item = totals.setdefault(lad, dict.fromkeys(bands, 0))
        for key, column in bands.items():
            item[key] += int(row[column].replace(",", ""))
    rows: list[dict[str, object]] = []
    for lad in sorted(totals):
        item = totals[lad]
        if item["pop_all"] != item["pop_0_15"] + item["pop_16_59"] + item["pop_60_plus"]:
            raise ValueError(f"{FILE6}: {lad} age bands do not add up to its total")
        if lad not in regions:
            raise ValueError(f"{lad} ({names[lad]}) has no region in {WARD19}")
        region_code, region_name = regions[lad]
        ca_code, ca_name = cauth.get(lad, ("", ""))
        rows.append(
            {
                "lad_code": lad,
                "lad_name": names[lad],
                "region_code": region_code,
                "region_name": region_name,
                "combined_authority_code": ca_code,
                "combined_authority_name": ca_name,
                "lsoas": lsoas[lad],
                **item,
            }
        )
    missing = sorted(set(regions) - set(totals))
    if missing:
        raise ValueError(f"districts in {WARD19} with no population in {FILE6}: {missing}")
    return rows


# --- HM Treasury Country and Regional Analysis ------------------------------------


def cra_region(label: str, region_names: dict[str, str]) -> tuple[str, str]:
    """Return (region code, ONS region name) for a CRA 'ENGLAND_<region>' label."""
    name = label.removeprefix("ENGLAND_")
    wanted = norm("East of England" if name == "East" else name)
    hits = [(code, ons) for code, ons in region_names.items() if norm(ons) == wanted]
    if len(hits) != 1:
        raise ValueError(f"{CRA_FILE}: NUTS region {label!r} matches {hits} ONS regions")
    return hits[0]


def build_cra(root: Path, region_names: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of every English regional row of the CRA database."""
    rows = sheet_rows(root / CRA_FILE, CRA_SHEET)
    header_at = next(
        i for i, r in enumerate(rows[:20]) if "Department Name" in r and "NUTS Region" in r
    )
    header = [str(c).strip() for c in rows[header_at]]
    where = {name: header.index(name) for name in CRA_COLUMNS}
    years = [(i, h) for i, h in enumerate(header) if re.fullmatch(r"\d{4}-\d{2}", h)]
    if [h for _, h in years] != ["2013-14", "2014-15", "2015-16", "2016-17", "2017-18"]:
        raise ValueError(f"{CRA_FILE}: unexpected year columns {years}")
    columns = [
        "sheet_row",
        *(v for v in CRA_COLUMNS.values() if v != "country"),
        "region_code",
        "region_name",
        *(f"amount_{h.replace('-', '_')}" for _, h in years),
    ]
    letters = [column_letter(j) for j, _ in years]
    if letters != list(CRA_YEAR_COLUMNS.values()):
        raise ValueError(f"{CRA_FILE}: year columns are {letters}, not {CRA_YEAR_COLUMNS}")
    out = []
    for i, r in enumerate(rows[header_at + 1 :], start=header_at + 2):
        region = str(r[where["NUTS Region"]])
        if str(r[where["Country"]]) != "ENGLAND" or not region.startswith("ENGLAND_"):
            continue
        code, name = cra_region(region, region_names)
        values = [str(r[where[c]]).strip() for c in CRA_COLUMNS if c != "Country"]
        amounts = [pounds(r[j], f"{CRA_SHEET} {column_letter(j)}{i}") for j, _ in years]
        out.append([str(i), *values, code, name, *amounts])
    return columns, out


# --- MHCLG Revenue Outturn Summary ------------------------------------------------


def find_rs_header(rows: list[list[Any]], what: str) -> int:
    """Return the index of the row naming 'ONS Code' and 'Local authority'."""
    for i, r in enumerate(rows[:30]):
        cells = [norm(c) for c in r]
        if "onscode" in cells and "localauthority" in cells:
            return i
    raise ValueError(f"{what}: no header row naming 'ONS Code' and 'Local authority'")


def rs_columns_2017(rows: list[list[Any]], header_at: int) -> dict[str, tuple[int, str]]:
    """Return RS line code -> (column index, line name) from the line-code row above the header."""
    codes_row = next(
        i
        for i in range(header_at - 1, -1, -1)
        if sum(isinstance(c, float) and c == 190.0 for c in rows[i]) == 1
    )
    found: dict[str, tuple[int, str]] = {}
    for j, code in enumerate(rows[codes_row]):
        if isinstance(code, float) and code.is_integer() and str(int(code)) in RS_LINES:
            found[str(int(code))] = (j, str(rows[header_at][j]).strip())
    return found


def rs_columns_by_name(
    header: list[Any], names: dict[str, str], what: str
) -> dict[str, tuple[int, str]]:
    """Return RS line code -> (column index, header text), matching headers by name.

    A header matches a line whose 2017-18 name it equals (letters only, any case);
    failing that, one it starts with ('NET CURRENT EXPENDITURE(TOTAL OF LINES ...)').
    Exactly one column must match each line.
    """
    cells = [norm(c) for c in header]
    found: dict[str, tuple[int, str]] = {}
    for code, name in names.items():
        wanted = norm(name)
        hits = [j for j, c in enumerate(cells) if c == wanted]
        if not hits:
            hits = [j for j, c in enumerate(cells) if c.startswith(wanted)]
        if len(hits) != 1:
            raise ValueError(f"{what}: RS line {code} ({name!r}) matches columns {hits}")
        found[code] = (hits[0], str(header[hits[0]]).strip())
    return found


def fire_codes(root: Path) -> dict[str, str]:
    """Return normalised fire and rescue authority name (2019) -> ONS code."""
    return {norm(r["FRA19NM"].replace("&", "and")): r["FRA19CD"] for r in read_csv(root / FRA19)}


def fire_name(authority: str) -> str:
    """Return an RS fire authority's name without its '(Combined) Fire and Rescue Authority' tail."""
    text = re.sub(r"\(.*?\)", "", authority)
    text = re.sub(r"(combined\s+)?fire\s+and\s+rescue\s+authority", "", text, flags=re.I)
    return norm(text.replace("&", "and"))


def build_rs(root: Path) -> tuple[list[dict[str, object]], list[dict[str, object]], list[str]]:
    """Return RS rows (authority x year), the line/column map and notes on ONS codes."""
    outturn: list[dict[str, object]] = []
    lines: list[dict[str, object]] = []
    notes: list[str] = []
    names_2017: dict[str, str] = {}
    ecode_to_ons: dict[str, str] = {}
    fire = fire_codes(root)
    for year in ("2017-18", "2014-15"):  # 2017-18 first: it names the lines and ONS codes
        path, sheet = RS_FILES[year]
        rows = sheet_rows(root / path, sheet)
        title = " ".join(str(c) for r in rows[:5] for c in r[:1])
        if "net current expenditure" not in title.lower():
            raise ValueError(f"{path} {sheet!r}: not a net current expenditure sheet ({title!r})")
        header_at = find_rs_header(rows, f"{path} {sheet!r}")
        header = rows[header_at]
        if year == "2017-18":
            columns = rs_columns_2017(rows, header_at)
            names_2017 = {code: name for code, (_, name) in columns.items()}
        else:
            columns = rs_columns_by_name(header, names_2017, f"{path} {sheet!r}")
        if sorted(columns) != sorted(RS_LINES):
            raise ValueError(f"{path}: RS lines found {sorted(columns)}, wanted {RS_LINES}")
        cells = [norm(c) for c in header]
        col_ecode, col_ons = cells.index("ecode"), cells.index("onscode")
        col_name, col_class = cells.index("localauthority"), cells.index("class")
        for code in RS_LINES:
            j, name = columns[code]
            lines.append(
                {
                    "financial_year": year,
                    "line": code,
                    "line_name": name,
                    "column": column_letter(j),
                    "header_row": header_at + 1,
                }
            )
        for i, r in enumerate(rows[header_at + 1 :], start=header_at + 2):
            ecode = str(r[col_ecode]).strip()
            if not re.fullmatch(r"E\d{4}", ecode):
                continue
            ons = str(r[col_ons]).strip()
            source = "sheet"
            if not re.fullmatch(r"E\d{8}", ons):
                ons = ecode_to_ons.get(ecode, "")
                source = "E-code in RS 2017-18" if ons else "none"
                name = str(r[col_name])
                if not ons and "fire" in name.lower() and fire_name(name) in fire:
                    ons, source = fire[fire_name(name)], "fire authority name in ONS FRA 2019 list"
            if year == "2017-18" and ons:
                ecode_to_ons[ecode] = ons
            item: dict[str, object] = {
                "financial_year": year,
                "source_file": path,
                "sheet": sheet,
                "sheet_row": i,
                "e_code": ecode,
                "ons_code": ons,
                "ons_code_source": source,
                "authority": str(r[col_name]).strip(),
                "class": str(r[col_class]).strip(),
            }
            for code in RS_LINES:
                j, _ = columns[code]
                item[f"line_{code}"] = pounds(r[j], f"{sheet} {column_letter(j)}{i}")
            outturn.append(item)
        sources: dict[str, list[str]] = defaultdict(list)
        for o in outturn:
            if o["financial_year"] == year and o["ons_code_source"] != "sheet":
                sources[str(o["ons_code_source"])].append(str(o["authority"]))
        for source, who in sorted(sources.items()):
            shown = who if source in ("none", "fire authority name in ONS FRA 2019 list") else ""
            notes.append(f"RS {year}: ONS code from {source}: {len(who)} {shown}".rstrip())
    outturn.sort(key=lambda o: (str(o["financial_year"]), int(str(o["sheet_row"]))))
    lines.sort(key=lambda x: (str(x["financial_year"]), str(x["line"])))
    return outturn, lines, notes


# --- writing ------------------------------------------------------------------------


def csv_text(columns: list[str], rows: list[Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns] if isinstance(row, dict) else row)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("realdata", type=Path, help="the shared real-data folder (MANIFEST.md)")
    args = parser.parse_args(argv)
    root: Path = args.realdata
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    regions = build_regions(root)
    region_names = {code: name for code, name in regions.values()}
    drivers = build_drivers(root, regions)
    (OUT_DIR / "lad_drivers.csv").write_text(csv_text(list(drivers[0]), drivers), encoding="utf-8")

    columns, cra = build_cra(root, region_names)
    payload = csv_text(columns, cra).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(payload)
    (OUT_DIR / "cra_2018_england_regions.csv.gz").write_bytes(buf.getvalue())

    outturn, lines, notes = build_rs(root)
    (OUT_DIR / "rs_outturn.csv").write_text(csv_text(list(outturn[0]), outturn), encoding="utf-8")
    (OUT_DIR / "rs_lines.csv").write_text(csv_text(list(lines[0]), lines), encoding="utf-8")

    print(f"lad_drivers.csv: {len(drivers)} districts, {len(region_names)} regions")
    print(f"cra_2018_england_regions.csv.gz: {len(cra)} rows")
    print(f"rs_outturn.csv: {len(outturn)} authority-years; rs_lines.csv: {len(lines)} lines")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
