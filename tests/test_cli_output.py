"""What the command line prints from user data is shown as typed: no escape sequences, no lost markup."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from totalplace.cli import app
from totalplace.cli.support import safe
from totalplace.errors import EXIT_BAD_INPUT

ROOT = Path(__file__).resolve().parents[1]
HYNDBURN_APRIL = ROOT / "examples" / "hyndburn" / "data" / "hyndburn_bc" / "hyndburn_2024-04.csv"
CLEAR_SCREEN = "a\x1b[2Jb"
WINDOW_TITLE = "c\x1b]0;pwned\x07d"
MARKUP = "markup[bold red]x"
runner = CliRunner()


def printed(text: str) -> str:
    """Return what a terminal shows when ``text`` is printed through Rich."""
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(text)
    return buffer.getvalue().rstrip("\n")


@pytest.mark.parametrize(
    "raw, shown",
    [
        (CLEAR_SCREEN, "a\\x1b[2Jb"),
        (WINDOW_TITLE, "c\\x1b]0;pwned\\x07d"),
        ("x\x9bm", "x\\x9bm"),  # a C1 control: the one-byte CSI
        ("evil\u202etxt.csv", "evil\\u202etxt.csv"),  # right-to-left override
        (MARKUP + ".csv", MARKUP + ".csv"),
        ("[/x].csv", "[/x].csv"),
        ("two\nlines", "two\\x0alines"),
        (None, ""),
    ],
)
def test_safe_text_prints_exactly_as_typed(raw: str | None, shown: str):
    assert printed(safe(raw)) == shown


def test_error_messages_keep_their_line_breaks_but_not_escapes():
    assert printed(safe("line one\nline \x1b[31mtwo", keep_newlines=True)) == (
        "line one\nline \\x1b[31mtwo"
    )


def _no_raw_controls(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output and "Traceback" not in output


@pytest.fixture
def hostile_files(tmp_path: Path) -> list[Path]:
    """Return copies of a real file under names with escape sequences and Rich markup."""
    folder = tmp_path / "files"
    folder.mkdir()
    names = [f"{CLEAR_SCREEN}.csv", f"{WINDOW_TITLE}.csv", f"{MARKUP}.csv"]
    paths = []
    for i, name in enumerate(names):
        path = folder / name
        # Different months' files so that none is a duplicate of another.
        shutil.copy(HYNDBURN_APRIL.with_name(f"hyndburn_2024-0{i + 4}.csv"), path)
        paths.append(path)
    return paths


def test_import_table_shows_hostile_file_names_as_typed(
    tmp_path: Path, hostile_files: list[Path], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(hostile_files[0].parent)  # names shown relative to here: one line each
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws), "--place", "E07000120"])
    result = runner.invoke(
        app,
        [
            "import",
            "--partner",
            "Hyndburn Borough Council",
            *map(str, hostile_files),
            "-w",
            str(ws),
        ],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.output)
    assert "a\\x1b[2Jb.csv" in result.output
    assert "c\\x1b]0;pwned\\x07d.csv" in result.output
    assert "markup[bold red]x.csv" in result.output


def test_import_problems_show_hostile_file_names_as_typed(tmp_path: Path):
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws), "--place", "E07000120"])
    missing = tmp_path / f"[/x]{CLEAR_SCREEN}{MARKUP}.csv"
    result = runner.invoke(
        app,
        ["import", "--partner", "X Council", str(missing), "-w", str(ws)],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == EXIT_BAD_INPUT
    _no_raw_controls(result.output)
    assert "[/x]a\\x1b[2Jbmarkup[bold red]x.csv" in result.output.replace("\n", "")


def test_a_zip_member_named_like_markup_imports_without_a_markup_error(tmp_path: Path):
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws), "--place", "E07000120"])
    archive = tmp_path / "payments.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(HYNDBURN_APRIL, "[/x].csv")
        z.write(HYNDBURN_APRIL.with_name("hyndburn_2024-05.csv"), f"{CLEAR_SCREEN}.csv")
    result = runner.invoke(
        app,
        ["import", "--partner", "Hyndburn Borough Council", str(archive), "-w", str(ws)],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.output)
    assert "[/x].csv" in result.output
    doc = json.loads(
        runner.invoke(
            app,
            [
                "import",
                "--partner",
                "Hyndburn Borough Council",
                str(archive),
                "-w",
                str(ws),
                "--json",
            ],
        ).stdout
    )
    assert {f["status"] for f in doc["files"]} == {"unchanged"}


def test_a_place_name_with_markup_prints_as_typed(tmp_path: Path):
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws), "--place", "E07000120", "--name", "[red]Hynd[/red]burn"])
    runner.invoke(
        app, ["import", "--partner", "Hyndburn Borough Council", str(HYNDBURN_APRIL), "-w", str(ws)]
    )
    result = runner.invoke(app, ["count", "-w", str(ws), "--no-layers"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.output)
    assert "[red]Hynd[/red]burn" in result.output
