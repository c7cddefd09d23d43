"""Load the workspace's asset registers ([[assets]] in place.toml) into one table of located assets.

Every row of every file is kept, with why it is not used where it is not: not
located (no coordinates in Great Britain and no full postcode), outside the place
(its district is another), or its district unknown. Which district a row lies in:

* GP practices say (``LAD21``), and Lancashire's list names the district;
* a Transparency Code list names none, so its rows are taken to lie in the areas
  the [[assets]] block gives (``areas = [...]``), or else the partner's own areas:
  when those are all within the place its rows are in the place; otherwise (a county
  register in a district's workspace) the rows are "district unknown" and left out,
  counted, with the advice to give ``areas`` or split the file.

A place of some wards is taken by its whole districts here (registers rarely name
wards): an approximation the command says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from totalplace import reference
from totalplace.assets.layouts import RegisterFileError, read_register_file
from totalplace.assets.locate import locate
from totalplace.extent import extent
from totalplace.workspace import PLACE_FILE, AssetRegister, Workspace, slugify

__all__ = ["ASSET_SCHEMA", "IN_PLACE", "RegisterSummary", "load_registers"]

IN_PLACE = "in place"
OUTSIDE = "outside the place"
UNKNOWN = "district unknown"

ASSET_SCHEMA = pa.schema(
    [
        ("asset_key", pa.int64()),
        ("register", pa.int64()),
        ("body", pa.string()),
        ("body_slug", pa.string()),
        ("partner", pa.string()),
        ("asset_id", pa.string()),
        ("name", pa.string()),
        ("postcode", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("easting", pa.float64()),
        ("northing", pa.float64()),
        ("located_by", pa.string()),
        ("not_located_reason", pa.string()),
        ("location_note", pa.string()),
        ("size_m2", pa.float64()),
        ("use", pa.string()),
        ("tenure", pa.string()),
        ("is_building", pa.bool_()),
        ("district_code", pa.string()),
        ("district_name", pa.string()),
        ("place_status", pa.string()),
        ("place_basis", pa.string()),
        ("layout", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
    ]
)


@dataclass(frozen=True)
class RegisterSummary:
    """What one register file gave: rows loaded, not located, outside the place, in it."""

    body: str
    source_file: str
    layout: str
    loaded: int
    not_located: int
    outside: int
    district_unknown: int
    in_place: int
    buildings_in_place: int

    def as_json(self) -> dict[str, object]:
        """Return the summary as a JSON-ready dict."""
        return dict(self.__dict__)


def _register_districts(workspace: Workspace, register: AssetRegister) -> list[str]:
    """Return the districts a register's rows lie in when they do not say: its areas, or its partner's."""
    partner = workspace.partner(register.body)
    codes = register.areas or (partner.areas if partner is not None else ())
    found: set[str] = set()
    for code in codes:
        try:
            found.update(reference.expand_area(code))
        except ValueError:
            continue
    return sorted(found)


def _place_status(
    frame: pd.DataFrame, districts: list[str], names: set[str], register_districts: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    code = frame["district_code"].astype("string")
    name = frame["district_name"].astype("string").str.strip().str.lower()
    by_code = code.notna().to_numpy()
    by_name = ~by_code & name.notna().to_numpy()
    inside = np.where(by_code, code.isin(districts).to_numpy(), name.isin(names).to_numpy())
    inferred = bool(register_districts) and set(register_districts) <= set(districts)
    status = np.where(
        by_code | by_name,
        np.where(inside, IN_PLACE, OUTSIDE),
        IN_PLACE if inferred else UNKNOWN,
    )
    basis = np.where(by_code | by_name, "district in the file", "the register's areas")
    return status, basis


def _files(workspace: Workspace, index: int, register: AssetRegister) -> list[Path]:
    files = workspace.matching_files(register.files)
    missing = [p for p in register.files if not workspace.matching_files((p,))]
    if missing:
        raise RegisterFileError(
            f"{workspace.root / PLACE_FILE}: [[assets]] number {index + 1} ({register.body}) "
            f"names {', '.join(repr(m) for m in missing)}, which matches no file in "
            f"{workspace.root}; put the register there or correct the path (relative to "
            "the workspace folder)."
        )
    return files


def load_registers(workspace: Workspace) -> tuple[pa.Table, list[RegisterSummary]]:
    """Return every asset row of the workspace's registers (:data:`ASSET_SCHEMA`) and a summary per file.

    Raises RegisterFileError (a BadInputError) naming place.toml and the entry for a
    path that matches no file, or naming the file for one that cannot be read.
    """
    place = extent(workspace.place)
    districts = list(place.districts)
    names = set()
    for code in districts:
        try:
            names.add(reference.area_name(code).lower())
        except reference.UnknownAreaError:
            continue
    frames: list[pd.DataFrame] = []
    summaries: list[RegisterSummary] = []
    for index, register in enumerate(workspace.assets):
        partner = workspace.partner(register.body)
        own = _register_districts(workspace, register)
        for path in _files(workspace, index, register):
            layout, raw = read_register_file(path)
            frame = locate(raw)
            status, basis = _place_status(frame, districts, names, own)
            frame["place_status"] = status
            frame["place_basis"] = basis
            frame["register"] = index
            frame["body"] = partner.name if partner is not None else register.body
            frame["body_slug"] = slugify(register.body)
            frame["partner"] = partner.slug if partner is not None else None
            frame["layout"] = layout
            try:
                shown = path.relative_to(workspace.root).as_posix()
            except ValueError:
                shown = str(path)
            frame["source_file"] = shown
            located = frame["located_by"].notna()
            inside = frame["place_status"] == IN_PLACE
            summaries.append(
                RegisterSummary(
                    body=str(frame["body"].iloc[0]) if len(frame) else register.body,
                    source_file=shown,
                    layout=layout,
                    loaded=len(frame),
                    not_located=int((~located).sum()),
                    outside=int((located & (frame["place_status"] == OUTSIDE)).sum()),
                    district_unknown=int((located & (frame["place_status"] == UNKNOWN)).sum()),
                    in_place=int((located & inside).sum()),
                    buildings_in_place=int((located & inside & frame["is_building"]).sum()),
                )
            )
            frames.append(frame)
    if not frames:
        return ASSET_SCHEMA.empty_table(), summaries
    every = pd.concat(frames, ignore_index=True)
    every["asset_key"] = np.arange(len(every), dtype=np.int64)
    every["is_building"] = every["is_building"].astype(bool)
    # NaN becomes null (pandas' missing value) on the way to Arrow.
    table = pa.Table.from_pandas(
        every[ASSET_SCHEMA.names], schema=ASSET_SCHEMA, preserve_index=False
    )
    return table, summaries
