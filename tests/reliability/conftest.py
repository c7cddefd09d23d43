"""The reliability quick subset: marked ``reliability`` so that ``-m "not reliability"`` skips it."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability: the quick subset of the reliability experiments (slow-ish, CLI)"
    )
