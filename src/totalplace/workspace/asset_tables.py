"""The [[assets]] blocks of place.toml: the land and building registers of the bodies serving the place.

Each names the body (a partner, or another public body such as the NHS GP practices)
and its register files; ``areas`` optionally says which districts (or a county) a
register's assets lie in, for files whose rows name no district.
"""

from __future__ import annotations

from typing import Any

from totalplace.workspace.checks import Checker
from totalplace.workspace.file_tables import block_files, blocks
from totalplace.workspace.model import AssetRegister

ASSET_KEYS = ("body", "files", "areas")
_AREA_KINDS = ("district", "county")
_EXAMPLE = '[[assets]] then body = "Lancashire County Council" and files = ["data/assets/lcc.json"]'


def check_assets(checker: Checker, data: dict[str, Any]) -> list[AssetRegister]:
    """Return the registers of the [[assets]] blocks, noting each fault."""
    found: list[AssetRegister] = []
    for path, where, item in blocks(
        checker, data, "assets", ASSET_KEYS, "asset register", _EXAMPLE
    ):
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
        files = block_files(
            checker, item, path, where, "the register files", '["data/assets/lcc.json"]'
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
