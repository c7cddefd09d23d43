"""The place's own economy: input-output multipliers and employment by SIC section, per district.

Read from the econstack-data layout (``<district-slug>/multipliers.json`` and
``employment.json``, ONS IOAT 2023 regionalised by FLQ; BRES employment). Where the
code looks, in order: the workspace's ``local_economy/<slug>/``, then the folder
``[lookups] local_economy_folder`` in ``economy.toml`` names (e.g. a copy of
econstack-data's ``src/data``). The slug is the district's name as the ONS names it,
lower-case and hyphenated ("Blackburn with Darwen" -> ``blackburn-with-darwen``). A
place of several districts sums their employment and weights each sector's
multipliers by the districts' employment in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from totalplace.economy.assumptions import SECTIONS, EconomyAssumptions, EconomyError
from totalplace.extent import extent
from totalplace.reference import area_name
from totalplace.workspace import Workspace, slugify

__all__ = ["LOCAL_ECONOMY_DIR", "SectorFigures", "find_folders", "local_figures"]

LOCAL_ECONOMY_DIR = "local_economy"
_FIELDS = (
    "directEmploymentPerMillion",
    "employmentMultiplier",
    "employmentMultiplierTypeII",
    "outputMultiplier",
    "outputMultiplierTypeII",
    "averageEarningsPerJob",
)


@dataclass(frozen=True)
class SectorFigures:
    """Per SIC section (A..S, in order): multipliers, earnings and local employment, with their source."""

    sections: tuple[str, ...]
    names: tuple[str, ...]
    values: dict[str, np.ndarray]  # each of _FIELDS -> float64[19]
    employment: np.ndarray  # jobs by section in the place's districts
    folders: tuple[str, ...]
    source: str

    def employment_mix(self) -> np.ndarray:
        """Return each section's share of the place's employment (sums to 1)."""
        total = self.employment.sum()
        if total <= 0:
            return np.full(len(self.sections), 1 / len(self.sections))
        share: np.ndarray = self.employment / total
        return share


def find_folders(workspace: Workspace, assumptions: EconomyAssumptions) -> list[Path]:
    """Return the folder of figures of each of the place's districts (workspace copy first).

    Raises EconomyError naming the districts and the folders looked in when one is missing.
    """
    places = [workspace.root / LOCAL_ECONOMY_DIR]
    if assumptions.local_economy_folder:
        given = Path(assumptions.local_economy_folder)
        places.append(given if given.is_absolute() else workspace.root / given)
    found = []
    for district in extent(workspace.place).districts:
        slug = slugify(area_name(district))
        folder = next((p / slug for p in places if (p / slug / "multipliers.json").is_file()), None)
        if folder is None:
            raise EconomyError(
                f"no local-economy figures for {area_name(district)} ({district}): looked for "
                + " and ".join(str(p / slug / "multipliers.json") for p in places)
                + ". Copy that district's folder from econstack-data (src/data/<slug>/: "
                "multipliers.json and employment.json) into the workspace's local_economy/, "
                "or name the folder holding them in economy.toml ([lookups] local_economy_folder)"
            )
        found.append(folder)
    return found


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EconomyError(f"{path}: cannot be read as JSON ({exc})") from exc


def _district(
    folder: Path, assumptions: EconomyAssumptions
) -> tuple[dict[str, np.ndarray], np.ndarray, list[str]]:
    multipliers = _json(folder / "multipliers.json").get("multipliers", [])
    index = {s: i for i, s in enumerate(SECTIONS)}
    values = {f: np.full(len(SECTIONS), np.nan) for f in _FIELDS}
    names = [""] * len(SECTIONS)
    for row in multipliers:  # 19 sectors
        section = assumptions.multiplier_sectors.get(row.get("sector", ""))
        if section is None:
            raise EconomyError(
                f"{folder / 'multipliers.json'}: sector {row.get('sector')!r} is not one of the "
                "sectors totalplace knows (data/economy/sectors.toml [multiplier_sectors])"
            )
        names[index[section]] = row["sector"]
        for f in _FIELDS:
            values[f][index[section]] = float(row.get(f, np.nan))
    missing = [s for s in SECTIONS if not names[index[s]]]
    if missing or any(np.isnan(v).any() for v in values.values()):
        raise EconomyError(
            f"{folder / 'multipliers.json'}: lacks sections {', '.join(missing) or '(a field)'}; "
            f"every SIC section A-S needs {', '.join(_FIELDS)}"
        )
    employment = np.zeros(len(SECTIONS))
    path = folder / "employment.json"
    if path.is_file():
        for row in _json(path).get("sectors", []):
            if row.get("sicSection") in index:
                employment[index[row["sicSection"]]] = float(row.get("employment") or 0)
    return values, employment, names


def local_figures(workspace: Workspace, assumptions: EconomyAssumptions) -> SectorFigures:
    """Return the place's multipliers, earnings and employment by SIC section (districts combined).

    Raises EconomyError when a district's folder is missing or a file is malformed.
    """
    folders = find_folders(workspace, assumptions)
    parts = [_district(f, assumptions) for f in folders]
    employment = np.sum([p[1] for p in parts], axis=0)
    if len(parts) == 1:
        values = parts[0][0]
    else:
        weights = np.array([p[1] for p in parts])  # district x section
        totals = weights.sum(axis=0)
        even = np.where(totals > 0, weights / np.where(totals > 0, totals, 1), 1 / len(parts))
        values = {f: (np.array([p[0][f] for p in parts]) * even).sum(axis=0) for f in _FIELDS}
    return SectorFigures(
        sections=SECTIONS,
        names=tuple(parts[0][2]),
        values=values,
        employment=employment,
        folders=tuple(str(f) for f in folders),
        source=(
            "econstack-data (charlescoverdale/econstack-data, MIT): ONS input-output "
            "analytical tables 2023 regionalised by FLQ; BRES employment via Nomis; "
            "read from " + ", ".join(str(f) for f in folders)
        ),
    )
