"""The outcome tables and the view are the same on DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import json
from pathlib import Path

from tests.engines import Backend
from tests.outcomes.test_outcomes_view import _example
from totalplace.outcomes import outcomes
from totalplace.warehouse import connect


def _on(root: Path, url: str | None) -> dict[str, object]:
    ws = _example(root, url)
    view = outcomes(ws)
    con = connect(ws)
    try:
        rows = con.table("outcome_indicators").count().to_pyarrow().as_py()
        rejects = con.table("outcome_rejects").count().to_pyarrow().as_py()
    finally:
        con.disconnect()
    return {"doc": json.dumps(view.as_json(), default=str, sort_keys=True), "rows": (rows, rejects)}


def test_outcomes_are_the_same_on_every_engine(backend: Backend, tmp_path: Path) -> None:
    reference = _on(tmp_path / "reference", None)
    got = _on(tmp_path / backend.name, backend.url)
    assert got["rows"] == reference["rows"]
    assert got["doc"] == reference["doc"]
