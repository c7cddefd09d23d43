"""Reading a scenario file: ``scenarios/NAME.toml`` in the workspace, checked line by line.

A scenario is a readable TOML file: a ``[scenario]`` table (baseline year, horizon,
price base, discounting, draws) and a list of ``[[levers]]``. Every number a lever
uses may be a point (``0.2``), a range (``[0.15, 0.2, 0.3]``: low, central, high) or a
table (``{ low = 0.15, central = 0.2, high = 0.3, source = "..." }``). Nothing is
coerced: every fault is collected with its line, and the file is refused as a whole
(:class:`ScenarioFileError`) -- nothing is computed or written from a wrong file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from totalplace.workspace import Workspace
from totalplace.workspace.checks import Checker, FileFaults, describe, suggest
from totalplace.workspace.model import PlaceFileProblem
from totalplace.workspace.toml_lines import KeyPath, TomlLines
from totalplace.years import parse_year, year_label

__all__ = [
    "SCENARIO_DIR",
    "Ranged",
    "ScenarioFileError",
    "ScenarioSpec",
    "LeverTable",
    "Reader",
    "read_scenario",
    "scenario_path",
    "scenario_names",
]

SCENARIO_DIR = "scenarios"
SCENARIO_KEYS = (
    "name",
    "description",
    "baseline_year",
    "start_year",
    "horizon",
    "price_base",
    "discount",
    "draws",
    "seed",
    "distribution",
    "gain_share_on",
)
DISCOUNTS = ("standard", "health")
DISTRIBUTIONS = ("triangular", "pert")
GAIN_SHARE_ON = ("fiscal", "cashable")
MAX_HORIZON = 60
MAX_DRAWS = 1_000_000


class ScenarioFileError(FileFaults):
    """A scenario file that cannot be used: each fault with its line; nothing was computed."""


@dataclass(frozen=True)
class Ranged:
    """A figure as a range: low, central and high, and where the figures come from."""

    low: float
    central: float
    high: float
    source: str = ""

    @classmethod
    def point(cls, value: float, source: str = "") -> Ranged:
        """Return a range of one value."""
        return cls(value, value, value, source)


@dataclass(frozen=True)
class LeverTable:
    """One ``[[levers]]`` table as written: its position, type, name and keys."""

    index: int
    kind: str
    name: str
    table: Mapping[str, Any]

    @property
    def path(self) -> KeyPath:
        """Return the key path of the table in the file (for line numbers)."""
        return ("levers", self.index)


@dataclass(frozen=True)
class ScenarioSpec:
    """A checked scenario file: the settings of the appraisal and its levers (checked later)."""

    path: Path
    name: str
    description: str
    baseline_year: int | None  # None: the latest year the count has
    start_year: int | None  # None: the year after the baseline
    horizon: int
    price_base: int | None  # None: the baseline year
    discount: str
    draws: int
    seed: int
    distribution: str
    gain_share_on: str
    levers: tuple[LeverTable, ...]
    text: str = field(repr=False, default="")


def scenario_path(workspace: Workspace, name: str) -> Path:
    """Return the file of scenario ``name`` (a name or a path to a .toml file)."""
    given = Path(name)
    if given.suffix == ".toml" and (given.is_absolute() or given.exists()):
        return given
    return workspace.root / SCENARIO_DIR / f"{_file_stem(name)}.toml"


def _file_stem(name: str) -> str:
    from totalplace.workspace.model import slugify

    return slugify(name.removesuffix(".toml")) or "scenario"


def scenario_names(workspace: Workspace) -> list[Path]:
    """Return the scenario files of the workspace, sorted by name."""
    folder = workspace.root / SCENARIO_DIR
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


class Reader:
    """Checks the values of one scenario file, collecting every fault with its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.checker = Checker(TomlLines(text))

    @property
    def problems(self) -> list[PlaceFileProblem]:
        """Return the faults noted so far."""
        return self.checker.problems

    def fault(self, path: KeyPath, message: str) -> None:
        """Note a fault at ``path``."""
        self.checker.fault(path, message)

    def unknown_keys(
        self, table: Mapping[str, Any], known: tuple[str, ...], path: KeyPath, where: str
    ) -> None:
        """Note each key of ``table`` not in ``known``, with the nearest suggested."""
        for key in table:
            if key not in known:
                self.fault((*path, key), f"unknown key {key!r} in {where}; {suggest(key, known)}")

    def text(self, table: Mapping[str, Any], key: str, path: KeyPath, default: str = "") -> str:
        """Return the text at ``key`` (``default`` if absent), noting a fault if it is not text."""
        if key not in table:
            return default
        value = table[key]
        if isinstance(value, str):
            return value.strip()
        self.fault((*path, key), f"{key} must be text in quotes, not {describe(value)}")
        return default

    def choice(
        self, table: Mapping[str, Any], key: str, path: KeyPath, allowed: tuple[str, ...]
    ) -> str:
        """Return the text at ``key`` if it is one of ``allowed`` (the first is the default)."""
        value = self.text(table, key, path, allowed[0])
        if value not in allowed:
            self.fault((*path, key), f"{key} = {value!r} is not one of {', '.join(allowed)}")
            return allowed[0]
        return value

    def whole(
        self, table: Mapping[str, Any], key: str, path: KeyPath, low: int, high: int, default: int
    ) -> int:
        """Return the whole number at ``key`` within ``low..high`` (``default`` if absent)."""
        if key not in table:
            return default
        found = self.checker.whole(table[key], (*path, key), key, low, high, "")
        return default if found is None else found

    def year(self, table: Mapping[str, Any], key: str, path: KeyPath) -> int | None:
        """Return the start year of the financial year at ``key`` ("2024-25"), or None if absent."""
        if key not in table:
            return None
        value = table[key]
        try:
            return parse_year(str(value))
        except ValueError:
            self.fault(
                (*path, key),
                f'{key} = {value!r} is not a financial year; write it as "2024-25"',
            )
            return None

    def ranged(
        self,
        table: Mapping[str, Any],
        key: str,
        path: KeyPath,
        *,
        default: Ranged | None = None,
        low: float | None = None,
        high: float | None = None,
        unit: str = "",
    ) -> Ranged | None:
        """Return the figure at ``key`` as a :class:`Ranged` (a point, [low, central, high] or a
        table); note a fault if it is missing without a default, not numbers, out of order or
        outside ``low..high`` (a rate: 0..1)."""
        at = (*path, key)
        if key not in table:
            if default is None:
                self.fault(at, f"{key} is missing; give it as a number or [low, central, high]")
            return default
        value = table[key]
        source = ""
        if isinstance(value, dict):
            self.unknown_keys(value, ("low", "central", "high", "source"), at, key)
            source = value.get("source", "") if isinstance(value.get("source", ""), str) else ""
            if "central" not in value:
                self.fault(
                    at, f"{key} needs a central value: {{ low = .., central = .., high = .. }}"
                )
                return None
            items = [value.get("low", value["central"]), value["central"]]
            items.append(value.get("high", value["central"]))
        elif isinstance(value, list):
            if len(value) != 3:
                self.fault(at, f"{key} has {len(value)} numbers; give [low, central, high]")
                return None
            items = list(value)
        else:
            items = [value, value, value]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in items):
            shown = describe(value)
            self.fault(at, f"{key} must be a number or [low, central, high], not {shown}")
            return None
        lo, mid, hi = (float(v) for v in items)
        if not lo <= mid <= hi:
            self.fault(
                at, f"{key} = [{lo:g}, {mid:g}, {hi:g}] is not in order low <= central <= high"
            )
            return None
        for bound, test, words in ((low, lo, "below"), (high, hi, "above")):
            if bound is not None and (test < bound if words == "below" else test > bound):
                what = (
                    "a rate from 0 to 1" if (low, high) == (0.0, 1.0) else f"from {low} to {high}"
                )
                hint = (
                    f" (write {test / 100:g} for {test:g}%)"
                    if words == "above" and test > 1
                    else ""
                )
                self.fault(at, f"{key} = {test:g} is {words} the allowed range: {what}{unit}{hint}")
                return None
        return Ranged(lo, mid, hi, source)


def read_scenario(path: Path) -> ScenarioSpec:
    """Return the checked settings and lever tables of a scenario file.

    Raises ScenarioFileError (every fault with its line) for a file that is missing,
    not TOML, or wrong; the levers' own keys are checked when the scenario is built.
    """
    if not path.is_file():
        raise ScenarioFileError(
            path,
            [
                PlaceFileProblem(
                    None,
                    "",
                    "no such scenario file; `totalplace scenario list` shows the scenarios, "
                    "`totalplace scenario new NAME` writes one",
                )
            ],
        )
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(
            path, [PlaceFileProblem(None, "", f"not valid TOML: {exc}")]
        ) from None
    reader = Reader(path, text)
    reader.unknown_keys(data, ("scenario", "levers"), (), "the file")
    head = data.get("scenario", {})
    if not isinstance(head, dict):
        reader.fault(("scenario",), "[scenario] must be a table of settings")
        head = {}
    reader.unknown_keys(head, SCENARIO_KEYS, ("scenario",), "[scenario]")
    at: KeyPath = ("scenario",)
    spec_levers: list[LeverTable] = []
    raw = data.get("levers", [])
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        reader.fault(("levers",), "levers must be [[levers]] tables")
        raw = []
    if not raw:
        reader.fault(("levers",), "the scenario has no [[levers]]; add at least one")
    for index, table in enumerate(raw):
        kind = reader.text(table, "type", ("levers", index))
        name = reader.text(table, "name", ("levers", index), kind or f"lever {index + 1}")
        if not kind:
            reader.fault(("levers", index), f"lever {index + 1} has no type")
        spec_levers.append(LeverTable(index, kind, name, table))
    names = [lever.name for lever in spec_levers]
    for lever in spec_levers:
        if names.count(lever.name) > 1:
            reader.fault(
                (*lever.path, "name"), f"two levers are named {lever.name!r}: name each once"
            )
    spec = ScenarioSpec(
        path=path,
        name=reader.text(head, "name", at, path.stem),
        description=reader.text(head, "description", at),
        baseline_year=reader.year(head, "baseline_year", at),
        start_year=reader.year(head, "start_year", at),
        horizon=reader.whole(head, "horizon", at, 1, MAX_HORIZON, 10),
        price_base=reader.year(head, "price_base", at),
        discount=reader.choice(head, "discount", at, DISCOUNTS),
        draws=reader.whole(head, "draws", at, 1, MAX_DRAWS, 10_000),
        seed=reader.whole(head, "seed", at, 0, 2**63 - 1, 1),
        distribution=reader.choice(head, "distribution", at, DISTRIBUTIONS),
        gain_share_on=reader.choice(head, "gain_share_on", at, GAIN_SHARE_ON),
        levers=tuple(spec_levers),
        text=text,
    )
    before = spec.baseline_year is not None and spec.start_year is not None
    if before and spec.start_year <= spec.baseline_year:  # type: ignore[operator]
        reader.fault(
            (*at, "start_year"),
            f"start_year {year_label(spec.start_year)} must come after the baseline year "
            f"{year_label(spec.baseline_year)}",
        )
    if reader.problems:
        raise ScenarioFileError(path, reader.problems)
    return spec
