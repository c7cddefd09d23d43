"""Largest-remainder rounding, kept here for the needs stage (it lives in ``totalplace.allocate``)."""

from totalplace.allocate import allocate

__all__ = ["allocate"]
