"""The [[outcomes]] blocks of place.toml: outcome indicator files to set beside spending.

Each lists files (``files = ["outcomes/*.csv"]``, relative to the workspace) of the
ONS Explore Local Statistics or Oflog adult social care layouts, and optionally names
the publisher (``source``). Checked here, with every fault's line, when a stage asks
for them (``totalplace outcomes``), so
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

__all__ = ["OUTCOME_KEYS", "OutcomeFiles", "check_outcomes", "outcome_declarations"]

OUTCOME_KEYS = ("files", "source")
_EXAMPLE = '[[outcomes]] then files = ["outcomes/*.csv"] (and optionally source = "ONS")'


@dataclass(frozen=True)
class OutcomeFiles:
    """One [[outcomes]] block: its files (globs relative to the workspace) and who published them."""

    files: tuple[str, ...]
    source: str | None = None


def check_outcomes(checker: Checker, data: dict[str, Any]) -> list[OutcomeFiles]:
    """Return the [[outcomes]] blocks, noting each fault."""
    items = data.get("outcomes", [])
    if not isinstance(items, list):
        checker.fault(
            ("outcomes",),
            f"outcomes is {describe(items)}, but each set of files needs its own block with "
            f"double brackets: write {_EXAMPLE}",
        )
        return []
    found: list[OutcomeFiles] = []
    for index, item in enumerate(items):
        path = ("outcomes", index)
        if not isinstance(item, dict):
            checker.fault(path, f"outcome block number {index + 1} is {describe(item)}; {_EXAMPLE}")
            continue
        where = f"[[outcomes]] number {index + 1}"
        checker.unknown_keys(item, OUTCOME_KEYS, path, where)
        source = None
        if "source" in item:
            source = checker.text(item["source"], (*path, "source"), f"{where}: source", '"ONS"')
        if "files" not in item:
            checker.fault(
                path,
                f'{where} has no files; list the indicator files, e.g. files = ["outcomes/*.csv"]',
            )
            continue
        files = checker.texts(
            item["files"], (*path, "files"), f"{where}: files", '["outcomes/*.csv"]'
        )
        if not files and isinstance(item["files"], list) and not item["files"]:
            checker.fault(
                (*path, "files"),
                f'{where}: files is empty; list at least one file, e.g. ["outcomes/*.csv"]',
            )
        if files:
            found.append(OutcomeFiles(files=files, source=source))
    return found


def outcome_declarations(workspace: Workspace) -> list[OutcomeFiles]:
    """Return the workspace's [[outcomes]] blocks; WorkspaceError listing every fault with its line."""
    path = workspace.root / PLACE_FILE
    text = path.read_text(encoding="utf-8")
    checker = Checker(TomlLines(text))
    found = check_outcomes(checker, tomllib.loads(text))
    if checker.problems:
        problems = _ordered(checker.problems)
        raise WorkspaceError(_message(path, problems), tuple(problems))
    return found
