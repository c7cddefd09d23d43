"""Build the need reference files shipped in ``src/totalplace/data/reference/``.

Usage::

    .venv/bin/python scripts/build_needs_reference.py /work/shared/realdata

Reads (paths relative to the realdata root, as listed in its MANIFEST.md), with the
same readers a user's newer files go through (``totalplace.reference.layouts``):

* ``reference/deprivation/File_6_-_IoD2019_Population_Denominators.csv.gz``,
  ``reference/deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz`` and
  ``reference/geography_ons/LSOA11_to_WD17_to_LAD17_EW.csv`` -> ``needs_lsoa.parquet``
* ``reference/population/trafford_mid-2024_population_wards.csv`` (and the ``_LA``
  file, for the district code and a total check) -> ``needs_ward_population.csv``
* ``reference/deprivation/IoD2019_LAD_summaries_tidy.csv`` and
  ``IoD2025_LAD_summaries_tidy.csv`` -> ``needs_district_deprivation.csv``
* ``reference/local_economy/<slug>/summary.json`` and ``population.json``
  (``ageProfile``) -> ``needs_district_age_profile.csv``

Deterministic: rows sorted, Parquet written without timestamps, so re-running on the
same inputs gives identical files. Fails loudly on an inconsistency.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from totalplace.reference.layouts import read_layout

OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "totalplace" / "data" / "reference"
DEPRIVATION = Path("reference") / "deprivation"
GEO = Path("reference") / "geography_ons"
POPULATION = Path("reference") / "population"
LOCAL_ECONOMY = Path("reference") / "local_economy"


def build_lsoa(root: Path) -> pa.Table:
    """Return one row per English 2011 LSOA: ward, district, mid-2015 population bands, IMD 2019."""
    con = duckdb.connect()
    con.register(
        "pop",
        read_layout(
            "lsoa_population",
            root / DEPRIVATION / "File_6_-_IoD2019_Population_Denominators.csv.gz",
        ),
    )
    con.register(
        "imd",
        read_layout(
            "lsoa_imd", root / DEPRIVATION / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
        ),
    )
    con.register("ward", read_layout("lsoa_ward", root / GEO / "LSOA11_to_WD17_to_LAD17_EW.csv"))
    checks = con.execute(
        """SELECT (SELECT count(*) FROM pop), (SELECT count(*) FROM imd),
                  (SELECT count(*) FROM pop ANTI JOIN imd USING (lsoa_code)),
                  (SELECT count(*) FROM pop ANTI JOIN ward USING (lsoa_code)),
                  (SELECT count(*) FROM pop WHERE population <> age_0_15 + age_working + age_older),
                  (SELECT count(*) FROM pop JOIN imd USING (lsoa_code) WHERE pop.lad_code <> imd.lad_code)"""
    ).fetchone()
    assert checks is not None
    n_pop, n_imd, no_imd, no_ward, bands_off, lad_mismatch = checks
    if n_pop != n_imd or no_imd or no_ward or lad_mismatch:
        raise SystemExit(f"LSOA files disagree: {checks}")
    if bands_off:
        raise SystemExit(f"{bands_off} LSOAs whose age bands do not add up to the total")
    return con.execute(
        f"""SELECT p.lsoa_code, p.lsoa_name, w.ward_code, w.ward_name, w.ward_vintage,
                   w.lad_code, w.lad_name, p.lad_code AS iod_lad_code,
                   p.population, p.age_0_15, p.age_working, p.age_older,
                   p.working_band, p.older_band, p.year AS population_year,
                   i.imd_rank, i.imd_decile, 2019 AS imd_edition,
                   {n_imd} AS imd_lsoas
            FROM pop p JOIN imd i USING (lsoa_code) JOIN ward w USING (lsoa_code)
            ORDER BY p.lsoa_code"""
    ).to_arrow_table()


def build_ward_population(root: Path) -> list[dict[str, object]]:
    """Return the Trafford mid-2024 ward rows with their district code, checked against the district total."""
    wards = read_layout(
        "ward_population", root / POPULATION / "trafford_mid-2024_population_wards.csv"
    )
    district = read_layout(
        "district_population", root / POPULATION / "trafford_mid-2024_population_LA.csv"
    )
    (lad,) = district.to_pylist()
    rows = wards.to_pylist()
    for key in ("population", "age_0_15", "age_working", "age_older"):
        total = sum(int(r[key]) for r in rows)
        if total != lad[key]:
            raise SystemExit(
                f"Trafford wards' {key} sum to {total}, the district file says {lad[key]}"
            )
    if len(rows) != 21 or not all(str(r["code"]).startswith("E05015") for r in rows):
        raise SystemExit("expected the 21 Trafford wards E05015xxx")
    source = "ONS mid-2024 ward population estimates (Trafford Data Lab extract)"
    return [{**r, "lad_code": lad["code"], "source": source} for r in rows]


def build_district_deprivation(root: Path) -> list[dict[str, object]]:
    """Return the IMD rows of the IoD2019 and IoD2025 district summaries."""
    rows = []
    for edition, name in (
        (2019, "IoD2019_LAD_summaries_tidy.csv"),
        (2025, "IoD2025_LAD_summaries_tidy.csv"),
    ):
        for row in read_layout("district_deprivation", root / DEPRIVATION / name).to_pylist():
            if row["edition"] != edition:
                raise SystemExit(f"{name}: edition {row['edition']}, expected {edition}")
            rows.append(row)
    return rows


def build_age_profile(root: Path) -> list[dict[str, object]]:
    """Return each district's mid-year age profile (percent under 16, 16-64, 65+) from econstack-data."""
    rows = []
    for folder in sorted((root / LOCAL_ECONOMY).iterdir()):
        summary, population = folder / "summary.json", folder / "population.json"
        if not (summary.exists() and population.exists()):
            continue
        code = json.loads(summary.read_text())["onsCode"]
        data = json.loads(population.read_text())
        profile = data.get("ageProfile")
        if not profile:
            continue
        rows.append(
            {
                "lad_code": code,
                "lad_name": json.loads(summary.read_text())["name"],
                "year": int(data["year"]),
                "population": int(data["midYearEstimate"]),
                "under16_pct": profile["under16"],
                "age16_64_pct": profile["working16to64"],
                "over65_pct": profile["over65"],
            }
        )
    rows.sort(key=lambda r: str(r["lad_code"]))
    return rows


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    """Write dict rows as a CSV with LF endings, columns in the first row's order."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("realdata", type=Path, help="the shared real-data folder")
    args = parser.parse_args(argv)
    root: Path = args.realdata
    lsoa = build_lsoa(root)
    pq.write_table(
        lsoa,
        OUT_DIR / "needs_lsoa.parquet",
        compression="zstd",
        compression_level=19,
        write_statistics=False,
    )
    write_csv(OUT_DIR / "needs_ward_population.csv", build_ward_population(root))
    write_csv(OUT_DIR / "needs_district_deprivation.csv", build_district_deprivation(root))
    write_csv(OUT_DIR / "needs_district_age_profile.csv", build_age_profile(root))
    for name in (
        "needs_lsoa.parquet",
        "needs_ward_population.csv",
        "needs_district_deprivation.csv",
        "needs_district_age_profile.csv",
    ):
        print(f"{name}: {(OUT_DIR / name).stat().st_size:,} bytes", file=sys.stderr)
    print(f"needs_lsoa.parquet: {lsoa.num_rows:,} LSOAs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
