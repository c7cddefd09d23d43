"""Build the small reference CSVs shipped in ``src/totalplace/data/reference/``.

Usage::

    .venv/bin/python scripts/build_reference.py /work/shared/realdata

Reads (paths relative to the realdata root, as listed in its MANIFEST.md):

* ``reference/local_economy/<slug>/summary.json`` and ``population.json``
  (charlescoverdale/econstack-data, ONS mid-year population estimates)
  -> ``population_lad.csv``
* ``reference/geography_ons/LAD19_to_County19_Apr2019_England.csv``,
  ``LAD19_to_CSP19_to_PoliceForceArea19_Dec2019_EW.csv``,
  ``LAD19_to_FireRescueAuthority19_Dec2019_EW.csv``,
  ``PoliceForceAreas19_names_codes_UK.csv``,
  ``FireRescueAuthorities19_names_codes_UK.csv`` and
  ``Local_Authority_Districts_December_2023_UK_names_codes.csv``
  (ONS Open Geography lookups) -> ``lad_areas.csv``

The script is deterministic: rows are sorted, so re-running it on the same
inputs gives byte-identical outputs. It fails loudly on any inconsistency it
cannot resolve (e.g. a district mapped to two police force areas).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "totalplace" / "data" / "reference"

GEO = Path("reference") / "geography_ons"
LOCAL_ECONOMY = Path("reference") / "local_economy"

LAD_AREA_COLUMNS = [
    "lad_code",
    "lad_name",
    "county_code",
    "county_name",
    "police_force_code",
    "police_force_name",
    "fire_authority_code",
    "fire_authority_name",
]


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV as dicts, tolerating a UTF-8 BOM and CRLF line endings."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = []
        for row in csv.DictReader(fh):
            rows.append({k.strip(): (v or "").strip() for k, v in row.items() if k is not None})
        return rows


def write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def as_int(value: object, where: str) -> int:
    """Coerce a JSON number/string to int, refusing anything non-integral."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: boolean {value!r} is not a count")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError(f"{where}: {value!r} is not an integer")


def build_population(root: Path, warnings: list[str]) -> list[dict[str, object]]:
    base = root / LOCAL_ECONOMY
    rows: list[dict[str, object]] = []
    seen_codes: dict[str, str] = {}
    for la_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        summary_path = la_dir / "summary.json"
        pop_path = la_dir / "population.json"
        if not summary_path.exists():
            warnings.append(f"{la_dir.name}: no summary.json (not a local authority), skipped")
            continue
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        code = str(summary.get("onsCode", "")).strip().upper()
        name = str(summary.get("name", "")).strip()
        if not pop_path.exists():
            warnings.append(f"{la_dir.name} ({code} {name}): no population.json, skipped")
            continue
        if len(code) != 9:
            raise ValueError(f"{summary_path}: bad onsCode {code!r}")
        if code in seen_codes:
            raise ValueError(f"{code} appears in both {seen_codes[code]} and {la_dir.name}")
        seen_codes[code] = la_dir.name

        pop = json.loads(pop_path.read_text(encoding="utf-8"))
        by_year: dict[int, int] = {}
        for entry in pop.get("populationTrend") or []:
            where = f"{pop_path} populationTrend {entry!r}"
            year = as_int(entry.get("year"), where)
            value = as_int(entry.get("population"), where)
            if year in by_year and by_year[year] != value:
                raise ValueError(f"{where}: conflicting values for {year}")
            by_year[year] = value
        if pop.get("midYearEstimate") is not None and pop.get("year") is not None:
            where = f"{pop_path} midYearEstimate"
            year = as_int(pop["year"], where)
            value = as_int(pop["midYearEstimate"], where)
            if year in by_year and by_year[year] != value:
                raise ValueError(
                    f"{where}: {value} for {year} disagrees with populationTrend {by_year[year]}"
                )
            by_year[year] = value
        for year, value in sorted(by_year.items()):
            if value <= 0:
                raise ValueError(f"{pop_path}: non-positive population {value} for {year}")
            rows.append({"area_code": code, "area_name": name, "year": year, "population": value})
    rows.sort(key=lambda r: (str(r["area_code"]), int(str(r["year"]))))
    return rows


def _single(mapping: dict[str, set[tuple[str, str]]], lad: str, what: str) -> tuple[str, str]:
    values = mapping.get(lad, set())
    if not values:
        return ("", "")
    if len(values) > 1:
        raise ValueError(f"{lad} maps to more than one {what}: {sorted(values)}")
    return next(iter(values))


def build_lad_areas(root: Path, warnings: list[str]) -> list[dict[str, object]]:
    geo = root / GEO
    county_rows = read_csv(geo / "LAD19_to_County19_Apr2019_England.csv")
    police_rows = read_csv(geo / "LAD19_to_CSP19_to_PoliceForceArea19_Dec2019_EW.csv")
    fire_rows = read_csv(geo / "LAD19_to_FireRescueAuthority19_Dec2019_EW.csv")
    lad23_rows = read_csv(geo / "Local_Authority_Districts_December_2023_UK_names_codes.csv")
    pfa_names = {
        r["PFA19CD"]: r["PFA19NM"]
        for r in read_csv(geo / "PoliceForceAreas19_names_codes_UK.csv")
        if r["PFA19NM"]
    }
    fra_names = {
        r["FRA19CD"]: r["FRA19NM"]
        for r in read_csv(geo / "FireRescueAuthorities19_names_codes_UK.csv")
        if r["FRA19NM"]
    }

    lad_name: dict[str, str] = {}
    county: dict[str, set[tuple[str, str]]] = defaultdict(set)
    police: dict[str, set[tuple[str, str]]] = defaultdict(set)
    fire: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def note_name(code: str, name: str, source: str) -> None:
        if code in lad_name and lad_name[code] != name:
            warnings.append(f"{code}: name {lad_name[code]!r} vs {name!r} in {source}")
        lad_name.setdefault(code, name)

    for r in county_rows:
        note_name(r["LAD19CD"], r["LAD19NM"], "county lookup")
        county[r["LAD19CD"]].add((r["CTY19CD"], r["CTY19NM"]))
    # The police lookup goes via Community Safety Partnerships, so a district
    # split across CSPs (East Suffolk, Bournemouth Christchurch and Poole)
    # appears more than once; the police force area is the same on each row.
    for r in police_rows:
        note_name(r["LAD19CD"], r["LAD19NM"], "police lookup")
        name = r["PFA19NM"] or pfa_names.get(r["PFA19CD"], "")
        if pfa_names.get(r["PFA19CD"], name) != name:
            warnings.append(
                f"{r['PFA19CD']}: police lookup says {name!r}, names file says "
                f"{pfa_names[r['PFA19CD']]!r} (kept the lookup's)"
            )
        police[r["LAD19CD"]].add((r["PFA19CD"], name))
    for r in fire_rows:
        note_name(r["LAD19CD"], r["LAD19NM"], "fire lookup")
        name = r["FRA19NM"] or fra_names.get(r["FRA19CD"], "")
        if fra_names.get(r["FRA19CD"], name) != name:
            warnings.append(
                f"{r['FRA19CD']}: fire lookup says {name!r}, names file says "
                f"{fra_names[r['FRA19CD']]!r} (kept the lookup's)"
            )
        fire[r["LAD19CD"]].add((r["FRA19CD"], name))
    lad19 = set(lad_name)

    # Districts created after 2019 (or outside England and Wales) are added
    # from the December 2023 list with their names only: the 2019 lookups do
    # not cover them, so their county / police / fire columns stay blank.
    for r in lad23_rows:
        note_name(r["LAD23CD"], r["LAD23NM"], "LAD Dec 2023 names")
    new_since_2019 = sorted(c for c in lad_name if c not in lad19 and c[0] in "EW")
    if new_since_2019:
        warnings.append(
            "LAD Dec 2023 codes with no 2019 county/police/fire lookup (left blank): "
            + ", ".join(f"{c} {lad_name[c]}" for c in new_since_2019)
        )
    gone = sorted(c for c in lad19 if c not in {r["LAD23CD"] for r in lad23_rows})
    if gone:
        warnings.append(
            "LAD 2019 codes no longer in the Dec 2023 list (kept, 2019 lookups): "
            + ", ".join(f"{c} {lad_name[c]}" for c in gone)
        )

    rows: list[dict[str, object]] = []
    for code in sorted(lad_name):
        cty_code, cty_name = _single(county, code, "county")
        pfa_code, pfa_name = _single(police, code, "police force area")
        fra_code, fra_name = _single(fire, code, "fire and rescue authority")
        rows.append(
            {
                "lad_code": code,
                "lad_name": lad_name[code],
                "county_code": cty_code,
                "county_name": cty_name,
                "police_force_code": pfa_code,
                "police_force_name": pfa_name,
                "fire_authority_code": fra_code,
                "fire_authority_name": fra_name,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("realdata", type=Path, help="root of the shared realdata folder")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    root: Path = args.realdata

    warnings: list[str] = []
    population = build_population(root, warnings)
    lad_areas = build_lad_areas(root, warnings)

    pop_codes = {str(r["area_code"]) for r in population}
    area_codes = {str(r["lad_code"]) for r in lad_areas}
    missing_geo = sorted(pop_codes - area_codes)
    if missing_geo:
        warnings.append(f"population codes not in lad_areas: {', '.join(missing_geo)}")
    lad_names = {str(r["lad_code"]): str(r["lad_name"]) for r in lad_areas}
    for code, name in sorted({(str(r["area_code"]), str(r["area_name"])) for r in population}):
        if code in lad_names and lad_names[code] != name:
            warnings.append(
                f"{code}: local_economy name {name!r} differs from ONS {lad_names[code]!r}"
            )
    no_pop = sorted(area_codes - pop_codes)
    if no_pop:
        warnings.append(f"{len(no_pop)} lad_areas codes have no population: {', '.join(no_pop)}")

    write_csv(
        args.out / "population_lad.csv",
        ["area_code", "area_name", "year", "population"],
        population,
    )
    write_csv(args.out / "lad_areas.csv", LAD_AREA_COLUMNS, lad_areas)

    print(f"population_lad.csv: {len(population)} rows, {len(pop_codes)} areas")
    print(f"lad_areas.csv: {len(lad_areas)} rows")
    for w in dict.fromkeys(warnings):  # de-duplicated, in order
        print(f"note: {w}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
