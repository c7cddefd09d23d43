"""A workspace's ward boundaries: ``wards.geojson`` at its root, checked and normalised.

The convention: any place can put its ONS ward boundaries (a GeoJSON FeatureCollection
of Polygon or MultiPolygon features, longitude/latitude) in the workspace folder as
``wards.geojson``. The ward code and name may be in properties called ``code`` and
``name``, or ONS's own ``WD13CD`` / ``WD13NM`` (any year, either case). The bundled
example ships Hyndburn's, simplified (examples/hyndburn/SOURCES.md).
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from totalplace.workspace import Workspace

__all__ = [
    "FILENAME",
    "MAX_BYTES",
    "BoundaryError",
    "boundaries_path",
    "normalise",
    "ward_boundaries",
]

FILENAME = "wards.geojson"
#: Refused above this: a simplified district's wards are tens of kilobytes; 20 MB is a
#: full-resolution county, far more than a map on a page needs.
MAX_BYTES = 20 * 1024 * 1024

_CODE = re.compile(r"^(code|wd\d\dcd)$", re.IGNORECASE)
_NAME = re.compile(r"^(name|wd\d\dnm)$", re.IGNORECASE)
_DEPTH = {"Polygon": 2, "MultiPolygon": 3}  # levels of lists above a position [lon, lat]


class BoundaryError(ValueError):
    """The workspace's wards.geojson cannot be used; the message says why and what to do."""


def boundaries_path(ws: Workspace) -> Path:
    """Return where the workspace's ward boundaries are read from (whether or not it exists)."""
    return ws.root / FILENAME


def ward_boundaries(ws: Workspace) -> dict[str, Any] | None:
    """Return the workspace's ward boundaries as a GeoJSON FeatureCollection whose features'
    properties are just ``{"code", "name"}``; None when the workspace has no wards.geojson.

    Raises BoundaryError for a file over :data:`MAX_BYTES`, not JSON, or not a
    FeatureCollection of Polygon / MultiPolygon wards each with a code.
    """
    path = boundaries_path(ws)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    if stat.st_size > MAX_BYTES:
        raise BoundaryError(
            f"{FILENAME} is {stat.st_size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Simplify the boundaries (for example with "
            "mapshaper, or ONS's generalised 'BGC' or 'BUC' editions) and replace the file."
        )
    # Read once per version of the file: pages ask on every request.
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    del mtime_ns, size  # part of the cache key only
    try:
        data = json.loads(Path(path).read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BoundaryError(f"{FILENAME} is not valid JSON ({e}).") from None
    return normalise(data)


def normalise(data: Any) -> dict[str, Any]:
    """Return ``data`` (parsed GeoJSON) as a FeatureCollection of ward features with
    properties ``{"code", "name"}`` and their geometry unchanged.

    Raises BoundaryError saying which feature is wrong and how.
    """
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryError(f"{FILENAME} must be a GeoJSON FeatureCollection.")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError(f"{FILENAME} has no features: it should have one per ward.")
    wards: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, feature in enumerate(features, 1):
        ward = _ward(feature, number)
        if ward["properties"]["code"] in seen:
            raise BoundaryError(
                f"{FILENAME}: ward {ward['properties']['code']} appears more than once."
            )
        seen.add(ward["properties"]["code"])
        wards.append(ward)
    return {"type": "FeatureCollection", "features": wards}


def _ward(feature: Any, number: int) -> dict[str, Any]:
    where = f"{FILENAME}, feature {number}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise BoundaryError(f"{where} is not a GeoJSON Feature.")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    code = _first(properties, _CODE)
    if not code:
        raise BoundaryError(
            f"{where} has no ward code: give it a property 'code' (or ONS's WD..CD, such as WD13CD)."
        )
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in _DEPTH or not isinstance(geometry, dict):
        raise BoundaryError(f"{where} ({code}) must have a Polygon or MultiPolygon geometry.")
    coordinates = geometry.get("coordinates")
    if not _positions(coordinates, _DEPTH[kind]):
        raise BoundaryError(
            f"{where} ({code}): its {kind} coordinates are not rings of [longitude, latitude]."
        )
    return {
        "type": "Feature",
        "properties": {"code": code, "name": _first(properties, _NAME) or code},
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def _first(properties: dict[str, Any], pattern: re.Pattern[str]) -> str | None:
    """Return the first non-empty text property whose name matches ``pattern``."""
    for key, value in properties.items():
        if pattern.match(str(key)) and isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return None


def _positions(value: Any, depth: int) -> bool:
    """Return whether ``value`` is ``depth`` levels of non-empty lists ending in
    [longitude, latitude] pairs within the world's bounds (rings of at least 4 positions)."""
    if depth == 0:
        return (
            isinstance(value, list)
            and len(value) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2])
            and all(math.isfinite(v) for v in value[:2])
            and -180 <= value[0] <= 180
            and -90 <= value[1] <= 90
        )
    if not isinstance(value, list) or not value:
        return False
    if depth == 1 and len(value) < 4:  # a linear ring: at least 3 corners and back to the first
        return False
    return all(_positions(v, depth - 1) for v in value)
