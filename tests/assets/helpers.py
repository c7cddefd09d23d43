"""Build small asset registers and workspaces that declare them, for the assets tests."""

from __future__ import annotations

import csv
from pathlib import Path

TC_HEADER = [
    "OrganisationLabel",
    "UPRN",
    "AssetCode",
    "PropertyName",
    "PostCode",
    "CoordinateReferenceSystem",
    "GeoX",
    "GeoY",
    "TenureType",
    "HoldingType",
    "BuildingSize",
]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """Write a CSV file of ``header`` and ``rows``; return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def declare(root: Path, blocks: list[tuple[str, list[str], list[str]]]) -> None:
    """Append one [[assets]] block per (body, files, areas) to the workspace's place.toml."""
    text = ""
    for body, files, areas in blocks:
        text += f'\n[[assets]]\nbody = "{body}"\nfiles = {files!r}\n'.replace("'", '"')
        if areas:
            text += f"areas = {areas!r}\n".replace("'", '"')
    with (root / "place.toml").open("a", encoding="utf-8") as handle:
        handle.write(text)
