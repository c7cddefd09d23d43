"""The ``totalplace`` command line: one module per stage over the library's functions.

Typer and Rich are used here and nowhere else in totalplace (a test checks it). The
app and its entry point are :data:`totalplace.cli.commands.app` and :func:`main`.
"""

from __future__ import annotations

from totalplace.cli.commands import app, main

__all__ = ["app", "main"]
