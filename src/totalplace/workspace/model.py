"""What a workspace holds: the place, its partners and limits, as read from ``place.toml``."""

from __future__ import annotations

import fnmatch
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from totalplace import reference
from totalplace.errors import WorkspaceStateError
from totalplace.limits import Limits
from totalplace.workspace import engine_url

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


@dataclass(frozen=True)
class PlaceFileProblem:
    """One thing wrong in place.toml: the line (None if not found), the key, and the message."""

    line: int | None
    key: str
    message: str


class WorkspaceError(WorkspaceStateError):
    """A workspace that is missing or whose place.toml is wrong; the message says what to do.

    ``problems`` lists each fault found in place.toml (empty for other errors).
    """

    def __init__(self, message: str, problems: tuple[PlaceFileProblem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class SourceProfile:
    """How to read some of a partner's files: those its globs match.

    ``columns`` pins fields (header text or 0-based column number) over the partner's
    own pins; ``period`` ('2019-09') dates a summary file that does not say its month.
    """

    sources: tuple[str, ...]
    columns: dict[str, str | int] = field(default_factory=dict)
    period: str | None = None

    def matches(self, name: str) -> bool:
        """Return whether a file (its path as shown, or its name) matches one of the globs."""
        text = name.replace("\\", "/")
        return any(
            fnmatch.fnmatch(text, pattern)
            or fnmatch.fnmatch(text, f"*/{pattern.lstrip('./')}")
            or fnmatch.fnmatch(PurePath(text).name, pattern)
            for pattern in self.sources
        )


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
    profiles: tuple[SourceProfile, ...] = ()
    # How its spending is shared to the place: "population" (head count) or, for an NHS
    # body, "nhs_need:COMPONENT" (NHS England weighted populations). Out of the repr so
    # that stage fingerprints made before it existed still match (stages adds it when set).
    apportion: str = field(default="population", repr=False)

    def profile_for(self, name: str) -> tuple[dict[str, str | int], str | None]:
        """Return the column pins and period for one file: the partner's, overridden by the
        first per-source profile whose globs match it."""
        columns = dict(self.columns)
        for profile in self.profiles:
            if profile.matches(name):
                columns.update(profile.columns)
                return columns, profile.period
        return columns, None

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
    """The place being counted: one area (``code``), or the union of ``areas`` when given.

    ``areas`` may list districts, counties or wards (a place of several districts, or a
    few wards of a city); empty means the place is just ``code``.
    """

    code: str
    name: str
    population_year: int = 2024
    financial_year_start: int = 4
    areas: tuple[str, ...] = ()

    def area_codes(self) -> tuple[str, ...]:
        """Return the ONS codes whose union is the place: ``areas``, or ``(code,)``."""
        return self.areas or (self.code,)


@dataclass(frozen=True)
class AssetRegister:
    """A body's land and building register: [[assets]] in place.toml.

    ``body`` is a partner's name or another public body's; ``files`` are globs relative
    to the workspace; ``areas`` the districts or county its assets lie in, where the
    files' rows do not say (empty: the partner's areas, or unknown).
    """

    body: str
    files: tuple[str, ...]
    areas: tuple[str, ...] = ()


@dataclass
class Workspace:
    """A loaded workspace: its folder, place and partners."""

    root: Path
    place: Place
    partners: list[Partner]
    limits: Limits = field(default_factory=Limits)
    warehouse: str | None = None  # [warehouse] url in place.toml (None: the DuckDB file)
    assets: list[AssetRegister] = field(default_factory=list)  # [[assets]] registers

    @property
    def warehouse_url(self) -> str | None:
        """Return the warehouse URL: TOTALPLACE_WAREHOUSE_URL, else place.toml's, else None.

        None means the workspace's own DuckDB file (:attr:`warehouse_path`). The
        environment wins so that a password need not be written in place.toml.
        """
        return engine_url.from_environment() or self.warehouse

    @property
    def state_dir(self) -> Path:
        """Return the folder of derived state (the warehouse), creating it if needed."""
        path = self.root / STATE_DIR
        path.mkdir(exist_ok=True)
        return path

    @property
    def warehouse_path(self) -> Path:
        """Return the path of the DuckDB warehouse file (a ``duckdb://`` url may move it)."""
        try:
            target = engine_url.parse(self.warehouse_url)
        except ValueError:
            target = engine_url.parse(None)
        if target.engine == "duckdb" and target.path:
            return self.root / target.path  # an absolute path stays itself
        return self.state_dir / "warehouse.duckdb"

    def partner(self, name: str) -> Partner | None:
        """Return the partner with this name or slug, or None."""
        wanted = slugify(name)
        return next((p for p in self.partners if p.slug == wanted), None)

    def source_files(self, partner: Partner) -> list[Path]:
        """Return the files a partner's source globs match, sorted."""
        return self.matching_files(partner.sources)

    def matching_files(self, patterns: tuple[str, ...]) -> list[Path]:
        """Return the files globs relative to the workspace (or absolute) match, sorted."""
        found: set[Path] = set()
        for pattern in patterns:
            full = pattern if Path(pattern).is_absolute() else str(self.root / pattern)
            found.update(Path(p) for p in glob.glob(full, recursive=True) if Path(p).is_file())
        return sorted(found)


def slugify(name: str) -> str:
    """Return a lower-case, hyphenated identifier for a name ('Lancashire PCC' -> 'lancashire-pcc')."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
