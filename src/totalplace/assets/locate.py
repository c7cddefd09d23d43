"""Locating register rows: coordinates in both systems, the full postcode, and why a row is not located.

Published ``GeoX``/``GeoY`` are WGS84 longitude/latitude or National Grid easting/
northing. The reference system column decides where it names one (WGS84, 4326,
ETRS89 -> degrees; OSGB36, BNG, British National Grid, 27700 -> metres); otherwise
the magnitude does: a pair inside GB's longitude/latitude box is degrees, one inside
the National Grid's 700 x 1,300 km is metres; a latitude/longitude pair published the
wrong way round is read the right way round (and says so). Coordinates outside Great Britain are
not used (the reason is kept); such a row, or one without coordinates, is located
by its full postcode if it has one, else it is kept as not located.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from totalplace.assets.geodesy import bng_to_wgs84, wgs84_to_bng

__all__ = ["FULL_POSTCODE", "locate", "normalise_postcodes"]

#: A full UK postcode: outward code (area, district) and inward code (sector, unit).
FULL_POSTCODE = r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$"

# Great Britain's bounds, generously: WGS84 degrees and National Grid metres.
_LON = (-9.0, 2.5)
_LAT = (49.5, 61.5)
_EAST = (0.0, 700_000.0)
_NORTH = (0.0, 1_300_000.0)

_DEGREE_WORDS = r"wgs|4326|etrs|4258|lat|lon|degree"
_GRID_WORDS = r"osgb|bng|27700|national grid|british|easting|northing|metre"


def normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    """Return full postcodes as 'BB5 1LA' (upper case, one space); partial or none give None."""
    text = postcodes.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    parts = text.str.extract(FULL_POSTCODE.replace(" ?", ""))
    full = parts[0] + " " + parts[1]
    return full.where(full.notna(), None).astype(object)


def _inside(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return np.asarray((values >= bounds[0]) & (values <= bounds[1]))


def locate(raw: pd.DataFrame) -> pd.DataFrame:
    """Return ``raw`` with postcode (full, normalised), lat, lon, easting, northing, located_by
    ('coordinates', 'postcode' or None), not_located_reason (None when located) and
    location_note (how the coordinates were read, where not as published).

    Coordinates are used as published in one system and converted to the other; a row
    with only a full postcode is located by it (its coordinates stay NaN).
    """
    x = raw["x"].to_numpy(dtype=float)
    y = raw["y"].to_numpy(dtype=float)
    # Latitude published as GeoX and longitude as GeoY (Trafford's row 387): swapped back.
    swapped = ~(_inside(x, _LON) & _inside(y, _LAT)) & _inside(x, _LAT) & _inside(y, _LON)
    x, y = np.where(swapped, y, x), np.where(swapped, x, y)
    crs = raw["crs"].astype("string").str.lower().fillna("")
    said_degrees = crs.str.contains(_DEGREE_WORDS).to_numpy(dtype=bool)
    said_grid = crs.str.contains(_GRID_WORDS).to_numpy(dtype=bool) & ~said_degrees
    looks_degrees = _inside(x, _LON) & _inside(y, _LAT)
    looks_grid = _inside(x, _EAST) & _inside(y, _NORTH) & ~looks_degrees
    has_xy = ~(np.isnan(x) | np.isnan(y))
    degrees = has_xy & np.where(said_degrees | said_grid, said_degrees, looks_degrees)
    grid = has_xy & np.where(said_degrees | said_grid, said_grid, looks_grid)
    # A stated system whose numbers fall outside GB is a wrong row, not another system.
    degrees &= looks_degrees
    grid &= _inside(x, _EAST) & _inside(y, _NORTH)
    east, north = wgs84_to_bng(np.where(degrees, y, np.nan), np.where(degrees, x, np.nan))
    lat, lon = bng_to_wgs84(np.where(grid, x, np.nan), np.where(grid, y, np.nan))
    out = raw.drop(columns=["x", "y"]).copy()
    out["lat"] = np.where(degrees, y, lat)
    out["lon"] = np.where(degrees, x, lon)
    out["easting"] = np.where(grid, x, east)
    out["northing"] = np.where(grid, y, north)
    out["postcode"] = normalise_postcodes(raw["postcode"])
    by_xy = degrees | grid
    by_postcode = ~by_xy & out["postcode"].notna().to_numpy()
    located = np.full(len(out), None, dtype=object)
    located[by_xy] = "coordinates"
    located[by_postcode] = "postcode"
    out["located_by"] = located
    given = (raw["postcode"].astype("string").str.strip().fillna("") != "").to_numpy(dtype=bool)
    # The first that applies, in this order (a located row has no reason).
    reason = np.full(len(out), "no coordinates and no postcode", dtype=object)
    reason[~has_xy & given] = "no coordinates and only a partial postcode"
    reason[has_xy & given] = "coordinates outside Great Britain and only a partial postcode"
    reason[has_xy & ~given] = "coordinates outside Great Britain and no postcode"
    reason[by_xy | by_postcode] = None
    out["not_located_reason"] = reason
    note = np.full(len(out), None, dtype=object)
    note[swapped] = "GeoX and GeoY were latitude and longitude swapped: read so"
    out["location_note"] = note
    return out
