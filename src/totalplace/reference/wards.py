"""Wards of a district: population by age band and deprivation, rolled up from LSOAs.

Read from the shipped tables (``totalplace/data/reference/needs_*``, built by
``scripts/build_needs_reference.py``; sources and licences in ``SOURCES.md``), or from
newer files a user loaded into the workspace (:mod:`totalplace.reference.loaded`):

* ``needs_lsoa.parquet`` -- every English 2011 LSOA with its December 2017 ward and
  district, mid-2015 population (total, 0-15, 16-59, 60+; IoD2019 denominators) and
  IMD 2019 rank and decile;
* ``needs_ward_population.csv`` -- ONS mid-2024 ward populations (0-15, 16-64, 65+)
  where we have them (Trafford's 21 wards, 2023 boundaries).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from totalplace.reference.areas import UnknownAreaError
from totalplace.reference.loaded import loaded, loaded_references
from totalplace.reference.shipped import shipped

if TYPE_CHECKING:  # the workspace sits above reference data: only its type is needed here
    from totalplace.workspace import Workspace

__all__ = ["Ward", "ward_population_rows", "wards"]

LSOA_POPULATION_SOURCE = (
    "IoD2019 population denominators (ONS mid-{year}, excluding prisoners) summed over "
    "2011 LSOAs best-fitted to {vintage} wards"
)
IMD_SOURCE = (
    "English Indices of Deprivation {edition}, LSOA IMD ranks (1 = most deprived of {n:,}) "
    "averaged over the ward's LSOAs weighted by mid-{year} population"
)


def _lsoa_table(workspace: Workspace | None) -> pa.Table:
    """Return the LSOA table (shipped columns), with any loaded LSOA files swapped in."""
    base = shipped("needs_lsoa.parquet")
    kinds = loaded_references(workspace)
    if not any(kind in kinds for kind in ("lsoa_population", "lsoa_imd", "lsoa_ward")):
        return base
    con = duckdb.connect()
    con.register("shipped", base)
    con.execute(
        """CREATE TEMP VIEW pop AS SELECT lsoa_code, lsoa_name, iod_lad_code AS lad_code,
               population, age_0_15, age_working, age_older, working_band, older_band,
               population_year AS year FROM shipped"""
    )
    con.execute(
        """CREATE TEMP VIEW imd AS SELECT lsoa_code, imd_rank, imd_decile, imd_edition,
               imd_lsoas FROM shipped"""
    )
    con.execute(
        """CREATE TEMP VIEW ward AS SELECT lsoa_code, ward_code, ward_name, ward_vintage,
               lad_code, lad_name FROM shipped"""
    )
    if (found := loaded(workspace, "lsoa_population")) is not None:
        con.register("loaded_pop", found[0])
        con.execute("CREATE OR REPLACE TEMP VIEW pop AS SELECT * FROM loaded_pop")
    if (found := loaded(workspace, "lsoa_imd")) is not None:
        table, entry = found
        con.register("loaded_imd", table)
        edition = int(entry["edition"]) if entry.get("edition") else "NULL"
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW imd AS SELECT lsoa_code, imd_rank, imd_decile,
                   {edition} AS imd_edition, count(*) OVER () AS imd_lsoas FROM loaded_imd"""
        )
    if (found := loaded(workspace, "lsoa_ward")) is not None:
        con.register("loaded_ward", found[0])
        con.execute("CREATE OR REPLACE TEMP VIEW ward AS SELECT * FROM loaded_ward")
    return con.execute(
        """SELECT p.lsoa_code, p.lsoa_name, w.ward_code, w.ward_name, w.ward_vintage,
                  w.lad_code, w.lad_name, p.lad_code AS iod_lad_code, p.population,
                  p.age_0_15, p.age_working, p.age_older, p.working_band, p.older_band,
                  p.year AS population_year, i.imd_rank, i.imd_decile, i.imd_edition, i.imd_lsoas
           FROM pop p JOIN ward w USING (lsoa_code) LEFT JOIN imd i USING (lsoa_code)
           ORDER BY p.lsoa_code"""
    ).to_arrow_table()


def _lsoa_wards(workspace: Workspace | None, lad_code: str) -> list[dict[str, Any]]:
    """Return per ward of a district: LSOA population sums and the IMD roll-up numerators."""
    con = duckdb.connect()
    con.register("lsoa", _lsoa_table(workspace))
    return [
        dict(
            zip(
                (
                    "ward_code",
                    "ward_name",
                    "ward_vintage",
                    "lad_code",
                    "lsoas",
                    "population",
                    "age_0_15",
                    "age_working",
                    "age_older",
                    "working_band",
                    "older_band",
                    "population_year",
                    "imd_lsoas_ranked",
                    "imd_population",
                    "imd_rank_total",
                    "imd_decile1",
                    "imd_edition",
                    "imd_lsoas",
                ),
                row,
                strict=True,
            )
        )
        for row in con.execute(
            """SELECT ward_code, any_value(ward_name ORDER BY lsoa_code), any_value(ward_vintage),
                      any_value(lad_code), count(*), sum(population), sum(age_0_15),
                      sum(age_working), sum(age_older), any_value(working_band),
                      any_value(older_band), any_value(population_year),
                      count(imd_rank), sum(population) FILTER (WHERE imd_rank IS NOT NULL),
                      sum(population * imd_rank), count(*) FILTER (WHERE imd_decile = 1),
                      any_value(imd_edition), max(imd_lsoas)
               FROM lsoa WHERE lad_code = ? OR iod_lad_code = ?
               GROUP BY ward_code ORDER BY ward_code""",
            [lad_code, lad_code],
        ).fetchall()
    ]


def ward_population_rows(
    workspace: Workspace | None, lad_code: str
) -> tuple[list[dict[str, Any]], str]:
    """Return ward mid-year population rows for a district (loaded first, then shipped) and their source."""
    found = loaded(workspace, "ward_population")
    if found is not None and workspace is not None:
        table, entry = found
        rows = table.to_pylist()
        for row in rows:  # the published layout has no district column: it is the place's
            row["lad_code"] = row["lad_code"] or workspace.place.code
        rows = [r for r in rows if r["lad_code"] == lad_code]
        if rows:
            return rows, f"user-loaded ward population estimates ({Path(entry['original']).name})"
    rows = [
        r for r in shipped("needs_ward_population.csv").to_pylist() if r["lad_code"] == lad_code
    ]
    return rows, (rows[0]["source"] if rows else "")


@dataclass(frozen=True)
class Ward:
    """A ward of a district: population by age band and deprivation, each with its source and year.

    ``imd_rank`` is the population-weighted mean IMD rank of the ward's LSOAs
    (``imd_rank_total / imd_population`` exactly); ``imd_most_deprived_decile_share``
    the share of its LSOAs in England's most deprived 10%. Both are None when the
    ward's boundaries do not match the LSOA lookup (e.g. mid-2024 wards on 2023 boundaries).
    """

    code: str
    name: str
    lad_code: str
    population: int
    age_0_15: int
    age_working: int
    age_older: int
    working_band: str
    older_band: str
    population_year: int
    population_source: str
    geography: str
    lsoas: int
    imd_rank: float | None
    imd_most_deprived_decile_share: float | None
    imd_population: int
    imd_rank_total: int
    imd_lsoas_ranked: int
    imd_edition: int | None
    imd_source: str

    @property
    def imd_rank_exact(self) -> Fraction | None:
        """Return the population-weighted mean LSOA IMD rank as an exact fraction, or None."""
        if not self.imd_population:
            return None
        return Fraction(self.imd_rank_total, self.imd_population)

    def as_dict(self) -> dict[str, Any]:
        """Return the ward as a JSON-ready dict."""
        return asdict(self)


def wards(lad_code: str, workspace: Workspace | None = None) -> list[Ward]:
    """Return the wards of a district, sorted by code, with population, age bands and IMD roll-up.

    Populations come from mid-year ward estimates where shipped or loaded (Trafford,
    mid-2024), else from mid-2015 LSOA populations summed to December 2017 wards;
    ``population_source`` and ``population_year`` say which. Raises UnknownAreaError
    if the district has no wards in the reference data.
    """
    code = lad_code.strip().upper()
    lsoa_rows = {r["ward_code"]: r for r in _lsoa_wards(workspace, code)}
    mid_year, mid_year_source = ward_population_rows(workspace, code)
    result: list[Ward] = []
    if mid_year:
        for row in mid_year:
            imd = lsoa_rows.get(row["code"])
            result.append(
                _ward(
                    row["code"],
                    row["name"],
                    code,
                    row,
                    mid_year_source,
                    f"wards as published in the mid-{row['year']} estimates",
                    imd,
                )
            )
    else:
        for ward_code, row in lsoa_rows.items():
            source = LSOA_POPULATION_SOURCE.format(
                year=row["population_year"], vintage=_vintage_words(row["ward_vintage"])
            )
            result.append(
                _ward(
                    ward_code,
                    row["ward_name"],
                    code,
                    row,
                    source,
                    f"{_vintage_words(row['ward_vintage'])} wards ({row['ward_vintage']}), "
                    "best-fit from 2011 LSOAs",
                    row,
                )
            )
    if not result:
        raise UnknownAreaError(
            f"no wards for {lad_code!r} in the reference data: it is not an English district of "
            "the 2017-2019 lookups (districts created since 2019 need a newer LSOA to ward "
            "lookup: load one with 'totalplace reference load lsoa_ward FILE')"
        )
    return sorted(result, key=lambda w: w.code)


def _vintage_words(vintage: str) -> str:
    match = re.match(r"WD(\d\d)", vintage or "")
    return f"December 20{match.group(1)}" if match else "published"


def _ward(
    code: str,
    name: str,
    lad_code: str,
    pop: dict[str, Any],
    source: str,
    geography: str,
    imd: dict[str, Any] | None,
) -> Ward:
    ranked = int(imd["imd_lsoas_ranked"]) if imd else 0
    imd_population = int(imd["imd_population"] or 0) if imd and ranked else 0
    rank_total = int(imd["imd_rank_total"] or 0) if imd and ranked else 0
    edition = int(imd["imd_edition"]) if imd and imd["imd_edition"] else None
    return Ward(
        code=code,
        name=name,
        lad_code=lad_code,
        population=int(pop["population"]),
        age_0_15=int(pop["age_0_15"]),
        age_working=int(pop["age_working"]),
        age_older=int(pop["age_older"]),
        working_band=str(pop["working_band"]),
        older_band=str(pop["older_band"]),
        population_year=int(pop.get("population_year") or pop["year"]),
        population_source=source,
        geography=geography,
        lsoas=int(imd["lsoas"]) if imd else 0,
        imd_rank=round(rank_total / imd_population, 1) if imd_population else None,
        imd_most_deprived_decile_share=(
            round(int(imd["imd_decile1"]) / ranked, 4) if imd and ranked else None
        ),
        imd_population=imd_population,
        imd_rank_total=rank_total,
        imd_lsoas_ranked=int(imd["imd_lsoas"] or 0) if imd and ranked else 0,
        imd_edition=edition,
        imd_source=(
            IMD_SOURCE.format(
                edition=edition or "(user-loaded)",
                n=int(imd["imd_lsoas"]),
                year=imd["population_year"],
            )
            if imd and ranked
            else "not available: no LSOA to ward lookup for these ward boundaries "
            "(load one with 'totalplace reference load lsoa_ward FILE')"
        ),
    )
