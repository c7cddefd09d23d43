"""Every command, with bad arguments of every kind, fails with a message and a non-zero code — never a traceback.

The commands are found by walking the Typer app, so a new command is covered the day it is added.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from totalplace.cli import app

ROOT = Path(__file__).resolve().parents[1]
HYNDBURN_APRIL = ROOT / "examples" / "hyndburn" / "data" / "hyndburn_bc" / "hyndburn_2024-04.csv"
runner = CliRunner()


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    commands = getattr(group, "commands", None)
    if commands is None:
        yield path, group
        return
    for name, command in sorted(commands.items()):
        yield from _commands(command, (*path, name))


COMMANDS = dict(_commands(typer.main.get_command(app)))


def test_the_walk_finds_every_command():
    names = {" ".join(path) for path in COMMANDS}
    assert {
        "import",
        "count",
        "link",
        "opportunities",
        "assets",
        "economy",
        "trend",
        "outcomes",
        "integrity",
        "scenario run",
        "scenario compare",
        "journey run",
        "compare",
        "partner add",
        "reference load",
    } <= names


#: Commands with a true answer before anything is imported: the partners, the wards, the
#: top-down estimates (coverage), empty classification and register (classify, link),
#: the check of an empty warehouse (nothing stored is sound), and the scenarios there are.
NEED_NOTHING_IMPORTED = {
    ("partner", "add"),
    ("partner", "list"),
    ("wards",),
    ("coverage",),
    ("classify",),
    ("link",),
    ("check",),
    ("scenario", "list"),  # "no scenarios yet" is the true answer
    ("journey", "list"),  # "no journeys yet" likewise
    ("journey", "new"),  # a starting journey file needs no data
}

#: Commands whose answer on the shared empty workspace depends on what ran there before:
#: link-review says "run link first" before the (empty) register exists, and "nothing to
#: review" after. Either is a clean answer; a traceback is not.
EITHER_ANSWER = {("link-review",)}


def _required_arguments(command: Any, tmp: Path) -> list[str]:
    """Return plausible values for a command's required arguments (a name, a missing file)."""
    values = []
    for param in command.params:
        if param.param_type_name == "argument" and param.required:
            values.append(
                str(tmp / "no-such-file.csv") if "file" in param.name else "Nobody Council"
            )
    return values


def _options(command: Any) -> dict[str, Any]:
    return {opt: p for p in command.params if p.param_type_name == "option" for opt in p.opts}


def _bad_option_values(command: Any) -> Iterator[list[str]]:
    """Yield nonsense for each option: negative, huge and non-numbers, unknown names and years."""
    for name, option in _options(command).items():
        if (
            not name.startswith("--")
            or name in ("--workspace", "--json", "--help")
            or option.is_flag
        ):
            continue
        annotation = option.type_descriptor.annotation
        kind = getattr(annotation, "__name__", str(annotation))
        if "int" in kind or "float" in kind:
            for value in ("-5", "banana", "1e999" if "float" in kind else "99999999999999999999"):
                yield [name, value]
        elif name == "--year":
            yield [name, "1999-00"]
            yield [name, "banana"]
        elif name in (
            "--theme",
            "--by",
            "--partner",
            "--sector",
            "--place",
            "--driver",
            "--detector",
        ):
            yield [name, "Banana"]
        elif name == "--export":
            yield [name, "out.txt"]


def _assert_clean_failure(args: list[str], result: typer.testing.Result) -> None:
    shown = " ".join(args)
    assert "Traceback" not in result.output, f"{shown}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{shown}: {result.exception!r}"
    )
    assert result.exit_code != 0, f"{shown} exited 0:\n{result.output}"
    assert result.output.strip(), f"{shown}: no message"


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return a missing, a broken, an empty and an imported workspace."""
    root = tmp_path_factory.mktemp("every")
    empty, broken, imported = root / "empty", root / "broken", root / "imported"
    for ws in (empty, broken, imported):
        assert runner.invoke(app, ["init", str(ws), "--place", "E07000120"]).exit_code == 0
    (broken / "place.toml").write_text('[place]\ncode = "E07000120"\n[[partners]\nname = \n')
    result = runner.invoke(
        app,
        [
            "import",
            "--partner",
            "Hyndburn Borough Council",
            str(HYNDBURN_APRIL),
            "-w",
            str(imported),
        ],
    )
    assert result.exit_code == 0, result.output
    return {"missing": root / "missing", "broken": broken, "empty": empty, "imported": imported}


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
@pytest.mark.parametrize("kind", ["missing", "broken", "empty"])
def test_every_command_fails_cleanly_without_a_usable_workspace(
    path: tuple[str, ...], kind: str, workspaces: dict[str, Path], tmp_path: Path
):
    command = COMMANDS[path]
    if path == ("init",):
        pytest.skip("init makes a workspace: covered by the bad-option test")
    if path == ("serve",) and kind == "empty":
        pytest.skip("serve runs until stopped on any valid workspace: tests/web serve the app")
    args = [*path, *_required_arguments(command, tmp_path), "--workspace", str(workspaces[kind])]
    result = runner.invoke(app, args)
    if kind == "empty" and path in NEED_NOTHING_IMPORTED:
        assert "Traceback" not in result.output and result.exception is None, result.output
        assert result.output.strip()
        return
    if kind == "empty" and path in EITHER_ANSWER and result.exit_code == 0:
        assert "Traceback" not in result.output and result.output.strip(), result.output
        return
    _assert_clean_failure(args, result)


@pytest.mark.parametrize(
    "path",
    sorted(COMMANDS),
    ids=" ".join,
)
def test_every_command_refuses_nonsense_option_values(
    path: tuple[str, ...], workspaces: dict[str, Path], tmp_path: Path
):
    command = COMMANDS[path]
    base = [*path, *_required_arguments(command, tmp_path)]
    if path == ("init",):
        base = ["init", str(tmp_path / "new"), "--place", "E07000120"]
    elif path == ("outturn",):
        base = ["outturn", "Hyndburn Borough Council"]
    if "--workspace" in _options(command):
        base += ["--workspace", str(workspaces["imported"])]
    tried = 0
    for bad in _bad_option_values(command):
        args = [*base, *bad]
        _assert_clean_failure(args, runner.invoke(app, args))
        tried += 1
    if tried == 0:
        pytest.skip(f"{' '.join(path)} has no option that takes a value")
