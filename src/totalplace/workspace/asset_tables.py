"""The [[assets]] blocks of place.toml: the land and building registers of the bodies serving the place.

Each names the body (a partner, or another public body such as the NHS GP practices)
and its register files; ``areas`` optionally says which districts (or a county) a
register's assets lie in, for files whose rows name no district.
"""

from __future__ import annotations

from typing import Any

from totalplace.workspace.checks import Checker, describe
from totalplace.workspace.model import AssetRegister

ASSET_KEYS = ("body", "files", "areas")
_AREA_KINDS = ("district", "county")
_EXAMPLE = '[[assets]] then body = "Lancashire County Council" and files = ["data/assets/lcc.json"]'


def check_assets(checker: Checker, data: dict[str, Any]) -> list[AssetRegister]:
    """Return the registers of the [[assets]] blocks, noting each fault."""
    items = data.get("assets", [])
    if not isinstance(items, list):
        checker.fault(
            ("assets",),
            f"assets is {describe(items)}, but each register needs its own block with double "
            f"brackets: write {_EXAMPLE}",
        )
        return []
    found: list[AssetRegister] = []
    for index, item in enumerate(items):
        path = ("assets", index)
        if not isinstance(item, dict):
            checker.fault(
                path, f"asset register number {index + 1} is {describe(item)}; {_EXAMPLE}"
            )
            continue
        where = f"[[assets]] number {index + 1}"
        checker.unknown_keys(item, ASSET_KEYS, path, where)
        body = None
        if "body" not in item:
            checker.fault(
                path,
                f'{where} has no body; name whose buildings these are, e.g. body = "Hyndburn '
                'Borough Council" (a partner) or body = "NHS GP practices"',
            )
        else:
            body = checker.text(
                item["body"], (*path, "body"), f"{where}: body", '"NHS GP practices"'
            )
        files: tuple[str, ...] = ()
        if "files" not in item:
            checker.fault(
                path,
                f'{where} has no files; list the register files, e.g. files = ["data/assets/*.csv"]',
            )
        else:
            files = checker.texts(
                item["files"], (*path, "files"), f"{where}: files", '["data/assets/lcc.json"]'
            )
            if not files and isinstance(item["files"], list) and not item["files"]:
                checker.fault(
                    (*path, "files"),
                    f'{where}: files is empty; list at least one file, e.g. ["data/assets/lcc.json"]',
                )
        areas = checker.codes(
            item.get("areas", []),
            (*path, "areas"),
            f"{where}: areas",
            _AREA_KINDS,
            None,
            'areas = ["E07000120"]',
        )
        if body is not None and files:
            found.append(AssetRegister(body=body, files=files, areas=areas))
    return found
