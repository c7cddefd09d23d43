"""The reliability quick subset: marked ``reliability`` so that ``-m "not reliability"`` skips it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The experiments are the package tests.reliability (also run as python -m tests.reliability):
# make it importable however pytest was started.
ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability: the quick subset of the reliability experiments (slow-ish, CLI)"
    )
