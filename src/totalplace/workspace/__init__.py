"""A workspace: ``place.toml`` (what the user says) and ``.totalplace/`` (what is derived).

``place.toml`` names the place, its partners, the areas each covers and their data
files. It is a readable, commented text file a partnership keeps in git; everything
in ``.totalplace/`` can be rebuilt from it.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from totalplace import reference
from totalplace.workspace.areas import PLACE_AREA_KINDS, PlaceSummary, area_problem, describe_place
from totalplace.workspace.model import (
    PLACE_FILE,
    SECTORS,
    STATE_DIR,
    AssetRegister,
    Partner,
    Place,
    PlaceFileProblem,
    Workspace,
    WorkspaceError,
    slugify,
)
from totalplace.workspace.placefile import parse_place_text, partner_problems

__all__ = [
    "PLACE_FILE",
    "AssetRegister",
    "SECTORS",
    "STATE_DIR",
    "Partner",
    "Place",
    "PlaceFileProblem",
    "PlaceSummary",
    "Workspace",
    "WorkspaceError",
    "add_partner",
    "describe_place",
    "init_workspace",
    "open_workspace",
    "slugify",
]


def open_workspace(root: Path | str) -> Workspace:
    """Return the workspace in ``root``; raises WorkspaceError if there is no valid place.toml.

    The error lists every fault in place.toml with its line and key (see ``placefile``).
    """
    root = Path(root).resolve()
    path = root / PLACE_FILE
    if not path.exists():
        raise WorkspaceError(
            f"no {PLACE_FILE} in {root}. Run 'totalplace init {root} --place CODE' to make a "
            "workspace, or pass --workspace DIR to use another one."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(
            f"{path} cannot be read ({exc}); save it as UTF-8 text and check its permissions."
        ) from exc
    place, partners, limits, warehouse, assets = parse_place_text(text, path)
    return Workspace(
        root=root,
        place=place,
        partners=partners,
        limits=limits,
        warehouse=warehouse,
        assets=assets,
    )


_TEMPLATE = """\
# totalplace workspace: the place, the bodies that serve it, and their data.
# Everything derived (in .totalplace/) is rebuilt from this file and the data files,
# so keep this file in version control and edit it freely. Every key is checked when
# a command reads it: a typo is an error naming its line, never a silent default.

[place]
code = "{code}"   # ONS GSS code of the place
name = {name}
population_year = {population_year}   # mid-year estimate used for shares and per-head figures
financial_year_start = 4   # month the place's financial year starts (4 = April)
# areas = ["E08000003", "E08000009"]   # optional: a place of several districts, counties
#                                       # or wards; the place is then their union

# One [[partners]] table per body. Fields:
#   name            how the body is named in reports (each partner once)
#   sector          one of: {sectors}
#   areas           ONS codes the body covers: districts, or a county (E10/E11), police
#                   force area (E23/W15) or fire and rescue authority (E31/W25). Police
#                   partners name police force areas; fire partners a fire and rescue
#                   area, county or districts. A body covering more than the place is
#                   apportioned to it by population share.
#   fy_start_month  month its financial year starts (4 = April)
#   sources         a list of files or globs, relative to this folder: ["data/*.csv"]
#   aliases         other names its payees use (so payments to it are seen as transfers)
#   [partners.columns]   optional pinned column profile: field = "header text" or a
#                   column number counting from 0 (e.g. amount = "Amount Paid")
#                   pins only the fields it names; the others are read from the header
#   [[partners.profiles]]  optional, per source: sources = ["data/old/*.csv"] with
#                   columns = {{ amount = "Net" }} and/or period = "2019-09" (a summary's month)

# Optional bounds on what one import may read (whole numbers above 0), e.g.
# [limits]
# max_file_mb = 4096

# Optional: keep the warehouse on PostgreSQL or Spark instead of the DuckDB file in
# .totalplace/ (or set TOTALPLACE_WAREHOUSE_URL, which wins; use it for passwords), e.g.
# [warehouse]
# url = "postgresql://totalplace@db.example.org/hyndburn"   # or "spark-local"
"""


def init_workspace(
    root: Path | str, code: str, name: str | None = None, population_year: int = 2024
) -> Path:
    """Create a workspace folder with a commented place.toml; return the place.toml path.

    Raises WorkspaceError if a place.toml is already there, ``code`` is not a known ONS
    area (district, county, police force or fire area, ward) or the year has no estimates.
    """
    root = Path(root)
    path = root / PLACE_FILE
    if path.exists():
        raise WorkspaceError(f"{path} already exists; edit it, or choose another folder.")
    place = resolve_place(code, name, population_year)
    root.mkdir(parents=True, exist_ok=True)
    path.write_text(
        _TEMPLATE.format(
            code=place.code,
            name=tomlkit.string(place.name).as_string(),
            population_year=place.population_year,
            sectors=", ".join(SECTORS),
        ),
        encoding="utf-8",
    )
    (root / STATE_DIR).mkdir(exist_ok=True)
    return path


def resolve_place(code: str, name: str | None = None, population_year: int = 2024) -> Place:
    """Return the Place an ONS code names (its ONS name unless ``name`` is given).

    Raises WorkspaceError saying what to pass instead for an unknown code or a year
    outside the shipped population estimates.
    """
    wanted = code.strip().upper()
    problem = area_problem(wanted, PLACE_AREA_KINDS)
    if problem is not None:
        by_name = reference.find_area(code)[:3]
        hint = (
            "; by that name: " + ", ".join(f"{c} ({n})" for c, n in by_name)
            if by_name and not reference.find_area(code)[3:4]
            else ""
        )
        raise WorkspaceError(
            f"{code!r} is not a known ONS area code{hint}. Pass --place with the ONS code of a "
            "district, county, combined authority area (metropolitan county), police or fire "
            "area, e.g. E07000120 for Hyndburn, E10000017 for Lancashire, E11000001 for "
            "Greater Manchester."
        )
    first, last = reference.population_years()
    if not first <= population_year <= last:
        raise WorkspaceError(
            f"population year {population_year} has no ONS mid-year estimates in the shipped "
            f"reference data; choose a year from {first} to {last}."
        )
    if name is None or not name.strip():
        try:
            name = reference.area_name(wanted)
        except reference.UnknownAreaError:
            name = reference.ward(wanted)[0]
    return Place(code=wanted, name=name.strip(), population_year=population_year)


def add_partner(workspace: Workspace, partner: Partner) -> Partner:
    """Append a partner to place.toml (keeping its comments) and return it.

    Raises WorkspaceError, changing nothing, if the partner is already there or fails
    the checks place.toml is read with (sector, areas of the kind its sector covers ...).
    """
    problems = partner_problems(partner, workspace.place, workspace.partners)
    if problems:
        listed = "; ".join(p.message.removeprefix(f"partner {partner.name!r}: ") for p in problems)
        raise WorkspaceError(f"cannot add partner {partner.name!r}: {listed}.", tuple(problems))
    partner = Partner(
        name=partner.name.strip(),
        sector=partner.sector,
        areas=tuple(a.strip().upper() for a in partner.areas),
        fy_start_month=partner.fy_start_month,
        sources=partner.sources,
        aliases=partner.aliases,
        columns=partner.columns,
    )
    path = workspace.root / PLACE_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = tomlkit.table()
    table.add("name", partner.name)
    table.add("sector", partner.sector)
    table.add("areas", list(partner.areas))
    table.add("fy_start_month", partner.fy_start_month)
    table.add("sources", list(partner.sources))
    if partner.aliases:
        table.add("aliases", list(partner.aliases))
    if partner.columns:
        table.add("columns", dict(partner.columns))
    if "partners" not in doc:
        doc.add("partners", tomlkit.aot())
    doc["partners"].append(table)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(path)
    workspace.partners.append(partner)
    return partner
