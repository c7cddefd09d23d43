"""Reference data: the public figures about places that every stage reads, in one package.

* :mod:`~totalplace.reference.areas` -- district populations (ONS mid-year), the
  counties, police and fire areas districts belong to, area and ward names; its
  functions are re-exported here (``reference.population(code, year)``);
* :mod:`~totalplace.reference.wards` -- wards of a district with population by age
  band and deprivation rolled up from LSOAs (:func:`~totalplace.reference.wards.wards`);
* :mod:`~totalplace.reference.deprivation` -- district IMD summaries (IoD2019, IoD2025);
* :mod:`~totalplace.reference.cohorts` -- district children and older-people populations;
* :mod:`~totalplace.reference.shipped` -- the tables shipped in ``totalplace/data/reference``;
* :mod:`~totalplace.reference.loaded` -- newer files a user loads into a workspace
  (``totalplace reference load``), preferred to the shipped copies;
* :mod:`~totalplace.reference.layouts` -- readers of the publishers' file layouts.

Only the light area look-ups are imported here (every command needs them; the
others read Arrow/DuckDB tables and are imported from their modules where used).
"""

from totalplace.reference.areas import (
    AREA_KINDS,
    UnknownAreaError,
    area_kind,
    area_name,
    areas_for_lad,
    codes_of_kind,
    expand_area,
    find_area,
    kind_label,
    population,
    population_years,
    ward,
)

__all__ = [
    "AREA_KINDS",
    "UnknownAreaError",
    "area_kind",
    "area_name",
    "areas_for_lad",
    "codes_of_kind",
    "expand_area",
    "find_area",
    "kind_label",
    "population",
    "population_years",
    "ward",
]
