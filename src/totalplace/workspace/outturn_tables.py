"""The [[outturns]] blocks of place.toml: published Revenue Outturn series of the bodies serving the place.

Each names the body (a name, or its ONS code) and its files (MHCLG Revenue Outturn
time-series files, e.g. ``outturns/hyndburn/revenue_trends.json``). Checked here, with
every fault's line, when a stage asks for them (``totalplace trend``), so
:func:`~totalplace.workspace.placefile.parse_place_text` stays as it is.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from totalplace.workspace.checks import Checker, describe
from totalplace.workspace.model import PLACE_FILE, Workspace, WorkspaceError
from totalplace.workspace.placefile import _message, _ordered
from totalplace.workspace.toml_lines import TomlLines

__all__ = ["OUTTURN_KEYS", "OutturnSeries", "check_outturns", "outturn_declarations"]

OUTTURN_KEYS = ("body", "files")
_EXAMPLE = (
    '[[outturns]] then body = "Hyndburn Borough Council" (or its ONS code, "E07000120") and '
    'files = ["outturns/hyndburn/revenue_trends.json"]'
)


@dataclass(frozen=True)
class OutturnSeries:
    """One [[outturns]] block: whose series (a name or ONS code) and its files (globs)."""

    body: str
    files: tuple[str, ...]


def check_outturns(checker: Checker, data: dict[str, Any]) -> list[OutturnSeries]:
    """Return the series of the [[outturns]] blocks, noting each fault."""
    items = data.get("outturns", [])
    if not isinstance(items, list):
        checker.fault(
            ("outturns",),
            f"outturns is {describe(items)}, but each body's series needs its own block with "
            f"double brackets: write {_EXAMPLE}",
        )
        return []
    found: list[OutturnSeries] = []
    for index, item in enumerate(items):
        path = ("outturns", index)
        if not isinstance(item, dict):
            checker.fault(
                path, f"outturn series number {index + 1} is {describe(item)}; {_EXAMPLE}"
            )
            continue
        where = f"[[outturns]] number {index + 1}"
        checker.unknown_keys(item, OUTTURN_KEYS, path, where)
        body = None
        if "body" not in item:
            checker.fault(
                path,
                f'{where} has no body; name whose outturn this is, e.g. body = "Lancashire '
                'County Council" or body = "E10000017"',
            )
        else:
            body = checker.text(item["body"], (*path, "body"), f"{where}: body", '"E07000120"')
        files: tuple[str, ...] = ()
        if "files" not in item:
            checker.fault(
                path,
                f"{where} has no files; list the outturn files, e.g. "
                'files = ["outturns/hyndburn/revenue_trends.json"]',
            )
        else:
            files = checker.texts(
                item["files"],
                (*path, "files"),
                f"{where}: files",
                '["outturns/hyndburn/revenue_trends.json"]',
            )
            if not files and isinstance(item["files"], list) and not item["files"]:
                checker.fault(
                    (*path, "files"),
                    f"{where}: files is empty; list at least one file, e.g. "
                    '["outturns/hyndburn/revenue_trends.json"]',
                )
        if body is not None and files:
            found.append(OutturnSeries(body=body, files=files))
    return found


def outturn_declarations(workspace: Workspace) -> list[OutturnSeries]:
    """Return the workspace's [[outturns]] series; WorkspaceError listing every fault with its line."""
    path = workspace.root / PLACE_FILE
    text = path.read_text(encoding="utf-8")
    checker = Checker(TomlLines(text))
    found = check_outturns(checker, tomllib.loads(text))
    if checker.problems:
        problems = _ordered(checker.problems)
        raise WorkspaceError(_message(path, problems), tuple(problems))
    return found
