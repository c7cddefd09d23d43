"""Collecting the faults of a place.toml: each with its line and key, and the checks of one value.

Nothing is coerced: numbers must be whole numbers in range, lists must be lists of
strings, every ONS code a known area of the kinds allowed, and an unknown key is an
error with the nearest known key suggested.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from totalplace.errors import BadInputError
from totalplace.workspace.areas import area_problem
from totalplace.workspace.model import Place, PlaceFileProblem, WorkspaceError
from totalplace.workspace.toml_lines import KeyPath, TomlLines

TOP_KEYS = ("place", "partners", "limits", "wards", "warehouse", "assets", "outturns", "outcomes")


def suggest(key: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"the keys allowed there are {', '.join(known)}"


def describe(value: object) -> str:
    """Return a TOML-ish description of a value for messages ('the text "x"', 'a list')."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class FileFaults(BadInputError):
    """A TOML file of the workspace (a scenario, a journey) that cannot be used: each fault with its line."""

    def __init__(self, path: Path, problems: list[PlaceFileProblem]) -> None:
        lines = [
            f"  {path.name}" + (f", line {p.line}" if p.line else "") + f": {p.message}"
            for p in problems
        ]
        super().__init__(
            f"{path} has {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
            "correct the file and run again (nothing was computed or written):\n" + "\n".join(lines)
        )
        self.path = path
        self.problems = tuple(problems)


def problems_message(path: Path, problems: list[PlaceFileProblem]) -> str:
    """Return one message naming ``path`` and each problem with its line, in line order."""

    def at(p: PlaceFileProblem) -> str:
        return f"line {p.line}: {p.message}" if p.line is not None else p.message

    if len(problems) == 1:
        (only,) = problems
        return f"{path}, {at(only)}" if only.line is not None else f"{path}: {only.message}"
    listed = "\n".join(f"  {at(p)}" for p in problems)
    return f"{path} has {len(problems)} problems:\n{listed}\nFix them and run the command again."


def in_line_order(problems: list[PlaceFileProblem]) -> list[PlaceFileProblem]:
    """Return ``problems`` sorted by line, those without a line last."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


class Checker:
    """Collects the faults of one place.toml (or one new partner), each with its line and key."""

    def __init__(self, lines: TomlLines | None) -> None:
        self.lines = lines
        self.problems: list[PlaceFileProblem] = []

    def raise_faults(self, path: Path) -> None:
        """Raise WorkspaceError listing every fault noted, in line order, if there is any."""
        if self.problems:
            problems = in_line_order(self.problems)
            raise WorkspaceError(problems_message(path, problems), tuple(problems))

    def fault(self, path: KeyPath, message: str) -> None:
        """Note a fault at ``path`` (its line found in the text, where there is one)."""
        line = self.lines.line(path) if self.lines is not None else None
        key = ".".join(str(p) for p in path if isinstance(p, str))
        self.problems.append(PlaceFileProblem(line, key, message))

    def unknown_keys(
        self, table: Mapping[str, Any], known: tuple[str, ...], path: KeyPath, where: str
    ) -> None:
        """Note a fault for each key of ``table`` not in ``known``, suggesting the nearest."""
        for key in table:
            if key in known:
                continue
            advice = suggest(key, known)
            if key in TOP_KEYS:  # e.g. partners = [...] written below [place]
                advice = (
                    f"{key} cannot go inside {where}: move it above the first [table] line, "
                    f"or write it as its own [{key}] table"
                )
                if key == "partners":
                    advice = (
                        "each partner needs its own [[partners]] block of name, sector, areas ..."
                    )
            self.fault((*path, key), f"unknown key {key!r} in {where}; {advice}")

    def whole(
        self,
        value: object,
        path: KeyPath,
        label: str,
        low: int,
        high: int | None,
        advice: str,
    ) -> int | None:
        """Return ``value`` if it is a whole number in ``low..high``, else note a fault and return None."""
        if isinstance(value, int) and not isinstance(value, bool):
            if value >= low and (high is None or value <= high):
                return value
            where = f"from {low} to {high}" if high is not None else f"{low} or more"
            self.fault(path, f"{label} = {value} is out of range: it must be {where}; {advice}")
            return None
        hint = ""
        if isinstance(value, str) and value.strip().isdigit():
            hint = f" (write {value.strip()} without quotes)"
        self.fault(path, f"{label} must be a whole number, not {describe(value)}{hint}; {advice}")
        return None

    def text(self, value: object, path: KeyPath, label: str, example: str) -> str | None:
        """Return ``value`` stripped if it is non-empty text, else note a fault and return None."""
        if isinstance(value, str) and value.strip():
            return value.strip()
        what = "empty" if isinstance(value, str) else f"{describe(value)}, not text"
        self.fault(path, f"{label} is {what}; write it in quotes, e.g. {example}")
        return None

    def texts(self, value: object, path: KeyPath, label: str, example: str) -> tuple[str, ...]:
        """Return ``value`` if it is a list of non-empty texts, else note a fault and return ()."""
        if isinstance(value, str):
            self.fault(
                path,
                f"{label} must be a list, e.g. {example} (in square brackets), "
                f"not the text {value!r}",
            )
            return ()
        if not isinstance(value, list):
            self.fault(path, f"{label} must be a list, e.g. {example}, not {describe(value)}")
            return ()
        found: list[str] = []
        for number, item in enumerate(value, 1):
            if isinstance(item, str) and item.strip():
                found.append(item.strip())
            else:
                what = "empty" if isinstance(item, str) else f"{describe(item)}, not text"
                self.fault(
                    path, f"item {number} of {label} is {what}; each item is text, e.g. {example}"
                )
        return tuple(found)

    def codes(
        self,
        value: object,
        path: KeyPath,
        label: str,
        kinds: tuple[str, ...],
        place: Place | None,
        example: str,
    ) -> tuple[str, ...]:
        """Return a list of known area codes of ``kinds`` (upper case), noting each unknown one."""
        found: list[str] = []
        for code in self.texts(value, path, label, example):
            problem = area_problem(code, kinds, place)
            if problem is None:
                found.append(code.upper())
            else:
                self.fault(path, f"{label}: {problem}")
        return tuple(found)

    def table(self, value: object, path: KeyPath, fault: str) -> dict[str, Any] | None:
        """Return ``value`` if it is a table, else note '<key> is <what it is><fault>' and return None."""
        if isinstance(value, dict):
            return value
        self.fault(path, f"{path[-1]} is {describe(value)}{fault}")
        return None
