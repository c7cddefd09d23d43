"""The ``totalplace`` console entry point, kept tiny so Ctrl-C during start-up exits cleanly.

Loading the command line (Typer, Rich, the stages) takes a moment; a Ctrl-C in that
moment would otherwise end in a KeyboardInterrupt traceback before any handler exists.
"""

from __future__ import annotations

import signal
import sys


def main() -> None:
    """Load and run the command line; exit 130 if interrupted while loading (nothing done)."""
    from totalplace.errors import EXIT_INTERRUPTED, caused_by_ctrl_c

    try:
        from totalplace.cli import main as run
    except (KeyboardInterrupt, ImportError) as exc:
        if not caused_by_ctrl_c(exc):
            raise
        sys.stderr.write("Interrupted: nothing was changed.\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    try:
        run()
    finally:
        # The outcome is decided and reported: a Ctrl-C while the interpreter shuts down
        # (joining parse threads, closing files) must not turn it into a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
