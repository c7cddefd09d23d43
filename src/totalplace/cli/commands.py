"""The ``totalplace`` application: every command registered on one Typer app, and ``main``.

Each command lives in the module of its stage (``totalplace.cli.<stage>``), a thin
layer that parses, calls one library function and renders. Those modules import only
Typer, Rich and the standard library at load time -- the library (Ibis, DuckDB, Arrow,
Splink ...) is imported inside the command that runs -- so ``totalplace --help`` starts
in a fraction of a second.
"""

from __future__ import annotations

import os
import sys

import typer

from totalplace.cli import assets as assets_cli
from totalplace.cli import boardpack as boardpack_cli
from totalplace.cli import check, classify, compare, count, coverage, ingest, link, wards
from totalplace.cli import economy as economy_cli
from totalplace.cli import integrity as integrity_cli
from totalplace.cli import opportunities as opportunities_cli
from totalplace.cli import outcomes as outcomes_cli
from totalplace.cli import reference as reference_cli
from totalplace.cli import trend as trend_cli
from totalplace.cli import workspace as workspace_cli
from totalplace.cli.handler import SafeGroup, commits_in_this_process, handle_exception
from totalplace.cli.journey import journey_app
from totalplace.cli.scenario import scenario_app
from totalplace.cli.serve import serve_command

__all__ = ["app", "main"]

app = typer.Typer(
    cls=SafeGroup,  # one top-level handler: no traceback ever reaches a user
    help="Count every pound of public money spent in a place, across every body that serves it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

# In the order a user runs them.
app.command("init")(workspace_cli.init_command)
partner_app = typer.Typer(
    help="List and add the bodies that serve the place.", no_args_is_help=True
)
partner_app.command("add")(workspace_cli.partner_add_command)
partner_app.command("list")(workspace_cli.partner_list_command)
app.add_typer(partner_app, name="partner")
app.command("import")(ingest.import_command)
app.command("classify")(classify.classify_command)
app.command("link")(link.link_command)
app.command("link-review")(link.link_review_command)
app.command("count")(count.count_command)
app.command("count-wards")(wards.ward_count_command)
app.command("wards")(wards.wards_command)
app.command("coverage")(coverage.coverage_command)
app.command("outturn")(coverage.outturn_command)
app.command("compare")(compare.compare_command)
app.command("opportunities")(opportunities_cli.opportunities_command)
app.command("assets")(assets_cli.assets_command)
app.command("economy")(economy_cli.economy_command)
app.command("trend")(trend_cli.trend_command)
app.command("outcomes")(outcomes_cli.outcomes_command)
app.command("integrity")(integrity_cli.integrity_command)
reference_app = typer.Typer(
    help="Load newer reference files of the published layouts.", no_args_is_help=True
)
reference_app.command("load")(reference_cli.reference_load_command)
app.add_typer(reference_app, name="reference")
app.add_typer(scenario_app, name="scenario")
app.add_typer(journey_app, name="journey")
app.command("board-pack")(boardpack_cli.board_pack_command)
app.command("check")(check.check_command)
app.command("serve")(serve_command)


def main() -> None:
    """Run the CLI (the ``totalplace`` entry point); nothing escapes as a traceback."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    start = commits_in_this_process()
    try:
        app()
    except (Exception, KeyboardInterrupt) as exc:  # outside any command (start-up, parsing)
        try:
            handle_exception(exc, sys.argv[1:], committed=commits_in_this_process() > start)
        except typer.Exit as done:
            sys.exit(done.exit_code)
