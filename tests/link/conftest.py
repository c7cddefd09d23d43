"""Fixtures for the link stage: the bundled Hyndburn example, imported and linked once."""

from __future__ import annotations

import pytest

from tests.workspaces import imported_example
from totalplace.link import Register, link
from totalplace.workspace import Workspace


@pytest.fixture(scope="module")
def hyndburn(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return the bundled Hyndburn example workspace with its real files imported."""
    root = tmp_path_factory.mktemp("link") / "hyndburn"
    return imported_example(root)


@pytest.fixture(scope="module")
def hyndburn_register(hyndburn: Workspace) -> Register:
    """Return the register of the Hyndburn example (linked once per module)."""
    return link(hyndburn)
