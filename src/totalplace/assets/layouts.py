"""The published layouts of land and building registers, each recognised by its columns.

A layout turns a file into one frame of the same columns (:data:`RAW_COLUMNS`): the
asset's id, name, postcode, coordinates as published (``x``/``y`` with the reference
system they are in, if said), size, use, tenure, whether it is a building, the
district it lies in where the file says, and the file's row number. Locating the
row (WGS84 and National Grid both) is :mod:`totalplace.assets.locate`'s job.

* ``transparency_code`` -- the Local Government Transparency Code 2015 land and
  building assets list (UPRN, AssetCode, PropertyName, PostCode, GeoX, GeoY, ...),
  in any of the spellings councils publish (case, spaces, underscores, "Easting"/
  "Northing" or "Latitude"/"Longitude" instead of GeoX/GeoY ...);
* ``lcc_property_list`` -- Lancashire County Council's land and property list as a
  JSON document of ``assets`` (name, postcode, district, category, lat/lng ...);
  the third party's scores in it (``colocate_score``, ``sell_score`` ...) are not
  facts and are not read;
* ``gp_practices`` -- NHS England's GP practice list with locations
  (Practice_Code, Practice_Postcode, Latitude, Longitude, LAD21).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from totalplace.errors import BadInputError

__all__ = ["LAYOUTS", "RAW_COLUMNS", "Layout", "RegisterFileError", "read_register_file"]

RAW_COLUMNS = (
    "asset_id",
    "name",
    "postcode",
    "x",
    "y",
    "crs",
    "size_m2",
    "use",
    "tenure",
    "is_building",
    "district_code",
    "district_name",
    "source_row",
)


class RegisterFileError(BadInputError):
    """An asset register file that cannot be read; the message names the file and what to do."""


def norm(header: str) -> str:
    """Return a header as compared: lower case letters and digits only ('Post Code' -> 'postcode')."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


# The Transparency Code's fields and the spellings councils publish them under
# (normalised by :func:`norm`). The 2015 Code names the fields; the spellings are
# those seen in councils' files (Trafford's CSVW names first).
TC_SPELLINGS: dict[str, tuple[str, ...]] = {
    "uprn": ("uprn", "uniquepropertyreferencenumber", "uniquepropertyreferencenumberuprn"),
    "asset_code": (
        "assetcode",
        "assetreference",
        "assetref",
        "assetid",
        "reference",
        "propertyreference",
        "propertyref",
    ),
    "name": ("propertyname", "assetname", "name", "sitename", "buildingname", "property"),
    "street_number": ("streetnumber", "buildingnumber", "housenumber", "number"),
    "street_name": ("streetname", "street", "address", "address1", "addressline1"),
    "town": ("posttown", "town", "city"),
    "postcode": ("postcode", "postalcode", "pcode"),
    "crs": (
        "coordinatereferencesystem",
        "crs",
        "mapreference",
        "coordinatesystem",
        "spatialreference",
    ),
    "geo_x": ("geox", "x", "xcoordinate", "eastingx", "geopointx"),
    "geo_y": ("geoy", "y", "ycoordinate", "northingy", "geopointy"),
    "easting": ("easting", "eastings", "osgbeasting", "gridreferenceeasting"),
    "northing": ("northing", "northings", "osgbnorthing", "gridreferencenorthing"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lon", "lng"),
    "tenure": ("tenuretype", "tenure"),
    "holding": ("holdingtype", "landorbuilding", "landbuilding", "type", "assettype"),
    "building_size": (
        "buildingsize",
        "buildingsizesqm",
        "buildingsizem2",
        "grossinternalarea",
        "gia",
        "giasqm",
        "giam2",
        "floorarea",
        "floorareasqm",
        "flooraream2",
        "size",
    ),
    "use": ("otherdetail", "use", "currentuse", "propertytype", "category"),
}


@dataclass(frozen=True)
class Layout:
    """A register layout: its name, a test on the file's columns, and a reader to raw rows."""

    name: str
    recognises: Callable[[set[str]], bool]
    read: Callable[[list[dict[str, Any]], list[str]], pd.DataFrame]


def _pick(headers: list[str], field: str) -> str | None:
    """Return the header of ``headers`` that spells the Transparency Code ``field``, or None."""
    by_norm = {norm(h): h for h in headers}
    for spelling in TC_SPELLINGS[field]:
        if spelling in by_norm:
            return by_norm[spelling]
    return None


def _column(rows: pd.DataFrame, header: str | None) -> pd.Series:
    if header is None:
        return pd.Series([None] * len(rows), index=rows.index, dtype=object)
    return rows[header].astype(object).where(rows[header].notna(), None)


def _text(series: pd.Series) -> pd.Series:
    cleaned = series.astype("string").str.strip()
    return cleaned.where(cleaned.notna() & (cleaned != ""), None).astype(object)


def number(series: pd.Series) -> pd.Series:
    """Return numbers from published text ('1,047', '415.05 m2'); blank or words give NaN."""
    text = series.astype("string").str.replace(r"[,£\s]|m2|m²|sq\.?\s*m|sqm", "", regex=True)
    return pd.to_numeric(text, errors="coerce").astype(float)


def _recognise_tc(columns: set[str]) -> bool:
    has = {f for f, spellings in TC_SPELLINGS.items() if columns & set(spellings)}
    located = {"postcode", "geo_x", "easting", "latitude"} & has
    named = {"uprn", "asset_code", "name"} & has
    return bool(located) and len(named) >= 2


def _read_tc(records: list[dict[str, Any]], headers: list[str]) -> pd.DataFrame:
    rows = pd.DataFrame.from_records(records, columns=headers)
    pick = {field: _pick(headers, field) for field in TC_SPELLINGS}
    crs = _text(_column(rows, pick["crs"]))
    x, y = number(_column(rows, pick["geo_x"])), number(_column(rows, pick["geo_y"]))
    # Files with explicit Easting/Northing or Latitude/Longitude columns say their system.
    if pick["geo_x"] is None and pick["easting"] is not None:
        x, y = number(_column(rows, pick["easting"])), number(_column(rows, pick["northing"]))
        crs = crs.fillna("OSGB36 British National Grid")
    elif pick["geo_x"] is None and pick["longitude"] is not None:
        x, y = number(_column(rows, pick["longitude"])), number(_column(rows, pick["latitude"]))
        crs = crs.fillna("WGS84")
    asset_id = _text(_column(rows, pick["asset_code"]))
    asset_id = asset_id.fillna(_text(_column(rows, pick["uprn"])))
    holding = _text(_column(rows, pick["holding"]))
    words = holding.astype("string").str.lower()
    # HoldingType is Land, Buildings or Land/Buildings; a file without it lists buildings.
    building = words.str.contains("build", na=True) | ~words.str.contains("land", na=False)
    use = _text(_column(rows, pick["use"])).fillna(holding)
    return pd.DataFrame(
        {
            "asset_id": asset_id,
            "name": _text(_column(rows, pick["name"])),
            "postcode": _text(_column(rows, pick["postcode"])),
            "x": x,
            "y": y,
            "crs": crs,
            "size_m2": number(_column(rows, pick["building_size"])),
            "use": use,
            "tenure": _text(_column(rows, pick["tenure"])),
            "is_building": building.astype(bool),
            "district_code": None,
            "district_name": None,
        }
    )


_LCC_KEYS = {"name", "postcode", "district", "category", "lat", "lng"}


def _recognise_lcc(columns: set[str]) -> bool:
    return columns >= _LCC_KEYS


def _read_lcc(records: list[dict[str, Any]], headers: list[str]) -> pd.DataFrame:
    rows = pd.DataFrame.from_records(records, columns=headers)
    land_only = rows["land_only"].fillna(False).astype(bool) if "land_only" in rows else False
    area = "floor_area_sqm" if "floor_area_sqm" in rows else None
    return pd.DataFrame(
        {
            "asset_id": _text(_column(rows, "id" if "id" in rows else None)),
            "name": _text(_column(rows, "name")),
            "postcode": _text(_column(rows, "postcode")),
            "x": number(_column(rows, "lng")),
            "y": number(_column(rows, "lat")),
            "crs": "WGS84",
            "size_m2": number(_column(rows, area)),
            "use": _text(_column(rows, "category")),
            "tenure": _text(_column(rows, "ownership" if "ownership" in rows else None)),
            "is_building": ~pd.Series(land_only, index=rows.index).astype(bool),
            "district_code": None,
            "district_name": _text(_column(rows, "district")),
        }
    )


_GP_KEYS = {"practicecode", "practicepostcode", "latitude", "longitude"}


def _recognise_gp(columns: set[str]) -> bool:
    return columns >= _GP_KEYS


def _read_gp(records: list[dict[str, Any]], headers: list[str]) -> pd.DataFrame:
    rows = pd.DataFrame.from_records(records, columns=headers)
    by_norm = {norm(h): h for h in headers}
    lad = next((by_norm[k] for k in ("lad21", "ladcode", "lad", "ltla21") if k in by_norm), None)
    name = next(
        (by_norm[k] for k in ("gppracticename", "practicename", "name") if k in by_norm), None
    )
    return pd.DataFrame(
        {
            "asset_id": _text(_column(rows, by_norm["practicecode"])),
            "name": _text(_column(rows, name)),
            "postcode": _text(_column(rows, by_norm["practicepostcode"])),
            "x": number(_column(rows, by_norm["longitude"])),
            "y": number(_column(rows, by_norm["latitude"])),
            "crs": "WGS84",
            "size_m2": np.nan,
            "use": "GP practice",
            "tenure": None,
            "is_building": True,
            "district_code": _text(_column(rows, lad)).astype("string").str.upper().astype(object),
            "district_name": None,
        }
    )


#: The layouts, tried in order; the first that recognises a file's columns reads it.
LAYOUTS: tuple[Layout, ...] = (
    Layout("gp_practices", _recognise_gp, _read_gp),
    Layout("lcc_property_list", _recognise_lcc, _read_lcc),
    Layout("transparency_code", _recognise_tc, _read_tc),
)


def _records(path: Path) -> tuple[list[dict[str, Any]], list[str], int]:
    """Return (records, headers, the row number of the first record) of a CSV or JSON file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegisterFileError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RegisterFileError(
                f"{path}: is not valid JSON ({exc}); give the register as published "
                "(a JSON list of assets, or an object with an 'assets' list) or as CSV."
            ) from exc
        items = document.get("assets") if isinstance(document, dict) else document
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise RegisterFileError(
                f"{path}: holds no list of assets; the JSON layout read is a list of objects, "
                "or an object whose 'assets' key is one."
            )
        headers = list(dict.fromkeys(k for item in items for k in item))
        return items, headers, 1
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h for h in (reader.fieldnames or []) if h is not None]
    try:
        records = list(reader)
    except csv.Error as exc:
        raise RegisterFileError(f"{path}: is not a readable CSV ({exc}).") from exc
    return records, headers, 2  # row 1 is the header


def read_register_file(path: Path) -> tuple[str, pd.DataFrame]:
    """Return (layout name, rows in :data:`RAW_COLUMNS`) of one register file.

    Raises RegisterFileError naming the file if it cannot be read or no layout
    recognises its columns.
    """
    records, headers, first = _records(path)
    columns = {norm(h) for h in headers}
    layout = next((lay for lay in LAYOUTS if lay.recognises(columns)), None)
    if layout is None:
        raise RegisterFileError(
            f"{path}: its columns ({', '.join(headers[:12]) or 'none'}) are not a land and "
            "building register layout totalplace reads: the Transparency Code list (UPRN or "
            "AssetCode, PropertyName, PostCode, GeoX/GeoY ...), Lancashire County Council's "
            "property list, or the NHS GP practice list (Practice_Code, Practice_Postcode, "
            "Latitude, Longitude). Rename its columns to those, or remove it from [[assets]]."
        )
    frame = layout.read(records, headers)
    frame["source_row"] = np.arange(first, first + len(frame), dtype=np.int64)
    return layout.name, frame.loc[:, list(RAW_COLUMNS)]
