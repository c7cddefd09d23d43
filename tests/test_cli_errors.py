"""The command line never shows a traceback: one handler, honest exit codes, logs for the unexpected."""

from __future__ import annotations

import errno
import json
import re
import sys
import tempfile
import tomllib
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.cli import commands as cli_module
from totalplace.errors import (
    EXIT_BUSY,
    EXIT_ENVIRONMENT,
    EXIT_INTERRUPTED,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    TotalplaceError,
)

ROOT = Path(__file__).resolve().parents[1]
HYNDBURN_APRIL = ROOT / "examples" / "hyndburn" / "data" / "hyndburn_bc" / "hyndburn_2024-04.csv"
runner = CliRunner()


def invoke(*args: str) -> typer.testing.Result:
    return runner.invoke(app, list(args))


def assert_clean_failure(result: typer.testing.Result, code: int | None = None) -> None:
    """A failure a user may see: a message, a non-zero exit code, and never a traceback."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code != 0 and result.output.strip()
    if code is not None:
        assert result.exit_code == code, result.output


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    """Return a workspace with one month of Hyndburn's payments imported."""
    ws = tmp_path / "ws"
    assert invoke("init", str(ws), "--place", "E07000120").exit_code == 0
    result = invoke(
        "import", "--partner", "Hyndburn Borough Council", str(HYNDBURN_APRIL), "-w", str(ws)
    )
    assert result.exit_code == 0, result.output
    return ws


def _boom(exc: BaseException):
    def raiser(*_args: object, **_kwargs: object) -> None:
        raise exc

    return raiser


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_workspace_log(
    imported: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("totalplace.count.count", _boom(ZeroDivisionError("boom in the count")))
    result = invoke("count", "-w", str(imported))
    assert_clean_failure(result, EXIT_UNEXPECTED)
    match = re.search(r"details are in (\S+error-\d{8}-\d{6}\.log)", result.output)
    assert match and "please report it" in result.output and "boom in the count" in result.output
    log = Path(match.group(1))
    assert log.parent == imported / ".totalplace" / "logs"
    text = log.read_text()
    assert "Traceback" in text and "ZeroDivisionError: boom in the count" in text


def test_an_unexpected_error_under_json_is_an_error_document(
    imported: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("totalplace.count.count", _boom(ValueError("odd")))
    result = invoke("count", "-w", str(imported), "--json")
    assert_clean_failure(result, EXIT_UNEXPECTED)
    doc = json.loads(result.stdout)
    assert "an unexpected problem" in doc["error"] and Path(doc["details"]["log"]).exists()


def test_without_a_workspace_the_log_goes_to_a_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("totalplace.workspace.open_workspace", _boom(RuntimeError("no ws")))
    result = invoke("count", "-w", str(tmp_path / "nowhere"), "--json")
    assert_clean_failure(result, EXIT_UNEXPECTED)
    log = Path(json.loads(result.stdout)["details"]["log"])
    assert log.parent == tmp_path / "tmp" / "totalplace-logs" and "no ws" in log.read_text()


def test_an_error_carrying_an_exit_code_keeps_it(imported: Path, monkeypatch: pytest.MonkeyPatch):
    class WarehouseBusy(TotalplaceError):
        exit_code = EXIT_BUSY

    busy = WarehouseBusy("another totalplace command (import) is using the warehouse: wait")
    monkeypatch.setattr("totalplace.count.count", _boom(busy))
    result = invoke("count", "-w", str(imported))
    assert_clean_failure(result, EXIT_BUSY)
    assert "another totalplace command" in result.output and "unexpected" not in result.output


def test_an_exit_code_on_an_error_of_another_kind_is_not_trusted(
    imported: Path, monkeypatch: pytest.MonkeyPatch
):
    class Foreign(Exception):  # not a TotalplaceError: a bug, whatever it claims
        exit_code = EXIT_BUSY

    monkeypatch.setattr("totalplace.count.count", _boom(Foreign("from elsewhere")))
    assert_clean_failure(invoke("count", "-w", str(imported)), EXIT_UNEXPECTED)


def test_a_caught_library_error_passes_its_exit_code_through_fail(
    imported: Path, monkeypatch: pytest.MonkeyPatch
):
    from totalplace.count import CountError

    class Damaged(CountError):
        exit_code = 3

    monkeypatch.setattr("totalplace.count.count", _boom(Damaged("rows without a live source")))
    assert_clean_failure(invoke("count", "-w", str(imported)), 3)


def _import_failed_by_ctrl_c() -> ImportError:
    """Return what a C extension's first import raises when Ctrl-C lands inside it."""
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as pressed:
            raise ImportError("initialization failed") from pressed
    except ImportError as failed:
        return failed


@pytest.mark.parametrize(
    "interrupt",
    [KeyboardInterrupt(), RuntimeError("Query interrupted"), _import_failed_by_ctrl_c()],
    ids=["python", "duckdb-query-interrupted", "engine-import-interrupted"],
)
def test_ctrl_c_before_anything_was_stored_exits_130(
    imported: Path, monkeypatch: pytest.MonkeyPatch, interrupt: BaseException
):
    # DuckDB reports a Ctrl-C during a query as its own RuntimeError, not KeyboardInterrupt.
    monkeypatch.setattr("totalplace.count.count", _boom(interrupt))
    result = invoke("count", "-w", str(imported))
    assert_clean_failure(result, EXIT_INTERRUPTED)
    assert "Interrupted: nothing was changed" in result.output


def test_ctrl_c_after_the_work_was_stored_exits_0_and_says_so(
    imported: Path, monkeypatch: pytest.MonkeyPatch
):
    class WarehouseInterrupted(KeyboardInterrupt):
        stored = True

    monkeypatch.setattr(
        "totalplace.count.count", _boom(WarehouseInterrupted("hyndburn_2024-04.csv was stored"))
    )
    result = invoke("count", "-w", str(imported))
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "Interrupted after the work was stored" in result.output


@pytest.mark.parametrize(
    "exc, words",
    [
        (OSError(errno.ENOSPC, "No space left on device"), "disk is full"),
        (OSError(errno.EROFS, "Read-only file system"), "read-only"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (
            duckdb.IOException('Could not write file "x.wal": No space left on device'),
            "disk is full",
        ),
        (duckdb.IOException("Cannot open file: Read-only file system"), "read-only"),
    ],
)
def test_a_full_read_only_or_forbidden_disk_is_an_environment_error(
    imported: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException, words: str
):
    monkeypatch.setattr("totalplace.count.count", _boom(exc))
    result = invoke("count", "-w", str(imported))
    assert_clean_failure(result, EXIT_ENVIRONMENT)
    assert words in result.output and "unexpected" not in result.output


def test_the_console_entry_point_handles_errors_outside_any_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(sys, "argv", ["totalplace", "count"])
    monkeypatch.setattr(cli_module, "app", _boom(KeyboardInterrupt()))
    with pytest.raises(SystemExit) as exit_:
        cli_module.main()
    assert exit_.value.code == EXIT_INTERRUPTED
    assert "Traceback" not in capsys.readouterr().err
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["totalplace"] == "totalplace.entry:main"


@pytest.mark.parametrize("raised", ["ctrl-c", "import-failed-by-ctrl-c"])
def test_ctrl_c_while_the_command_line_loads_exits_130_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], raised: str
):
    import builtins

    from totalplace import entry

    real_import = builtins.__import__

    def interrupted(name: str, *args: object, **kwargs: object) -> object:
        if name == "totalplace.cli":
            raise KeyboardInterrupt if raised == "ctrl-c" else _import_failed_by_ctrl_c()
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as exit_:
        entry.main()
    assert exit_.value.code == EXIT_INTERRUPTED
    assert "Interrupted: nothing was changed" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# Bounds and unknown names: clear errors, not empty tables or engine errors.


@pytest.mark.parametrize(
    "args, words",
    [
        (["link", "--top", "-5"], "--top"),
        (["classify", "--top", "0"], "--top"),
        (["opportunities", "--top", "-1"], "--top"),
        (["opportunities", "--back-office-saving", "5"], "between 0 and 1"),
        (["compare", "--n", "0"], "--n"),
        (["count", "--year", "1999-00"], "2024-25"),
        (["count", "--year", "twenty"], "2024-25"),
        (["count", "--by", "banana"], "'partner', 'ward'"),
        (["count", "--by", "ward", "--year", "1999-00"], "2024-25"),
        (["compare", "--theme", "Banana"], "'Older people'"),
        (["outturn", "Banana Council"], "'Hyndburn Borough Council'"),
        (["import", "--partner", "Banana Council"], "'Hyndburn Borough Council'"),
        (["count", "--export", "wards.txt"], ".xlsx"),
    ],
)
def test_bad_values_are_refused_with_what_is_valid(imported: Path, args: list[str], words: str):
    result = invoke(*args, "-w", str(imported))
    assert_clean_failure(result, EXIT_USAGE)
    assert words in result.output


def test_count_by_ward_writes_its_export(imported: Path, tmp_path: Path):
    target = tmp_path / "wards.csv"
    result = invoke("count", "--by", "ward", "--export", str(target), "-w", str(imported))
    assert result.exit_code == 0, result.output
    header = target.read_text().splitlines()[0]
    assert "ward_code" in header and "counted_amount" in header
    assert "Exported the ward count to" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["partner", "list"],
        ["import"],
        ["classify"],
        ["coverage"],
        ["wards"],
        ["link"],
        ["count-wards"],
    ],
)
def test_every_table_command_can_export_it(imported: Path, tmp_path: Path, args: list[str]):
    if args == ["import"]:
        args = ["import", "--partner", "Hyndburn Borough Council", str(HYNDBURN_APRIL)]
    if args in (["coverage"], ["count-wards"]):  # they read the count's tables: count first
        assert invoke("count", "--no-layers", "-w", str(imported)).exit_code == 0
    target = tmp_path / "table.xlsx"
    result = invoke(*args, "--export", str(target), "-w", str(imported))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0 and "Traceback" not in result.output


@pytest.mark.parametrize("spelling", ["2024", "FY2024/25"])
def test_every_spelling_of_a_year_shows_the_same_year(imported: Path, spelling: str):
    # One meaning of --year everywhere (totalplace.years): the start year names the year.
    usual = invoke("count", "--year", "2024-25", "-w", str(imported))
    other = invoke("count", "--year", spelling, "-w", str(imported))
    assert usual.exit_code == other.exit_code == 0, other.output
    assert other.output == usual.output and "2024-25" in other.output
