"""WGS84 latitude/longitude <-> British National Grid (OSGB36) easting/northing, and distances.

The Ordnance Survey's own method (*A Guide to Coordinate Systems in Great Britain*,
OS 2020, sections 6 and annexes B-C): a 7-parameter Helmert transformation between
the WGS84 (GRS80) and OSGB36 (Airy 1830) ellipsoids, then the National Grid's
transverse Mercator projection. The Helmert step is accurate to about 5 m (the OS
says "3-5 m"; OSTN15's grid of shifts would give centimetres but is a 15 MB file),
ample for buildings within a walking distance. Everything is NumPy, whole arrays at
once; NaN in gives NaN out.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["bng_to_wgs84", "haversine_m", "latlon_to_grid", "grid_to_latlon", "wgs84_to_bng"]

Array = npt.NDArray[np.float64]

# Ellipsoids (a, b in metres): Airy 1830 for OSGB36, GRS80/WGS84 for GPS coordinates.
AIRY = (6377563.396, 6356256.909)
WGS84 = (6378137.000, 6356752.314245)

# The National Grid projection: scale on the central meridian, true origin 49N 2W,
# false origin 400 km west and 100 km north of it.
F0 = 0.9996012717
LAT0 = np.radians(49.0)
LON0 = np.radians(-2.0)
E0 = 400000.0
N0 = -100000.0

# Helmert WGS84 -> OSGB36: translations (m), scale (ppm), rotations (arc seconds).
_T = np.array([-446.448, 125.157, -542.060])
_S_PPM = 20.4894
_R_SEC = np.array([-0.1502, -0.2470, -0.8421])

EARTH_RADIUS_M = 6371008.8  # the IUGG mean radius, for haversine distances


def _meridian_arc(b: float, n: float, lat: Array) -> Array:
    """Return the meridional arc M from the true origin's latitude to ``lat`` (OS guide C1)."""
    d, s = lat - LAT0, lat + LAT0
    return (
        b
        * F0
        * (
            (1 + n + 1.25 * n**2 + 1.25 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * np.sin(d) * np.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * np.sin(2 * d) * np.cos(2 * s)
            - 35 / 24 * n**3 * np.sin(3 * d) * np.cos(3 * s)
        )
    )


def latlon_to_grid(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> tuple[Array, Array]:
    """Return (easting, northing) in metres of OSGB36 (Airy) latitudes/longitudes in degrees."""
    a, b = AIRY
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    e2 = 1 - b**2 / a**2
    n = (a - b) / (a + b)
    sin, cos, tan = np.sin(lat), np.cos(lat), np.tan(lat)
    nu = a * F0 / np.sqrt(1 - e2 * sin**2)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin**2) ** 1.5
    eta2 = nu / rho - 1
    m = _meridian_arc(b, n, lat)
    i = m + N0
    ii = nu / 2 * sin * cos
    iii = nu / 24 * sin * cos**3 * (5 - tan**2 + 9 * eta2)
    iiia = nu / 720 * sin * cos**5 * (61 - 58 * tan**2 + tan**4)
    iv = nu * cos
    v = nu / 6 * cos**3 * (nu / rho - tan**2)
    vi = nu / 120 * cos**5 * (5 - 18 * tan**2 + tan**4 + 14 * eta2 - 58 * tan**2 * eta2)
    dl = lon - LON0
    northing = i + ii * dl**2 + iii * dl**4 + iiia * dl**6
    easting = E0 + iv * dl + v * dl**3 + vi * dl**5
    return easting, northing


def grid_to_latlon(easting: npt.ArrayLike, northing: npt.ArrayLike) -> tuple[Array, Array]:
    """Return OSGB36 (Airy) (latitude, longitude) in degrees of grid eastings/northings in metres."""
    a, b = AIRY
    east = np.asarray(easting, dtype=float)
    north = np.asarray(northing, dtype=float)
    e2 = 1 - b**2 / a**2
    n = (a - b) / (a + b)
    lat = (north - N0) / (a * F0) + LAT0
    # Iterate to the footpoint latitude (OS guide C6): a few rounds reach 0.01 mm.
    for _ in range(10):
        lat = lat + (north - N0 - _meridian_arc(b, n, lat)) / (a * F0)
    sin, cos, tan = np.sin(lat), np.cos(lat), np.tan(lat)
    nu = a * F0 / np.sqrt(1 - e2 * sin**2)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin**2) ** 1.5
    eta2 = nu / rho - 1
    sec = 1 / cos
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * tan**2 + eta2 - 9 * tan**2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * tan**2 + 45 * tan**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * tan**2)
    xii = sec / (120 * nu**5) * (5 + 28 * tan**2 + 24 * tan**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * tan**2 + 1320 * tan**4 + 720 * tan**6)
    de = east - E0
    out_lat = lat - vii * de**2 + viii * de**4 - ix * de**6
    out_lon = LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return np.degrees(out_lat), np.degrees(out_lon)


def _to_cartesian(lat: Array, lon: Array, ellipsoid: tuple[float, float]) -> Array:
    a, b = ellipsoid
    e2 = 1 - b**2 / a**2
    la, lo = np.radians(lat), np.radians(lon)
    nu = a / np.sqrt(1 - e2 * np.sin(la) ** 2)
    return np.stack(
        [nu * np.cos(la) * np.cos(lo), nu * np.cos(la) * np.sin(lo), (1 - e2) * nu * np.sin(la)]
    )


def _from_cartesian(xyz: Array, ellipsoid: tuple[float, float]) -> tuple[Array, Array]:
    a, b = ellipsoid
    e2 = 1 - b**2 / a**2
    x, y, z = xyz
    p = np.sqrt(x**2 + y**2)
    lat = np.arctan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
        lat = np.arctan2(z + e2 * nu * np.sin(lat), p)
    return np.degrees(lat), np.degrees(np.arctan2(y, x))


def _helmert(xyz: Array, inverse: bool) -> Array:
    sign = -1.0 if inverse else 1.0
    t = sign * _T
    s = sign * _S_PPM * 1e-6
    rx, ry, rz = sign * np.radians(_R_SEC / 3600)
    rotation = np.array([[1 + s, -rz, ry], [rz, 1 + s, -rx], [-ry, rx, 1 + s]])
    return t[:, None] + rotation @ xyz


def wgs84_to_bng(lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[Array, Array]:
    """Return British National Grid (easting, northing) in metres of WGS84 latitudes/longitudes."""
    la = np.atleast_1d(np.asarray(lat, dtype=float))
    lo = np.atleast_1d(np.asarray(lon, dtype=float))
    osgb = _helmert(_to_cartesian(la, lo, WGS84), inverse=False)
    return latlon_to_grid(*_from_cartesian(osgb, AIRY))


def bng_to_wgs84(easting: npt.ArrayLike, northing: npt.ArrayLike) -> tuple[Array, Array]:
    """Return WGS84 (latitude, longitude) in degrees of British National Grid eastings/northings."""
    east = np.atleast_1d(np.asarray(easting, dtype=float))
    north = np.atleast_1d(np.asarray(northing, dtype=float))
    lat, lon = grid_to_latlon(east, north)
    wgs = _helmert(_to_cartesian(lat, lon, AIRY), inverse=True)
    return _from_cartesian(wgs, WGS84)


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> Array:
    """Return the great-circle distance in metres between WGS84 points (on a sphere of mean radius)."""
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(h)), dtype=float)
