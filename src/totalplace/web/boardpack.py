"""The board pack: the count, what it covers, the opportunities and chosen scenarios, as one
HTML document or a PDF (WeasyPrint, charts as SVG) for a board meeting.

It lives here, not in ``totalplace.report``: it shows the overview's own figures under the
overview's access rules (:func:`totalplace.web.views.overview` for a board member, so other
partners' small cells are suppressed and nothing below an aggregate is shown) and runs
scenarios, both above ``report`` in the layers. It needs no web server: the CLI's
``totalplace board-pack`` calls :func:`board_pack` too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from totalplace.money import ZERO
from totalplace.warehouse import has_table
from totalplace.web.access import Viewer
from totalplace.workspace import Workspace

__all__ = ["BOARD", "board_pack", "pack_context", "opportunities_summary", "run_documents"]

#: Who the pack is written for: a board member of no partner sees aggregates only.
BOARD = Viewer(role="board", name="Board pack")

#: Procurement categories listed in the pack (the largest by the place's spend).
TOP_CATEGORIES = 10

Runner = Callable[[str], dict[str, Any]]


def run_documents(ws: Workspace, names: Sequence[str], draws: int | None = None) -> Runner:
    """Return a function giving scenario ``name``'s run document (the file's seed; ``draws`` or the file's)."""
    from totalplace.scenario import document, run_scenario

    def run(name: str) -> dict[str, Any]:
        return document(run_scenario(ws, name, draws))

    return run


def opportunities_summary(ws: Workspace, year: int | None) -> dict[str, Any] | None:
    """Return the back-office functions (place spend and saving range, all partners together)
    and the largest shared procurement categories of ``year``; None if opportunities has not run."""
    from totalplace import stages
    from totalplace.warehouse import connect

    con = connect(ws, read_only=True)
    try:
        if not has_table(con, "opp_back_office") or stages.last_run(con, "opportunities") is None:
            return None
        stages.require(con, ws, "opportunities")
        bo = con.table("opp_back_office")
        if year is not None:
            bo = bo.filter(bo.fy_start_year == year)
        functions = (
            bo.group_by("function")
            .aggregate(
                partners=bo.partner.nunique(),
                place_amount=bo.place_amount.sum(),
                saving_low=bo.place_saving_low.sum(),
                saving_central=bo.place_saving_central.sum(),
                saving_high=bo.place_saving_high.sum(),
            )
            .order_by("function")
            .to_pyarrow()
            .to_pylist()
        )
        pr = con.table("opp_procurement")
        if year is not None:
            pr = pr.filter(pr.fy_start_year == year)
        categories = (
            pr.select(
                "category",
                "partners",
                "suppliers",
                "place_amount",
                "place_saving_low",
                "place_saving_central",
                "place_saving_high",
            )  # fmt: skip
            .order_by(pr.place_amount.desc())
            .limit(TOP_CATEGORIES)
            .to_pyarrow()
            .to_pylist()
        )
        shared = int(pr.count().to_pyarrow().as_py())
    finally:
        con.disconnect()

    def total(rows: list[dict[str, Any]], key: str) -> Decimal:
        return sum((r[key] or ZERO for r in rows), ZERO)

    return {
        "back_office": functions,
        "back_office_total": {
            k: total(functions, k)
            for k in ("place_amount", "saving_low", "saving_central", "saving_high")
        },
        "procurement": categories,
        "procurement_categories": shared,
    }


def _scenario_section(doc: dict[str, Any]) -> dict[str, Any]:
    """Return a scenario's document with its charts as SVG (the pack is read on paper)."""
    import vl_convert

    from totalplace.scenario.charts import charts

    drawn = {name: str(vl_convert.vegalite_to_svg(spec)) for name, spec in charts(doc).items()}
    return {"doc": doc, "svg": drawn}


def pack_context(
    ws: Workspace, scenarios: Sequence[str], run: Runner | None = None
) -> dict[str, Any]:
    """Return what the pack shows: the overview (for a board member), the opportunities'
    summaries and each chosen scenario's document with its charts; ``run`` gives a
    scenario's document (default: run with the file's draws and seed)."""
    from totalplace.scenario import list_scenarios
    from totalplace.web.views import overview

    place = overview(ws, BOARD)
    runner = run or run_documents(ws, scenarios)
    listed = [row for row in list_scenarios(ws)]
    return {
        "place": place,
        "opportunities": opportunities_summary(ws, place["fy_start_year"]),
        "scenarios": [_scenario_section(runner(name)) for name in scenarios],
        "scenario_files": listed,
        "made_on": date.today().isoformat(),
    }


def render_html(context: dict[str, Any]) -> str:
    """Return the pack as one HTML document (its print stylesheet inlined)."""
    from importlib import resources

    from totalplace.web.templating import templates

    css = resources.files("totalplace.web").joinpath("templates/print/board_pack.css")
    env = templates().env
    return env.get_template("print/board_pack.html").render(
        **context, css=css.read_text(encoding="utf-8")
    )


def board_pack(
    ws: Workspace,
    scenarios: Sequence[str],
    fmt: Literal["html", "pdf"],
    run: Runner | None = None,
) -> bytes:
    """Return the board pack as HTML (UTF-8) or PDF bytes: the count, coverage, opportunities
    and the chosen ``scenarios`` (names of ``scenarios/``).

    Raises the stage contract's StageNotRun/StageStale if the count has not run, and
    ScenarioFileError for a scenario file that cannot be used.
    """
    html = render_html(pack_context(ws, scenarios, run))
    if fmt == "html":
        return html.encode("utf-8")
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(ws.root)).write_pdf()
    return bytes(pdf or b"")
