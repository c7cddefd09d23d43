"""Page figures are kept until the warehouse changes, per viewer, and never across workspaces."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.workspaces import EXAMPLE
from totalplace.web.access import PUBLIC, Viewer
from totalplace.web.cache import cached
from totalplace.workspace import open_workspace


def test_a_figure_is_computed_once_until_the_warehouse_changes(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    ws.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    ws.warehouse_path.write_bytes(b"stand-in for the warehouse file")
    calls: list[str] = []

    def compute() -> str:
        calls.append("x")
        return f"figures {len(calls)}"

    assert cached(ws, PUBLIC, "overview", (None,), compute) == "figures 1"
    assert cached(ws, PUBLIC, "overview", (None,), compute) == "figures 1"  # from memory
    analyst = Viewer("analyst", "Hyndburn Borough Council")
    assert cached(ws, analyst, "overview", (None,), compute) == "figures 2"  # another viewer
    assert cached(ws, PUBLIC, "overview", ("2023",), compute) == "figures 3"  # other arguments
    ws.warehouse_path.write_bytes(b"the warehouse after an import, a different size")
    os.utime(ws.warehouse_path, ns=(1, 10**18))
    assert (
        cached(ws, PUBLIC, "overview", (None,), compute) == "figures 4"
    )  # changed: computed again
