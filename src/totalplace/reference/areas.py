"""Areas: district populations, the counties, police and fire areas districts belong to, ward names.

The data ship with the package in ``totalplace/data/reference/`` (see ``SOURCES.md``
there; rebuilt by ``scripts/build_reference.py``):

* ``population_lad.csv`` -- ONS mid-year population estimates per local authority
  district (LAD) and year, 2010-2024, for the 350 current UK districts in
  econstack-data (England, Wales, Scotland; no Northern Ireland).
* ``lad_areas.csv`` -- for each district, its county (April 2019), police force
  area and fire and rescue authority (December 2019), from ONS lookups.

Codes are ONS GSS codes: districts ``E06``/``E07``/``E08``/``E09``/``W06``/``S12``/
``N09``; counties ``E10`` (plus metropolitan counties ``E11`` and Inner/Outer London
``E13``, as the ONS county lookup has them); police force areas ``E23``/``W15``;
fire and rescue authorities ``E31``/``W25``.

The area lookups are the 2019 geography, so districts merged since (e.g. into
Cumberland, North Yorkshire or Somerset unitaries) appear under their 2019 codes,
which have no population figures, while the new unitary codes have populations but
no county / police / fire entries.

Unknown codes raise :class:`UnknownAreaError`, which is both a ``KeyError`` and a
``ValueError`` and whose message names the code.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import lru_cache

from totalplace.errors import WorkspaceStateError
from totalplace.reference.shipped import shipped_bytes

# lad_areas.csv column pairs (code, name) for the areas that group districts.
_GROUP_COLUMNS = (
    ("county_code", "county_name"),
    ("police_force_code", "police_force_name"),
    ("fire_authority_code", "fire_authority_name"),
)

#: The kinds of area :func:`area_kind` returns, with the words used for them in messages.
AREA_KINDS: dict[str, str] = {
    "district": "local authority district",
    "county": "county",
    "police_force_area": "police force area",
    "fire_authority": "fire and rescue authority area",
    "ward": "ward",
}
_GROUP_KINDS = dict(
    zip(
        (c for c, _ in _GROUP_COLUMNS),
        ("county", "police_force_area", "fire_authority"),
        strict=True,
    )
)
# Finer words by GSS prefix, for saying what a code resolved to.
_PREFIX_LABELS = {
    "E06": "unitary authority",
    "E07": "district",
    "E08": "metropolitan borough",
    "E09": "London borough",
    "W06": "Welsh unitary authority",
    "S12": "Scottish council area",
    "N09": "Northern Ireland district",
    "E10": "county",
    "E11": "metropolitan county",
    "E13": "Inner/Outer London",
    "E23": "police force area",
    "W15": "police force area",
    "E31": "fire and rescue authority area",
    "W25": "fire and rescue authority area",
    "E05": "ward",
    "W05": "ward",
}


class UnknownAreaError(WorkspaceStateError, KeyError, ValueError):
    """An area code that is not in the shipped reference data."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0]) if self.args else "unknown area"


def _normalise(code: str) -> str:
    return code.strip().upper()


def _read_rows(name: str) -> Iterator[dict[str, str]]:
    text = shipped_bytes(name).decode("utf-8")
    yield from csv.DictReader(io.StringIO(text, newline=""))


@lru_cache(maxsize=1)
def _populations() -> dict[str, dict[int, int]]:
    table: dict[str, dict[int, int]] = {}
    for row in _read_rows("population_lad.csv"):
        table.setdefault(row["area_code"], {})[int(row["year"])] = int(row["population"])
    return table


@lru_cache(maxsize=1)
def _population_names() -> dict[str, str]:
    return {row["area_code"]: row["area_name"] for row in _read_rows("population_lad.csv")}


@lru_cache(maxsize=1)
def _lad_areas() -> dict[str, dict[str, str]]:
    return {row["lad_code"]: row for row in _read_rows("lad_areas.csv")}


@lru_cache(maxsize=1)
def _lad_codes() -> frozenset[str]:
    return frozenset(_lad_areas()) | frozenset(_populations())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names: dict[str, str] = dict(_population_names())
    for lad_code, row in _lad_areas().items():
        names[lad_code] = row["lad_name"]  # ONS spelling wins over econstack's
        for code_col, name_col in _GROUP_COLUMNS:
            if row[code_col]:
                names.setdefault(row[code_col], row[name_col])
    return names


@lru_cache(maxsize=1)
def _members() -> dict[str, tuple[str, ...]]:
    groups: dict[str, set[str]] = {}
    for lad_code, row in _lad_areas().items():
        for code_col, _ in _GROUP_COLUMNS:
            if row[code_col]:
                groups.setdefault(row[code_col], set()).add(lad_code)
    return {code: tuple(sorted(lads)) for code, lads in groups.items()}


@lru_cache(maxsize=1)
def _group_kinds() -> dict[str, str]:
    kinds: dict[str, str] = {}
    for row in _lad_areas().values():
        for code_col, _ in _GROUP_COLUMNS:
            if row[code_col]:
                kinds[row[code_col]] = _GROUP_KINDS[code_col]
    return kinds


@lru_cache(maxsize=1)
def _wards() -> dict[str, tuple[str, str]]:
    # Imported here: pyarrow is only needed when a ward code is looked up.
    import pyarrow.parquet as pq

    table = pq.read_table(
        io.BytesIO(shipped_bytes("needs_lsoa.parquet")),
        columns=["ward_code", "ward_name", "lad_code"],
    )
    found = {
        code: (name, lad)
        for code, name, lad in zip(
            table["ward_code"].to_pylist(),
            table["ward_name"].to_pylist(),
            table["lad_code"].to_pylist(),
            strict=True,
        )
    }
    for row in _read_rows("needs_ward_population.csv"):  # newer wards (Trafford 2023)
        found[row["code"]] = (row["name"], row["lad_code"])
    return found


def population_years() -> tuple[int, int]:
    """Return the first and last years of the shipped district population estimates."""
    years = {year for by_year in _populations().values() for year in by_year}
    return min(years), max(years)


def area_kind(code: str) -> str:
    """Return the kind of a known area code, one of :data:`AREA_KINDS`.

    Districts, counties, police force areas and fire authorities come from the district
    lookups; wards from the shipped ward lists (December 2017 wards, and the newer ones
    with populations). Raises :class:`UnknownAreaError` for any other code.
    """
    norm = _normalise(code)
    if norm in _lad_codes():
        return "district"
    kind = _group_kinds().get(norm)
    if kind is not None:
        return kind
    if norm in _wards():
        return "ward"
    raise UnknownAreaError(f"unknown area code {code!r}")


def codes_of_kind(kind: str) -> frozenset[str]:
    """Return every known code of one kind of area (a key of :data:`AREA_KINDS`)."""
    if kind == "district":
        return _lad_codes()
    if kind == "ward":
        return frozenset(_wards())
    if kind not in AREA_KINDS:
        raise ValueError(f"unknown kind of area {kind!r}; kinds are {', '.join(AREA_KINDS)}")
    return frozenset(code for code, found in _group_kinds().items() if found == kind)


def kind_label(code: str) -> str:
    """Return the words for what a known code is ('metropolitan county', 'police force area' ...)."""
    norm = _normalise(code)
    return _PREFIX_LABELS.get(norm[:3]) or AREA_KINDS[area_kind(norm)]


def ward(code: str) -> tuple[str, str]:
    """Return ``(name, district code)`` of a ward in the shipped ward lists.

    Raises :class:`UnknownAreaError` for a code that is not a known ward.
    """
    try:
        return _wards()[_normalise(code)]
    except KeyError:
        raise UnknownAreaError(f"unknown ward code {code!r}") from None


def population(area_code: str, year: int | None = None) -> tuple[int, int]:
    """Return ``(population, year_used)`` for a local authority district.

    With ``year`` given: that year if present, else the latest year before it, else
    (if ``year`` precedes all data) the latest year available. With no ``year``: the
    latest year available. Raises :class:`UnknownAreaError` (a ``KeyError``) if the
    district has no population figures.
    """
    code = _normalise(area_code)
    by_year = _populations().get(code)
    if not by_year:
        if code in _members():
            raise UnknownAreaError(
                f"no population figures for {code} ({area_name(code)}): figures are per "
                "local authority district; sum population() over expand_area(code)"
            )
        if code in _lad_codes():
            raise UnknownAreaError(
                f"no population figures for district {code} ({area_name(code)}): districts "
                "abolished since 2019 and Northern Ireland districts have none"
            )
        raise UnknownAreaError(f"unknown area code {area_code!r}: no population figures")
    if year is not None:
        if year in by_year:
            return by_year[year], year
        earlier = [y for y in by_year if y <= year]
        if earlier:
            used = max(earlier)
            return by_year[used], used
    used = max(by_year)
    return by_year[used], used


def area_name(code: str) -> str:
    """Return the name of a district, county, police force area or fire authority code."""
    norm = _normalise(code)
    try:
        return _names()[norm]
    except KeyError:
        raise UnknownAreaError(f"unknown area code {code!r}") from None


def expand_area(code: str) -> list[str]:
    """Return the sorted district (LAD) codes an area covers.

    A district code returns ``[code]``; a county, police force area or fire and
    rescue authority code returns its districts. Raises :class:`UnknownAreaError`
    (a ``ValueError``) for any other code.
    """
    norm = _normalise(code)
    if norm in _lad_codes():
        return [norm]
    members = _members().get(norm)
    if members is None:
        raise UnknownAreaError(
            f"unknown area code {code!r}: not a local authority district, county, "
            "police force area or fire and rescue authority in the reference data"
        )
    return list(members)


def areas_for_lad(lad_code: str) -> dict[str, str]:
    """Return the county, police force area and fire authority codes of a district.

    Keys are ``county_code``, ``police_force_code`` and ``fire_authority_code``; a value
    is ``""`` where the district has none (unitary authorities have no county) or the
    2019 lookups do not cover it. Raises :class:`UnknownAreaError` for a code that is
    not a known district.
    """
    norm = _normalise(lad_code)
    row = _lad_areas().get(norm)
    if row is None:
        if norm in _lad_codes():
            return {code_col: "" for code_col, _ in _GROUP_COLUMNS}
        raise UnknownAreaError(f"unknown local authority district code {lad_code!r}")
    return {code_col: row[code_col] for code_col, _ in _GROUP_COLUMNS}


def find_area(name: str) -> list[tuple[str, str]]:
    """Return ``(code, name)`` pairs whose name contains ``name`` (case-insensitive).

    Searches districts, counties, police force areas and fire authorities. Exact
    matches come first, then names starting with the query, then the rest; ties are
    ordered by code. An empty query returns ``[]``.
    """
    query = " ".join(name.split()).casefold()
    if not query:
        return []
    hits: list[tuple[int, str, str]] = []
    for code, area in _names().items():
        folded = area.casefold()
        if query not in folded:
            continue
        rank = 0 if folded == query else 1 if folded.startswith(query) else 2
        hits.append((rank, code, area))
    hits.sort()
    return [(code, area) for _, code, area in hits]
