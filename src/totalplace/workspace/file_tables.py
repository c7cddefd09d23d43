"""Blocks of place.toml that list files: [[assets]], [[outturns]], [[outcomes]] ... checked alike.

Each such key holds a list of tables (double brackets), each with a ``files`` list and
a few other keys. :func:`blocks` walks them, noting the faults common to all (not a list,
not a table, unknown keys); :func:`block_files` reads a block's ``files``;
:func:`declared` checks one kind of block when a stage asks for it, so
:func:`~totalplace.workspace.placefile.parse_place_text` stays as it is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from totalplace.workspace.checks import Checker, describe
from totalplace.workspace.model import PLACE_FILE, Workspace
from totalplace.workspace.toml_lines import KeyPath, TomlLines

__all__ = ["block_files", "blocks", "declared"]

T = TypeVar("T")


def blocks(
    checker: Checker, data: dict[str, Any], key: str, keys: tuple[str, ...], noun: str, example: str
) -> Iterator[tuple[KeyPath, str, dict[str, Any]]]:
    """Yield (path, 'where' words, table) for each [[key]] block, noting the faults of its shape.

    ``noun`` names one block in messages ("asset register"); ``example`` shows a good one.
    """
    items = data.get(key, [])
    if not isinstance(items, list):
        checker.fault(
            (key,),
            f"{key} is {describe(items)}, but each {noun} needs its own block with double "
            f"brackets: write {example}",
        )
        return
    for index, item in enumerate(items):
        path: KeyPath = (key, index)
        if not isinstance(item, dict):
            checker.fault(path, f"{noun} number {index + 1} is {describe(item)}; {example}")
            continue
        where = f"[[{key}]] number {index + 1}"
        checker.unknown_keys(item, keys, path, where)
        yield path, where, item


def block_files(
    checker: Checker, item: dict[str, Any], path: KeyPath, where: str, what: str, example: str
) -> tuple[str, ...]:
    """Return the block's ``files`` (globs), noting a fault if missing, not text, or empty.

    ``what`` says what the files are ("the register files"); ``example`` is a files list.
    """
    if "files" not in item:
        checker.fault(path, f"{where} has no files; list {what}, e.g. files = {example}")
        return ()
    files = checker.texts(item["files"], (*path, "files"), f"{where}: files", example)
    if not files and isinstance(item["files"], list) and not item["files"]:
        checker.fault(
            (*path, "files"), f"{where}: files is empty; list at least one file, e.g. {example}"
        )
    return files


def declared(workspace: Workspace, check: Callable[[Checker, dict[str, Any]], list[T]]) -> list[T]:
    """Return what ``check`` finds in the workspace's place.toml; WorkspaceError listing every fault."""
    path = workspace.root / PLACE_FILE
    text = path.read_text(encoding="utf-8")
    checker = Checker(TomlLines(text))
    found = check(checker, tomllib.loads(text))
    checker.raise_faults(path)
    return found
