"""A workspace: ``place.toml`` (what the user says) and ``.totalplace/`` (what is derived).

``place.toml`` names the place, its partners, the areas each covers and their data
files. It is a readable, commented text file a partnership keeps in git; everything
in ``.totalplace/`` can be rebuilt from it.
"""

from __future__ import annotations

import glob
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from totalplace import reference
from totalplace.limits import Limits

PLACE_FILE = "place.toml"
STATE_DIR = ".totalplace"

SECTORS = (
    "district_council",
    "county_council",
    "unitary_council",
    "combined_authority",
    "police",
    "fire",
    "nhs_icb",
    "nhs_trust",
    "central_government",
    "housing_association",
    "education",
    "voluntary",
    "other",
    "unknown",
)


class WorkspaceError(Exception):
    """A workspace that is missing or whose place.toml is wrong; the message says what to do."""


@dataclass(frozen=True)
class Partner:
    """A body that serves the place, with the areas it covers and its data sources."""

    name: str
    sector: str = "unknown"
    areas: tuple[str, ...] = ()
    fy_start_month: int = 4
    sources: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    columns: dict[str, str | int] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """Return the partner's identifier in tables: its name in lower case with hyphens."""
        return slugify(self.name)

    def districts(self) -> list[str]:
        """Return the district (LAD) codes the partner covers; unknown codes are skipped."""
        codes: set[str] = set()
        for code in self.areas:
            try:
                codes.update(reference.expand_area(code))
            except ValueError:
                continue
        return sorted(codes)

    def payee_names(self) -> list[str]:
        """Return the names other ledgers may use when paying this partner."""
        return [self.name, *self.aliases]


@dataclass(frozen=True)
class Place:
    """The place being counted."""

    code: str
    name: str
    population_year: int = 2024
    financial_year_start: int = 4


@dataclass
class Workspace:
    """A loaded workspace: its folder, place and partners."""

    root: Path
    place: Place
    partners: list[Partner]
    limits: Limits = field(default_factory=Limits)

    @property
    def state_dir(self) -> Path:
        """Return the folder of derived state (the warehouse), creating it if needed."""
        path = self.root / STATE_DIR
        path.mkdir(exist_ok=True)
        return path

    @property
    def warehouse_path(self) -> Path:
        """Return the path of the DuckDB warehouse file."""
        return self.state_dir / "warehouse.duckdb"

    def partner(self, name: str) -> Partner | None:
        """Return the partner with this name or slug, or None."""
        wanted = slugify(name)
        return next((p for p in self.partners if p.slug == wanted), None)

    def source_files(self, partner: Partner) -> list[Path]:
        """Return the files a partner's source globs match, sorted."""
        found: set[Path] = set()
        for pattern in partner.sources:
            full = pattern if Path(pattern).is_absolute() else str(self.root / pattern)
            found.update(Path(p) for p in glob.glob(full, recursive=True) if Path(p).is_file())
        return sorted(found)


def slugify(name: str) -> str:
    """Return a lower-case, hyphenated identifier for a name ('Lancashire PCC' -> 'lancashire-pcc')."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def open_workspace(root: Path | str) -> Workspace:
    """Return the workspace in ``root``; raises WorkspaceError if there is no valid place.toml."""
    root = Path(root).resolve()
    path = root / PLACE_FILE
    if not path.exists():
        raise WorkspaceError(
            f"no {PLACE_FILE} in {root}. Run 'totalplace init {root}' to make a workspace, "
            "or pass --workspace DIR to use another one."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{path} is not valid TOML ({exc}). Fix the line it names.") from exc
    place_data = data.get("place") or {}
    if "code" not in place_data or "name" not in place_data:
        raise WorkspaceError(f"{path}: [place] needs a code (ONS GSS code) and a name.")
    place = Place(
        code=str(place_data["code"]),
        name=str(place_data["name"]),
        population_year=int(place_data.get("population_year", 2024)),
        financial_year_start=int(place_data.get("financial_year_start", 4)),
    )
    partners = []
    for index, item in enumerate(data.get("partners") or []):
        if "name" not in item:
            raise WorkspaceError(f"{path}: partner number {index + 1} has no name.")
        sector = str(item.get("sector", "unknown"))
        if sector not in SECTORS:
            raise WorkspaceError(
                f"{path}: partner {item['name']!r} has sector {sector!r}; use one of {', '.join(SECTORS)}."
            )
        partners.append(
            Partner(
                name=str(item["name"]),
                sector=sector,
                areas=tuple(str(a) for a in item.get("areas", [])),
                fy_start_month=int(item.get("fy_start_month", place.financial_year_start)),
                sources=tuple(str(s) for s in item.get("sources", [])),
                aliases=tuple(str(a) for a in item.get("aliases", [])),
                columns=dict(item.get("columns", {})),
            )
        )
    return Workspace(root=root, place=place, partners=partners)


_TEMPLATE = """\
# totalplace workspace: the place, the bodies that serve it, and their data.
# Everything derived (in .totalplace/) is rebuilt from this file and the data files,
# so keep this file in version control and edit it freely.

[place]
code = "{code}"   # ONS GSS code of the place (a local authority district)
name = "{name}"
population_year = {population_year}   # mid-year estimate used for shares and per-head figures
financial_year_start = 4   # month the place's financial year starts (4 = April)

# One [[partners]] table per body. Fields:
#   name            how the body is named in reports
#   sector          one of: {sectors}
#   areas           ONS codes the body covers: districts, or a county (E10...), police
#                   force area (E23...) or fire and rescue authority (E31...). A body
#                   covering more than the place is apportioned to it by population share.
#   fy_start_month  month its financial year starts (4 = April)
#   sources         files or globs, relative to this folder
#   aliases         other names its payees use (so payments to it are seen as transfers)
#   [partners.columns]   optional pinned column profile: field = "header text" or a
#                   column number counting from 0 (e.g. amount = "Amount Paid")
"""


def init_workspace(
    root: Path | str, code: str, name: str | None = None, population_year: int = 2024
) -> Path:
    """Create a workspace folder with a commented place.toml; return the place.toml path.

    Raises WorkspaceError if a place.toml is already there.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / PLACE_FILE
    if path.exists():
        raise WorkspaceError(f"{path} already exists; edit it, or choose another folder.")
    if name is None:
        try:
            name = reference.area_name(code)
        except ValueError as exc:
            raise WorkspaceError(
                f"{code!r} is not a known ONS area code; pass --name as well, or check the code."
            ) from exc
    path.write_text(
        _TEMPLATE.format(
            code=code,
            name=name,
            population_year=population_year,
            sectors=", ".join(SECTORS),
        ),
        encoding="utf-8",
    )
    (root / STATE_DIR).mkdir(exist_ok=True)
    return path


def add_partner(workspace: Workspace, partner: Partner) -> Partner:
    """Append a partner to place.toml (keeping its comments) and return it.

    Raises WorkspaceError if a partner with the same name already exists.
    """
    if workspace.partner(partner.name) is not None:
        raise WorkspaceError(f"partner {partner.name!r} already exists in {PLACE_FILE}.")
    if partner.sector not in SECTORS:
        raise WorkspaceError(f"sector {partner.sector!r} is not one of {', '.join(SECTORS)}.")
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
