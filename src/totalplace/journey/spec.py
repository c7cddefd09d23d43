"""Reading a journey file: ``journeys/NAME.toml`` in the workspace, checked line by line.

A journey file describes one cohort (older people after a fall, a family with multiple
needs) and two paths through the agencies that serve it: the ``[[current]]`` contacts
and the ``[[redesigned]]`` ones. Each contact names its agency (a partner of place.toml,
by name or alias, or an outside body listed in ``[journey] other_bodies``), the activity,
its unit cost -- a GMCA Unit Cost Database entry (``unit_cost = "HE4.0"``, by code or by
its exact description) or a local cost from the count (``local_cost = { partner, theme,
year, activity }``) -- how often it happens to a person affected in a year, and the share
of the cohort affected. Every fault is collected with its line and the file is refused as
a whole (:class:`JourneyFileError`): nothing is computed or written from a wrong file.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from totalplace.reference.appraisal import AppraisalDataError
from totalplace.reference.unit_costs import UnitCost, unit_costs
from totalplace.workspace import Workspace
from totalplace.workspace.checks import Checker, FileFaults, describe, suggest
from totalplace.workspace.model import PlaceFileProblem, slugify
from totalplace.workspace.toml_lines import KeyPath, TomlLines
from totalplace.years import YearError, parse_year

__all__ = [
    "JOURNEY_DIR",
    "PATHS",
    "Contact",
    "JourneyFileError",
    "JourneySpec",
    "LocalCost",
    "journey_files",
    "journey_path",
    "read_journey",
]

JOURNEY_DIR = "journeys"
#: The two paths of a journey, as the file names them.
PATHS = ("current", "redesigned")
JOURNEY_KEYS = ("name", "description", "price_year", "other_bodies", "source")
COHORT_KEYS = ("name", "size", "who", "source")
CONTACT_KEYS = (
    "agency",
    "activity",
    "unit_cost",
    "local_cost",
    "frequency",
    "share",
    "source",
)
LOCAL_KEYS = (
    "partner",
    "theme",
    "year",
    "activity",
    "activity_unit",
    "spend",
    "part_year",
    "source",
)
#: Which counted spend a local unit cost divides: the place's share, or all the partner's.
SPENDS = ("place", "partner")


class JourneyFileError(FileFaults):
    """A journey file that cannot be used: each fault with its line; nothing was computed."""


@dataclass(frozen=True)
class LocalCost:
    """A unit cost from the count: a partner's counted spend on a theme in a year / activity given."""

    partner: str  # place.toml name
    theme: str
    year: int
    activity: float
    activity_unit: str
    spend: str  # "place" (counted in the place) or "partner" (all its spend on the theme)
    part_year: bool  # the activity covers the same months as a part year's spend
    source: str
    line: int | None = None  # of ``local_cost`` in the file


@dataclass(frozen=True)
class Contact:
    """One contact of a path: who, what, its unit cost (GMCA entry or local), how often, for whom."""

    path: str  # "current" or "redesigned"
    index: int  # position in its path (0-based), as written
    agency: str
    partner: bool  # the agency is a partner of the place
    activity: str
    gmca: UnitCost | None
    local: LocalCost | None
    frequency: float  # contacts per person affected per year
    share: float  # share of the cohort affected (0..1)
    source: str
    line: int | None


@dataclass(frozen=True)
class JourneySpec:
    """A checked journey file: the cohort, its price year and the contacts of both paths."""

    path: Path
    name: str
    description: str
    price_year: int
    cohort_name: str
    cohort_size: float  # people (or families) a year
    cohort_who: str
    cohort_source: str
    source: str
    other_bodies: tuple[str, ...]
    contacts: tuple[Contact, ...]
    text: str = field(repr=False, default="")

    def contacts_of(self, path: str) -> tuple[Contact, ...]:
        """Return the contacts of ``path`` ("current" or "redesigned") in their order."""
        return tuple(c for c in self.contacts if c.path == path)


def journey_path(workspace: Workspace, name: str) -> Path:
    """Return the file of journey ``name`` (a name in ``journeys/``, or a path to a .toml file)."""
    given = Path(name)
    if given.suffix == ".toml" and (given.is_absolute() or given.exists()):
        return given
    if given.suffix == ".toml" and (workspace.root / given).exists():
        return workspace.root / given
    return workspace.root / JOURNEY_DIR / f"{slugify(name.removesuffix('.toml')) or 'journey'}.toml"


def journey_files(workspace: Workspace) -> list[Path]:
    """Return the journey files of the workspace, sorted by name."""
    folder = workspace.root / JOURNEY_DIR
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


class _Reader:
    """Checks the values of one journey file, collecting every fault with its line."""

    def __init__(self, text: str) -> None:
        self.lines = TomlLines(text)
        self.checker = Checker(self.lines)

    def fault(self, path: KeyPath, message: str) -> None:
        self.checker.fault(path, message)

    def keys(
        self, table: Mapping[str, Any], known: tuple[str, ...], path: KeyPath, where: str
    ) -> None:
        for key in table:
            if key not in known:
                self.fault((*path, key), f"unknown key {key!r} in {where}; {suggest(key, known)}")

    def text(self, table: Mapping[str, Any], key: str, path: KeyPath, *, needed: str = "") -> str:
        value = table.get(key)
        if value is None:
            if needed:
                self.fault((*path, key), f"{key} is missing: {needed}")
            return ""
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.fault((*path, key), f"{key} must be text in quotes, not {describe(value)}")
        return ""

    def number(
        self, table: Mapping[str, Any], key: str, path: KeyPath, *, needed: str,
        low: float = 0.0, high: float | None = None, above: bool = False,
    ) -> float | None:  # fmt: skip
        if key not in table:
            self.fault((*path, key), f"{key} is missing: {needed}")
            return None
        value = table[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fault((*path, key), f"{key} must be a number, not {describe(value)}")
            return None
        number = float(value)
        if number < low or (above and number <= low):
            word = "above" if above else "at least"
            self.fault((*path, key), f"{key} = {value} cannot be negative: it must be {word} {low:g}"
                       if number < 0 else f"{key} = {value} must be {word} {low:g}")  # fmt: skip
            return None
        if high is not None and number > high:
            hint = (
                f" (write {number / 100:g} for {number:g}%)" if high == 1 and number <= 100 else ""
            )
            self.fault(
                (*path, key), f"{key} = {value} is above {high:g}: it is a share from 0 to 1{hint}"
            )
            return None
        return number

    def year(self, table: Mapping[str, Any], key: str, path: KeyPath, needed: str) -> int | None:
        if key not in table:
            self.fault((*path, key), f"{key} is missing: {needed}")
            return None
        try:
            return parse_year(str(table[key]))
        except (YearError, ValueError):
            self.fault(
                (*path, key),
                f'{key} = {table[key]!r} is not a financial year; write it as "2024-25"',
            )
            return None


def _agencies(workspace: Workspace) -> dict[str, str]:
    """Return each spelling of a partner (name, alias, lower case) -> its place.toml name."""
    found: dict[str, str] = {}
    for partner in workspace.partners:
        for spelling in (partner.name, *partner.aliases):
            found[spelling.strip().lower()] = partner.name
    return found


def _gmca(reader: _Reader, given: str, at: KeyPath) -> UnitCost | None:
    """Return the GMCA entry named by code or exact description; note a fault naming close matches."""
    try:
        table = unit_costs()
    except AppraisalDataError as exc:
        reader.fault(at, str(exc))
        return None
    code = "".join(given.split()).upper()
    if code in table:
        return table[code]
    by_name = {u.description.lower(): u for u in table.values()}
    if given.strip().lower() in by_name:
        return by_name[given.strip().lower()]
    close = difflib.get_close_matches(code, list(table), n=4, cutoff=0.6)
    named = difflib.get_close_matches(given.strip().lower(), list(by_name), n=3, cutoff=0.5)
    hints = [f"{c} ({table[c].description[:60]})" for c in close]
    hints += [
        f"{by_name[n].code} ({by_name[n].description[:60]})"
        for n in named
        if by_name[n].code not in close
    ]
    hint = (
        "the closest are " + "; ".join(hints) if hints else "codes look like HE4.0, SS10.0, CR2.0.3"
    )
    reader.fault(at, f"no unit cost {given!r} in the GMCA Unit Cost Database: {hint}")
    return None


def _local(
    reader: _Reader, value: object, at: KeyPath, partners: Mapping[str, str]
) -> LocalCost | None:
    if not isinstance(value, dict):
        reader.fault(
            at, "local_cost must be a table { partner = .., theme = .., year = .., activity = .. }"
        )
        return None
    reader.keys(value, LOCAL_KEYS, at, "local_cost")
    need_partner = "the partner whose counted spend the cost divides"
    partner = reader.text(value, "partner", at, needed=need_partner)
    name = partners.get(partner.lower())
    if partner and name is None:
        reader.fault((*at, "partner"), f"local_cost partner {partner!r} is not a partner of the place; "
                     f"the partners are {', '.join(sorted(set(partners.values())))}")  # fmt: skip
    theme = reader.text(
        value, "theme", at, needed="the theme of the counted spend, as the count names it"
    )
    year = reader.year(value, "year", at, 'the financial year of the counted spend, e.g. "2024-25"')
    activity = reader.number(value, "activity", at, needed="how many of the activity the spend paid for "
                             "(a count the partner gives)", above=True)  # fmt: skip
    spend = reader.text(value, "spend", at) or SPENDS[0]
    if spend not in SPENDS:
        reader.fault((*at, "spend"), f"spend = {spend!r} is not one of {', '.join(SPENDS)} ('place': "
                     "the spend counted in the place; 'partner': all the partner's spend on the theme)")  # fmt: skip
    part_year = value.get("part_year", False)
    if not isinstance(part_year, bool):
        reader.fault((*at, "part_year"), "part_year must be true or false")
    if name is None or not theme or year is None or activity is None or spend not in SPENDS:
        return None
    return LocalCost(
        partner=name, theme=theme, year=year, activity=activity,
        activity_unit=reader.text(value, "activity_unit", at) or "activity",
        spend=spend, part_year=part_year is True, source=reader.text(value, "source", at),
        line=reader.lines.line(at),
    )  # fmt: skip


def _contact(
    reader: _Reader, path: str, index: int, table: Mapping[str, Any],
    partners: Mapping[str, str], others: tuple[str, ...],
) -> Contact | None:  # fmt: skip
    at: KeyPath = (path, index)
    reader.keys(table, CONTACT_KEYS, at, f"contact {index + 1} of the {path} path")
    agency = reader.text(
        table, "agency", at, needed="a partner's name or a body in [journey] other_bodies"
    )
    name = partners.get(agency.lower()) or next(
        (o for o in others if o.lower() == agency.lower()), None
    )
    if agency and name is None:
        known = sorted(set(partners.values())) + list(others)
        close = difflib.get_close_matches(agency, known, n=2, cutoff=0.6)
        hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
        reader.fault((*at, "agency"), f"unknown agency {agency!r}: {hint}an agency is a partner of the "
                     f"place ({', '.join(sorted(set(partners.values())))}) or a body listed in "
                     "[journey] other_bodies")  # fmt: skip
    activity = reader.text(
        table, "activity", at, needed='what the contact is, e.g. "A&E attendance"'
    )
    gmca = local = None
    if ("unit_cost" in table) == ("local_cost" in table):
        reader.fault(at, f"contact {index + 1} of the {path} path needs one of unit_cost (a GMCA code "
                     "such as \"HE4.0\") or local_cost (from the count), not both or neither")  # fmt: skip
    elif "unit_cost" in table:
        given = reader.text(table, "unit_cost", at)
        gmca = _gmca(reader, given, (*at, "unit_cost")) if given else None
    else:
        local = _local(reader, table["local_cost"], (*at, "local_cost"), partners)
    frequency = reader.number(table, "frequency", at, needed="contacts per person affected a year")
    share = reader.number(
        table, "share", at, needed="the share of the cohort affected, 0 to 1", high=1.0
    )
    if name is None or frequency is None or share is None or (gmca is None and local is None):
        return None
    return Contact(
        path=path, index=index, agency=name, partner=name in partners.values(), activity=activity,
        gmca=gmca, local=local, frequency=frequency, share=share,
        source=reader.text(table, "source", at), line=reader.lines.line(at),
    )  # fmt: skip


def read_journey(workspace: Workspace, path: Path) -> JourneySpec:
    """Return the checked journey file at ``path``.

    Raises JourneyFileError (every fault with its line) for a file that is missing,
    not TOML, or wrong; local unit costs are checked against the count when costed.
    """
    if not path.is_file():
        raise JourneyFileError(path, [PlaceFileProblem(None, "", "no such journey file; `totalplace "
                               "journey list` shows the journeys, `totalplace journey new NAME` writes one")])  # fmt: skip
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise JourneyFileError(
            path, [PlaceFileProblem(None, "", f"not valid TOML: {exc}")]
        ) from None
    reader = _Reader(text)
    reader.keys(data, ("journey", "cohort", *PATHS), (), "the file")
    head, cohort = data.get("journey", {}), data.get("cohort")
    if not isinstance(head, dict):
        reader.fault(("journey",), "[journey] must be a table of settings")
        head = {}
    reader.keys(head, JOURNEY_KEYS, ("journey",), "[journey]")
    if not isinstance(cohort, dict):
        reader.fault(
            ("cohort",), "the file needs a [cohort] table: name, size (people a year), who"
        )
        cohort = {}
    reader.keys(cohort, COHORT_KEYS, ("cohort",), "[cohort]")
    raw_others = head.get("other_bodies", [])
    others: tuple[str, ...] = ()
    if not isinstance(raw_others, list) or not all(
        isinstance(o, str) and o.strip() for o in raw_others
    ):
        reader.fault(
            ("journey", "other_bodies"), 'other_bodies must be a list of names, e.g. ["NHS"]'
        )
    else:
        others = tuple(o.strip() for o in raw_others)
    partners = _agencies(workspace)
    contacts: list[Contact] = []
    for which in PATHS:
        raw = data.get(which, [])
        if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
            reader.fault((which,), f"the journey has no [[{which}]] contacts; add at least one")
            continue
        for index, table in enumerate(raw):
            contact = _contact(reader, which, index, table, partners, others)
            if contact is not None:
                contacts.append(contact)
    price_year = reader.year(
        head, "price_year", ("journey",), 'the prices of every figure, e.g. "2024-25"'
    )
    size = reader.number(
        cohort, "size", ("cohort",), needed="how many people (or families) a year", above=True
    )
    if reader.checker.problems:
        raise JourneyFileError(path, reader.checker.problems)
    assert price_year is not None and size is not None
    return JourneySpec(
        path=path,
        name=reader.text(head, "name", ("journey",)) or path.stem,
        description=reader.text(head, "description", ("journey",)),
        price_year=price_year,
        cohort_name=reader.text(cohort, "name", ("cohort",)) or path.stem,
        cohort_size=size,
        cohort_who=reader.text(cohort, "who", ("cohort",)),
        cohort_source=reader.text(cohort, "source", ("cohort",)),
        source=reader.text(head, "source", ("journey",)),
        other_bodies=others,
        contacts=tuple(contacts),
        text=text,
    )
