"""The public front: a notebook counts the Hyndburn example with ``import totalplace`` alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import totalplace
from tests.workspaces import one_year_example

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOK = textwrap.dedent(
    """
    import json, sys
    import totalplace as tp

    loaded_at_start = sorted(m for m in ("ibis", "duckdb", "pyarrow") if m in sys.modules)
    place = tp.open_place(sys.argv[1])
    reports = place.import_files()
    place.classify()
    counted = place.count()
    place.link()
    wards = place.count_by_ward()
    place.coverage()
    compared = place.compare(theme="Older people")
    found = place.opportunities()
    frame = place.table("count_by_partner_theme_year").to_pandas()
    try:
        place.table("no_such_table")
        missing = None
    except tp.TotalplaceError as exc:
        missing = str(exc)
    print(json.dumps({
        "loaded_at_start": loaded_at_start,
        "files": len(reports),
        "rows_loaded": sum(r.rows_loaded for r in reports),
        "count_total": str(sum(r["counted_amount"] for r in counted.rows)),
        "frame_total": str(frame["counted_amount"].sum()),
        "frame_rows": len(frame),
        "wards_reconcile": wards.reconciles,
        "compare_theme": compared.theme,
        "opportunity_years": sorted({s["financial_year"] for s in found.summary()}),
        "tables": place.tables(),
        "missing": missing,
    }))
    """
)


def test_the_public_names_are_the_notebook_ones_and_load_lazily():
    assert set(totalplace.__all__) == {
        "Place",
        "TotalplaceError",
        "WorkspaceError",
        "import_files",
        "init_place",
        "open_place",
        "table",
        "tables",
    }
    for name in totalplace.__all__:
        assert getattr(totalplace, name) is not None
    verbs = {"import_files", "classify", "link", "count", "count_by_ward", "coverage"}
    verbs |= {"compare", "opportunities", "table", "tables"}
    assert verbs <= set(dir(totalplace.Place))


def test_a_notebook_counts_the_hyndburn_example_with_the_public_names_only(tmp_path: Path):
    workspace = tmp_path / "hyndburn"
    one_year_example(workspace)  # its 2024-25 ledgers: the notebook counts one year
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, "-c", NOTEBOOK, str(workspace)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["loaded_at_start"] == []
    assert result["files"] > 0 and result["rows_loaded"] > 0
    assert result["count_total"] == result["frame_total"] and result["frame_rows"] > 0
    assert result["wards_reconcile"] is True
    assert result["compare_theme"] == "Older people"
    assert result["opportunity_years"] == ["2024-25"]
    for name in ("transactions", "classifications", "count_by_partner_theme_year", "suppliers"):
        assert name in result["tables"]
    assert (
        "no_such_table" in result["missing"]
        and "count_by_partner_theme_year" in (result["missing"])
    )
