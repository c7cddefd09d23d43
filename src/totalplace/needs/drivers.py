"""The drivers a ward's share is taken by: what each means, each theme's choice, and each ward's weight.

Also the error ward counts and comparisons raise when they cannot be made as asked.
"""

from __future__ import annotations

import tomllib
from fractions import Fraction

from totalplace.errors import WorkspaceStateError
from totalplace.reference.wards import Ward
from totalplace.workspace import PLACE_FILE, Workspace

#: The drivers a theme can be apportioned by, with what each means.
DRIVERS: dict[str, str] = {
    "population": "total population (all ages)",
    "older": "older people (65+; 60+ where the ward figures are mid-2015 LSOA bands)",
    "children": "children aged 0-15",
    "working_age": "working-age population (16-64; 16-59 where mid-2015 LSOA bands)",
    "deprivation": (
        "population × IMD weight 1 + (N − rank) / N, rank the ward's population-weighted "
        "mean LSOA IMD rank of N: about 2 in England's most deprived areas, 1 in the least"
    ),
}


#: Drivers used when place.toml does not say otherwise; every other theme: population.
DEFAULT_DRIVERS: dict[str, str] = {"Older people": "older", "Children and families": "children"}


DEFAULT_DRIVER = "population"


#: The cohort whose per-head figure is shown for a theme (domain spec §9).
THEME_COHORTS: dict[str, str] = {"Older people": "older", "Children and families": "children"}


#: How a cohort is labelled: the district figures behind ward cohorts are 65+ and 0-15.
COHORT_LABELS: dict[str, str] = {"older": "65+", "children": "0-15"}


class NeedsError(WorkspaceStateError):
    """Ward counts or comparisons cannot be made as asked; the message says what to do."""


def ward_drivers(workspace: Workspace) -> tuple[dict[str, str], str]:
    """Return (driver by theme, default driver) from place.toml's ``[wards]`` table, or the defaults.

    ``[wards]`` may set ``drivers = { "Older people" = "older", ... }`` (merged over the
    defaults) and ``default = "deprivation"``. Raises NeedsError for an unknown driver.
    """
    path = workspace.root / PLACE_FILE
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    table = data.get("wards") or {}
    drivers = dict(DEFAULT_DRIVERS)
    drivers.update({str(k): str(v) for k, v in (table.get("drivers") or {}).items()})
    default = str(table.get("default", DEFAULT_DRIVER))
    for theme, driver in [*drivers.items(), ("default", default)]:
        if driver not in DRIVERS:
            raise NeedsError(
                f"{PLACE_FILE} [wards]: driver {driver!r} for {theme!r} is not one of "
                f"{', '.join(DRIVERS)}"
            )
    return drivers, default


def driver_weights(ward_list: list[Ward], driver: str) -> list[int | Fraction]:
    """Return each ward's exact driver value (same order), e.g. its 65+ population for 'older'.

    Raises NeedsError if the driver needs figures the wards lack (deprivation without
    an IMD roll-up).
    """
    if driver == "population":
        return [w.population for w in ward_list]
    if driver == "older":
        return [w.age_older for w in ward_list]
    if driver == "children":
        return [w.age_0_15 for w in ward_list]
    if driver == "working_age":
        return [w.age_working for w in ward_list]
    if driver == "deprivation":
        weights: list[int | Fraction] = []
        for w in ward_list:
            rank = w.imd_rank_exact
            if rank is None:
                raise NeedsError(
                    f"the deprivation driver needs each ward's IMD, and {w.name} ({w.code}) has "
                    f"none: {w.imd_source}. Choose another driver in {PLACE_FILE} [wards]."
                )
            n = w.imd_lsoas_ranked
            weights.append(w.population * (1 + (n - rank) / n))
        return weights
    raise NeedsError(f"unknown driver {driver!r}: use one of {', '.join(DRIVERS)}")
