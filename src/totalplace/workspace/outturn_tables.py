"""The [[outturns]] blocks of place.toml: published Revenue Outturn series of the bodies serving the place.

Each names the body (a name, or its ONS code) and its files (MHCLG Revenue Outturn
time-series files, e.g. ``outturns/hyndburn/revenue_trends.json``). Checked here, with
every fault's line, when a stage asks for them (``totalplace trend``), so
:func:`~totalplace.workspace.placefile.parse_place_text` stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from totalplace.workspace.checks import Checker
from totalplace.workspace.file_tables import block_files, blocks, declared
from totalplace.workspace.model import Workspace

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
    found: list[OutturnSeries] = []
    for path, where, item in blocks(
        checker, data, "outturns", OUTTURN_KEYS, "outturn series", _EXAMPLE
    ):
        body = None
        if "body" not in item:
            checker.fault(
                path,
                f'{where} has no body; name whose outturn this is, e.g. body = "Lancashire '
                'County Council" or body = "E10000017"',
            )
        else:
            body = checker.text(item["body"], (*path, "body"), f"{where}: body", '"E07000120"')
        files = block_files(
            checker,
            item,
            path,
            where,
            "the outturn files",
            '["outturns/hyndburn/revenue_trends.json"]',
        )
        if body is not None and files:
            found.append(OutturnSeries(body=body, files=files))
    return found


def outturn_declarations(workspace: Workspace) -> list[OutturnSeries]:
    """Return the workspace's [[outturns]] series; WorkspaceError listing every fault with its line."""
    return declared(workspace, check_outturns)
