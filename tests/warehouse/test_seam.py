"""The Hyndburn example imported on DuckDB, PostgreSQL and Spark: the same warehouse, to the penny.

One coarse run per engine (Spark is slow per query): import through the real command
line, compare with a DuckDB import row for row, import again (unchanged), fail half-way
(nothing read changes), and check.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from totalplace import warehouse
from totalplace.cli import app
from totalplace.ingest import import_files, staging
from totalplace.workspace import Workspace, open_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"
runner = CliRunner()

# What every stage reads, in an order every engine gives the same (imported_at aside).
SOURCES = (
    "SELECT partner, source_hash, source_file, sheet, sheet_index, format, encoding, "
    "delimiter, mapping, notes, fingerprint, rows_read, rows_loaded, rows_quarantined, "
    "amount_loaded, amount_quarantined, profile_hash, evidence FROM sources"
)
VIEWS = {
    "sources": SOURCES,
    "transactions": "SELECT * FROM transactions",
    "quarantine": "SELECT * FROM quarantine",
}


def make_workspace(root: Path, url: str | None) -> Workspace:
    """Copy the Hyndburn example to ``root``, its place.toml naming the warehouse ``url``."""
    shutil.copytree(EXAMPLE, root)
    if url:
        with (root / "place.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[warehouse]\nurl = "{url}"\n')
    return open_workspace(root)


def snapshot(ws: Workspace, queries: dict[str, str] = VIEWS) -> dict[str, list[Any]]:
    """Return each query's rows as sorted Python values (Decimal amounts, dates)."""
    con = warehouse.connect(ws, check=False)
    try:
        found = {}
        for name, sql in queries.items():
            table = warehouse.run_sql(con, sql)
            assert table is not None
            found[name] = sorted(
                (tuple(row.items()) for row in table.to_pylist()), key=lambda r: repr(r)
            )
        return found
    finally:
        con.disconnect()


def cli(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, list(args))
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """The example imported into the default DuckDB warehouse, by the library."""
    ws = make_workspace(tmp_path_factory.mktemp("reference") / "ws", None)
    for partner in ws.partners:
        import_files(ws, partner.name, ws.source_files(partner))
    return snapshot(ws)


def test_the_example_imports_the_same_on_every_engine(
    backend: Any, tmp_path: Path, reference: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path / "ws", backend.url)
    code, out = cli("import", "--workspace", str(ws.root), "--json")
    assert code == 0, out
    assert {f["status"] for f in out["files"]} == {"loaded"}
    stored = snapshot(ws)
    assert len(stored["transactions"]) > 10_000 and stored["quarantine"]
    for name in VIEWS:
        assert stored[name] == reference[name], f"{name} differs on {backend.name}"

    # Again: every file unchanged, nothing changed.
    code, out = cli("import", "--workspace", str(ws.root), "--json")
    assert code == 0, out
    assert {f["status"] for f in out["files"]} == {"unchanged"}
    assert snapshot(ws) == stored

    # A file changed, and the store fails after writing its rows, before their record.
    changed = ws.root / "data" / "hyndburn_bc" / "hyndburn_2024-04.csv"
    changed.write_bytes(changed.read_bytes().replace(b"309.25", b"309.26", 1))
    base = {t: f"SELECT count(*) AS n FROM {t}" for t in ("transaction_rows", "quarantine_rows")}
    before_rows = snapshot(ws, base)

    def failing(*args: Any) -> None:  # the rows are written; their records are not
        raise RuntimeError("disk went away")

    monkeypatch.setattr(staging, "replace_rows", failing)
    with pytest.raises(RuntimeError, match="disk went away"):
        import_files(ws, ws.partners[0].name, ws.source_files(ws.partners[0]))
    monkeypatch.undo()
    assert snapshot(ws) == stored  # what every stage reads is as it was
    code, out = cli("check", "--workspace", str(ws.root), "--json")
    assert code == 0 and out["sound"], out
    if backend.name == "spark":  # no rollback: the rows stay, unread, until the next import
        assert snapshot(ws, base) != before_rows and not out["clean"]
    else:  # rolled back
        assert snapshot(ws, base) == before_rows and out["clean"]

    # The next import replaces the file and clears what the failure left.
    code, out = cli("import", "--workspace", str(ws.root), "--json")
    assert code == 0
    assert [f["status"] for f in out["files"] if f["file"].endswith("2024-04.csv")] == ["replaced"]
    code, out = cli("check", "--workspace", str(ws.root), "--json")
    assert code == 0 and out["sound"] and out["clean"], out
    amounts = {
        row["source_file"]: row["amount_found"]
        for row in out["sources"]
        if row["source_file"].endswith("2024-04.csv")
    }
    assert len(amounts) == 1
