"""Naming the warehouse's engine: place.toml's [warehouse] url or TOTALPLACE_WAREHOUSE_URL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.workspace import WorkspaceError, open_workspace
from totalplace.workspace.engine_url import ENV_VAR, mask, parse

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hyndburn"
runner = CliRunner()


def workspace(tmp_path: Path, warehouse: str = "") -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root)
    if warehouse:
        with (root / "place.toml").open("a", encoding="utf-8") as f:
            f.write(f"\n[warehouse]\n{warehouse}\n")
    return root


def run(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, [*args, "--json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(
    ("url", "engine", "where"),
    [
        (None, "duckdb", ""),
        ("duckdb:///srv/w.duckdb", "duckdb", "/srv/w.duckdb"),
        ("postgresql://tp:pw@db.example.org:6543/hyndburn", "postgres", "hyndburn"),
        ("postgres://db.example.org/hyndburn", "postgres", "hyndburn"),
        ("spark-local", "spark", "totalplace"),
        ("spark-local:///hyndburn", "spark", "hyndburn"),
        ("spark://master.example.org:7077/england", "spark", "england"),
    ],
)
def test_each_url_form_names_its_engine(url: str | None, engine: str, where: str) -> None:
    found = parse(url)
    assert found.engine == engine
    assert where == (found.path if engine == "duckdb" else found.database)
    if url and url.startswith("spark://"):
        assert found.master == "spark://master.example.org:7077"


def test_a_password_is_never_shown() -> None:
    assert mask("postgresql://tp:s3cret@db/x") == "postgresql://tp:***@db/x"
    assert mask("postgresql://tp@db/x") == "postgresql://tp@db/x"
    with pytest.raises(ValueError) as caught:
        parse("postgresql://tp:s3cret@db.example.org/")
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        ('url = "mysql://db/x"', "names no engine totalplace knows; use duckdb:///"),
        ("url = 5", "[warehouse] url is the number 5, not text"),
        ('uri = "spark-local"', "unknown key 'uri' in [warehouse]; did you mean 'url'?"),
    ],
)
def test_a_wrong_warehouse_table_is_a_place_toml_error_with_its_line(
    tmp_path: Path, lines: str, said: str
) -> None:
    root = workspace(tmp_path, lines)
    with pytest.raises(WorkspaceError) as caught:
        open_workspace(root)
    assert said in str(caught.value)
    assert caught.value.problems and caught.value.problems[0].line is not None
    code, out = run("check", "--workspace", str(root))
    assert code == 6 and said in out["error"]  # a workspace error, not a traceback


def test_the_environment_wins_and_an_unreachable_server_is_exit_5_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = workspace(tmp_path, 'url = "spark-local"')
    monkeypatch.setenv(ENV_VAR, "postgresql://tp:s3cret@127.0.0.1:1/hyndburn")
    assert open_workspace(root).warehouse_url == "postgresql://tp:s3cret@127.0.0.1:1/hyndburn"
    code, out = run("check", "--workspace", str(root))
    assert code == 5, out
    assert (
        "s3cret" not in json.dumps(out)
        and "postgresql://tp:***@127.0.0.1:1/hyndburn" in out["error"]
    )
    assert "pg_isready" in out["error"]
    monkeypatch.setenv(ENV_VAR, "oracle://x")
    code, out = run("check", "--workspace", str(root))
    assert code == 6 and ENV_VAR in out["error"] and "names no engine" in out["error"]


def test_a_missing_postgres_database_says_to_create_it(
    tmp_path: Path, postgres_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = workspace(tmp_path)
    monkeypatch.setenv(ENV_VAR, postgres_server.url("no_such_db"))
    code, out = run("import", "--workspace", str(root))
    assert code == 5 and "createdb" in out["error"] and "no_such_db" in out["error"], out
