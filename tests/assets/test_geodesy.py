"""WGS84 <-> British National Grid against the Ordnance Survey's published worked examples."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.assets.geodesy import (
    bng_to_wgs84,
    grid_to_latlon,
    haversine_m,
    latlon_to_grid,
    wgs84_to_bng,
)

# Caister Water Tower, the OS's worked example. "A Guide to Coordinate Systems in Great
# Britain" annexe C: OSGB36 52°39'27.2531"N 1°43'4.5177"E projects to E 651409.903,
# N 313177.270. "Transformations and OSGM15 User Guide" annexe A: ETRS89 (= WGS84 to
# within a metre in GB) lon 1.716073973, lat 52.658007833 is OSGB36 E 651307.003 + 102.801
# = 651409.804, N 313255.686 - 78.236 = 313177.450 by OSTN15.
CAISTER_OSGB36 = (52 + 39 / 60 + 27.2531 / 3600, 1 + 43 / 60 + 4.5177 / 3600)
CAISTER_GRID = (651409.903, 313177.270)
CAISTER_WGS84 = (52.658007833, 1.716073973)
CAISTER_OSTN15 = (651409.804, 313177.450)


def test_the_projection_matches_the_os_worked_example_to_the_millimetre():
    east, north = latlon_to_grid(*CAISTER_OSGB36)
    assert abs(east - CAISTER_GRID[0]) < 0.002
    assert abs(north - CAISTER_GRID[1]) < 0.002


def test_the_inverse_projection_returns_the_os_latitude_and_longitude():
    lat, lon = grid_to_latlon(*CAISTER_GRID)
    # 1e-7 degrees is about a centimetre.
    assert abs(lat - CAISTER_OSGB36[0]) < 1e-7
    assert abs(lon - CAISTER_OSGB36[1]) < 1e-7


def test_wgs84_to_national_grid_is_within_five_metres_of_ostn15():
    # The OS gives the 7-parameter Helmert transformation as good to 3-5 m.
    east, north = wgs84_to_bng(*CAISTER_WGS84)
    off = np.hypot(east[0] - CAISTER_OSTN15[0], north[0] - CAISTER_OSTN15[1])
    assert off < 5.0


def test_national_grid_to_wgs84_is_within_five_metres_of_the_gps_position():
    lat, lon = bng_to_wgs84(*CAISTER_OSTN15)
    metres = haversine_m(lat[0], lon[0], *CAISTER_WGS84)
    assert metres < 5.0


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=50.0, max_value=58.5), st.floats(min_value=-6.0, max_value=1.7))
def test_the_round_trip_returns_the_same_point_within_a_centimetre(lat: float, lon: float):
    east, north = wgs84_to_bng(lat, lon)
    back_lat, back_lon = bng_to_wgs84(east, north)
    assert haversine_m(lat, lon, back_lat[0], back_lon[0]) < 0.01


def test_haversine_and_grid_distances_agree_on_a_known_pair():
    # Two points 0.01 degrees of latitude apart on one meridian: by hand, the arc is
    # R x 0.01 x pi/180 = 6,371,008.8 x 0.000174533 = 1,111.95 m.
    d = haversine_m(53.75, -2.36, 53.76, -2.36)
    assert abs(d - 1111.95) < 0.01
    # On the National Grid the same pair is that far times the grid's scale factor
    # (about 0.99965 here, 2.36W being near the 2W central meridian), within 1 m.
    east, north = wgs84_to_bng([53.75, 53.76], [-2.36, -2.36])
    grid = np.hypot(east[1] - east[0], north[1] - north[0])
    assert abs(grid - 1111.95) < 1.0


def test_missing_coordinates_stay_missing():
    east, north = wgs84_to_bng([np.nan, 53.75], [np.nan, -2.36])
    assert np.isnan(east[0]) and np.isnan(north[0])
    assert not np.isnan(east[1])
