"""District deprivation: the English Indices of Deprivation (IMD) district summaries.

Shipped as ``needs_district_deprivation.csv`` (IoD2019 and IoD2025 district summaries;
sources in ``SOURCES.md``), or a newer summary a user loaded into the workspace.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from totalplace.reference import areas
from totalplace.reference.areas import UnknownAreaError
from totalplace.reference.loaded import loaded
from totalplace.reference.shipped import shipped

if TYPE_CHECKING:
    from totalplace.workspace import Workspace

__all__ = ["EDITIONS", "DistrictDeprivation", "district_deprivation", "english_districts"]

#: The IoD editions shipped.
EDITIONS = (2019, 2025)


@dataclass(frozen=True)
class DistrictDeprivation:
    """A district's English Indices of Deprivation summary for the IMD (rank 1 = most deprived)."""

    lad_code: str
    lad_name: str
    edition: int
    average_score: float
    rank_average_score: int
    average_rank: float
    rank_average_rank: int
    proportion_bottom_decile: float
    rank_proportion_bottom_decile: int
    districts_ranked: int
    source: str

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as a JSON-ready dict."""
        return asdict(self)


def _deprivation_rows(
    edition: int, workspace: Workspace | None
) -> tuple[list[dict[str, Any]], str]:
    found = loaded(workspace, f"district_deprivation_{edition}")
    if found is not None:
        return (
            found[0].to_pylist(),
            f"IoD{edition} district summary (user-loaded {Path(found[1]['original']).name})",
        )
    rows = [
        r for r in shipped("needs_district_deprivation.csv").to_pylist() if r["edition"] == edition
    ]
    lad_year = "2019" if edition == 2019 else "2024"
    return (
        rows,
        f"English Indices of Deprivation {edition}, district summaries (LAD {lad_year} boundaries)",
    )


def district_deprivation(
    lad_code: str, edition: int | str = 2025, workspace: Workspace | None = None
) -> DistrictDeprivation:
    """Return a district's IMD summary for an IoD edition (2019 or 2025, or 'IoD2019').

    Raises UnknownAreaError if the edition has no row for the district (e.g. districts
    created after 2019 have no IoD2019 row; those merged before 2025 no IoD2025 row).
    """
    year = int(re.sub(r"\D", "", str(edition)) or 0)
    code = lad_code.strip().upper()
    rows, source = _deprivation_rows(year, workspace)
    if not rows:
        raise UnknownAreaError(f"no IoD{year} district summaries: shipped editions are {EDITIONS}")
    row = next((r for r in rows if r["lad_code"] == code), None)
    if row is None:
        raise UnknownAreaError(f"no IoD{year} district summary for {lad_code!r}")
    return DistrictDeprivation(
        lad_code=code,
        lad_name=str(row["lad_name"]),
        edition=year,
        average_score=float(row["average_score"]),
        rank_average_score=int(row["rank_average_score"]),
        average_rank=float(row["average_rank"]),
        rank_average_rank=int(row["rank_average_rank"]),
        proportion_bottom_decile=float(row["proportion_bottom_decile"]),
        rank_proportion_bottom_decile=int(row["rank_proportion_bottom_decile"]),
        districts_ranked=int(row["districts_ranked"]),
        source=source,
    )


def english_districts(
    year: int, edition: int = 2025, workspace: Workspace | None = None
) -> pa.Table:
    """Return every English district with a population for ``year`` and an IMD summary of ``edition``.

    Columns: lad_code, lad_name, population, population_year, imd_score, imd_rank
    (rank of average score, 1 = most deprived), districts_ranked. Sorted by code.
    """
    rows, _ = _deprivation_rows(edition, workspace)
    out: list[dict[str, Any]] = []
    for row in rows:
        code = str(row["lad_code"])
        if not code.startswith("E0"):
            continue
        try:
            population, pop_year = areas.population(code, year)
        except UnknownAreaError:
            continue
        out.append(
            {
                "lad_code": code,
                "lad_name": str(row["lad_name"]),
                "population": population,
                "population_year": pop_year,
                "imd_score": float(row["average_score"]),
                "imd_rank": int(row["rank_average_score"]),
                "districts_ranked": int(row["districts_ranked"]),
            }
        )
    out.sort(key=lambda r: r["lad_code"])
    return pa.Table.from_pylist(out)
