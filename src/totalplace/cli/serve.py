"""``totalplace serve``: the partnership web service on this workspace (uvicorn).

Thin: it checks the options, builds the app with :func:`totalplace.web.create_app` and runs
it until Ctrl-C, which stops it cleanly (exit 0). Demo accounts (``--demo``) are allowed
only on a loopback address: their password is printed, so it is no secret.
"""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from totalplace.cli.options import WorkspaceOpt
from totalplace.cli.output import out, safe
from totalplace.cli.support import fail, failing

__all__ = ["serve_command"]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Create a demo account for each role (loopback addresses only)."
        ),
    ] = False,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="App-state database URL (default: SQLite in the workspace's .totalplace).",
        ),
    ] = None,
    https_only: Annotated[
        bool, typer.Option("--https-only", help="Mark session cookies Secure (behind a TLS proxy).")
    ] = False,
    workspace: WorkspaceOpt = Path("."),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the address and accounts as JSON before serving.")
    ] = False,
) -> None:
    """Serve the partnership web service for this workspace (Ctrl-C stops it)."""
    import json

    import uvicorn

    from totalplace.web import Settings, create_app
    from totalplace.web.demo import DEMO_PASSWORD

    if demo and not _loopback(host):
        fail(
            f"--demo accounts have a printed password: serve them on 127.0.0.1, not {host}", as_json
        )
    settings = Settings(
        workspace=workspace, database_url=database, demo=demo, https_only=https_only
    )
    with failing(as_json):
        app = create_app(settings)
    address = f"http://{'127.0.0.1' if host == 'localhost' else host}:{port}/"
    accounts = getattr(app.state, "demo_accounts", [])
    if as_json:
        print(json.dumps({"address": address, "demo_accounts": [
            {"email": e, "role": r, "password": DEMO_PASSWORD} for e, r in accounts]}))  # fmt: skip
    else:
        out.print(
            f"Serving {safe(app.state.workspace.place.name)} at [bold]{address}[/] (Ctrl-C stops it)"
        )
        for email, role in accounts:
            out.print(f"  {role:<14} {email}  password: {DEMO_PASSWORD}")
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn handles the first Ctrl-C itself
        uvicorn.Server(config).run()
    if not as_json:
        out.print("Stopped.")
