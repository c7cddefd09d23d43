"""The [[outcomes]] blocks of place.toml: outcome indicator files to set beside spending.

Each lists files (``files = ["outcomes/*.csv"]``, relative to the workspace) of the
ONS Explore Local Statistics or Oflog adult social care layouts, and optionally names
the publisher (``source``). Checked here, with every fault's line, when a stage asks
for them (``totalplace outcomes``), so
:func:`~totalplace.workspace.placefile.parse_place_text` stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from totalplace.workspace.checks import Checker
from totalplace.workspace.file_tables import block_files, blocks, declared
from totalplace.workspace.model import Workspace

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
    found: list[OutcomeFiles] = []
    for path, where, item in blocks(
        checker, data, "outcomes", OUTCOME_KEYS, "outcome block", _EXAMPLE
    ):
        source = None
        if "source" in item:
            source = checker.text(item["source"], (*path, "source"), f"{where}: source", '"ONS"')
        files = block_files(checker, item, path, where, "the indicator files", '["outcomes/*.csv"]')
        if files:
            found.append(OutcomeFiles(files=files, source=source))
    return found


def outcome_declarations(workspace: Workspace) -> list[OutcomeFiles]:
    """Return the workspace's [[outcomes]] blocks; WorkspaceError listing every fault with its line."""
    return declared(workspace, check_outcomes)
